from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.EvaluationCourseListView.as_view(), name="index"),
        path("<int:course_id>/", admin_views.EvaluationAggregateView.as_view(), name="course"),
        path("<int:course_id>/csv/", admin_views.evaluation_csv, name="csv"),
    ]
    return [path("evaluations/", include((urls, "quizzes_admin"), namespace="quizzes_admin"))]


class EvaluationsMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import courses_for_aggregates

        return courses_for_aggregates(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_evaluations_menu_item():
    return EvaluationsMenuItem(
        "Evaluations", reverse("quizzes_admin:index"), icon_name="list-ul", order=320
    )
