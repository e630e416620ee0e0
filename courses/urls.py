from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("learn/enroll/", views.enroll, name="enroll"),
    path("learn/unenroll/", views.unenroll, name="unenroll"),
    path("learn/complete/", views.lesson_complete, name="lesson_complete"),
    path("learn/heartbeat/", views.heartbeat, name="heartbeat"),
    path("learn/journal/", views.journal_save, name="journal_save"),
]
