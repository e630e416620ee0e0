from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from cms.spreadsheet import SpreadsheetFormat

from . import admin_views
from .models import PostTestPage
from .selectors import objectives_moved_under_questions


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.EvaluationCourseListView.as_view(), name="index"),
        path("<id:course_id>/", admin_views.EvaluationAggregateView.as_view(), name="course"),
        path("<id:course_id>/csv/", admin_views.evaluation_export, name="csv"),
        path(
            "<id:course_id>/xlsx/",
            admin_views.evaluation_export,
            {"file_format": SpreadsheetFormat.XLSX},
            name="xlsx",
        ),
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


@hooks.register("before_unpublish_page")
def refuse_unpublishing_the_post_test_of_a_live_course(request, page):
    # Without a live post-test nobody enrolled can finish the course: take the
    # course offline first (its subpages with it), or publish a new revision.
    if page.specific_class is PostTestPage:
        course = page.get_parent()
        if course.live:
            messages.error(
                request,
                f"“{page.title}” is the post-test of the live course “{course.title}”: "
                "unpublished, nobody enrolled could complete the course. Unpublish the "
                "course (with its subpages) instead, or publish a corrected revision.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("after_edit_page")
def warn_when_objectives_move_under_the_post_test(request, page):
    # Questions name their objective by its number: when objectives change places
    # (or one is removed above others), those numbers now point at other objectives.
    moved = objectives_moved_under_questions(course=page)
    if moved:
        messages.warning(request, moved)
