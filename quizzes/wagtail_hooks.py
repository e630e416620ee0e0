from django.contrib import messages
from django.shortcuts import redirect
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from cms.admin_menu import MenuItemFor

from . import admin_views
from .models import PostTestPage
from .selectors import courses_for_aggregates, questions_without_objective
from .services import QUESTIONS_IMPORT_ACTION


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.EvaluationCourseListView.as_view(), name="index"),
        path("<id:course_id>/", admin_views.EvaluationAggregateView.as_view(), name="course"),
    ]
    post_tests = [
        path(
            "<id:post_test_id>/import/",
            admin_views.QuestionImportView.as_view(),
            name="question_import",
        ),
    ]
    return [
        path("evaluations/", include((urls, "quizzes_admin"), namespace="quizzes_admin")),
        path(
            "post-tests/",
            include((post_tests, "quizzes_post_tests"), namespace="quizzes_post_tests"),
        ),
    ]


@hooks.register("register_log_actions")
def register_questions_import_log_action(actions):
    @actions.register_action(QUESTIONS_IMPORT_ACTION)
    class QuestionsImported(LogFormatter):
        label = "Import questions"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            count = data.get("questions", 0)
            source = str(data.get("format", "")).upper()
            return f"{count} question{'s' if count != 1 else ''} imported from {source}"


@hooks.register("register_admin_menu_item")
def register_evaluations_menu_item():
    """Whoever may read the evaluations of at least one course."""
    return MenuItemFor(
        "Evaluations",
        reverse("quizzes_admin:index"),
        shown_to=lambda user: courses_for_aggregates(user=user).exists(),
        icon_name="list-ul",
        order=320,
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
def warn_when_an_objective_under_questions_is_removed(request, page):
    # Questions name their objective by its key: moving objectives moves none, but a
    # removed objective leaves its questions measuring nothing.
    orphans = questions_without_objective(course=page)
    if orphans:
        messages.warning(request, orphans)
