from django.urls import path

from . import views

app_name = "quizzes"

urlpatterns = [
    path("learn/post-test/start/", views.attempt_start, name="attempt_start"),
    path("learn/attempts/<id:attempt_id>/", views.attempt_view, name="attempt"),
    path(
        "learn/attempts/<id:attempt_id>/answer/",
        views.attempt_answer_save,
        name="attempt_answer_save",
    ),
    path("learn/attempts/<id:attempt_id>/submit/", views.attempt_submit, name="attempt_submit"),
    path("learn/courses/<id:course_id>/evaluation/", views.evaluation, name="evaluation"),
]
