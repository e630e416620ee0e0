from functools import partial

from django.contrib import messages
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, reverse
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.widgets import Button
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.admin_menu import MenuItemFor
from cms.admin_panels import DashboardPanel

from . import audit_hooks, duplicate_views, home_views, preview_views, review_views
from .models import Accreditor, CoursePage, Instructor
from .review_selectors import course_review_queue
from .selectors import accreditor_warnings
from .selectors.instructing import course_editor_links, course_home, course_home_shown


class AccreditorViewSet(SnippetViewSet):
    model = Accreditor
    icon = "success"
    menu_label = "Accreditors"
    add_to_admin_menu = True
    menu_order = 300
    list_display = ["short_name", "name", "provider_number", "approval_start", "approval_end"]
    search_fields = ["name", "short_name", "provider_number"]


class InstructorViewSet(SnippetViewSet):
    model = Instructor
    icon = "user"
    menu_label = "Instructors"
    add_to_admin_menu = True
    menu_order = 310
    list_display = ["name", "credentials"]
    search_fields = ["name", "credentials"]


register_snippet(AccreditorViewSet)
register_snippet(InstructorViewSet)


class AccreditorWarningsPanel(DashboardPanel):
    """The admin dashboard's banner: placeholder provider numbers, approvals ending soon
    (context: `warnings`)."""

    name = "accreditor_warnings"
    order = 50
    template_name = "courses/admin/accreditor_warnings_panel.html"


@hooks.register("construct_homepage_panels")
def add_accreditor_warnings(request, panels):
    if request.user.has_perm("courses.change_accreditor"):
        warnings = accreditor_warnings()
        if warnings:
            panels.insert(0, AccreditorWarningsPanel(warnings=warnings))


@hooks.register("before_delete_page")
def refuse_deleting_pages_with_learner_records(request, page):
    """Enrollments, progress, attempts, completions and certificates are audit
    records and protect the pages they point to; say so instead of failing.
    Django's deletion collector, run dry over the page and its subpages, finds
    every protected record whichever app it belongs to."""
    try:
        Collector(using="default").collect(Page.objects.descendant_of(page, inclusive=True))
    except (ProtectedError, RestrictedError) as refused:
        kinds = sorted({str(obj._meta.verbose_name_plural) for obj in refused.args[1]})
        messages.error(
            request,
            f"“{page.title}” cannot be deleted: learner records depend on it "
            f"({', '.join(kinds)}), and they are kept for audits. Unpublish it instead.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


# --- The audit log: accreditors' create, edit and delete (courses.audit_hooks) ---------------


hooks.register("before_edit_snippet", audit_hooks.accreditor_edit_started)
hooks.register("after_edit_snippet", partial(audit_hooks.accreditor_saved, created=False))
hooks.register("after_create_snippet", partial(audit_hooks.accreditor_saved, created=True))
hooks.register("before_delete_snippet", audit_hooks.accreditors_delete_started)
hooks.register("after_delete_snippet", audit_hooks.accreditors_deleted)


# --- One review round: the course review screen and the queue grouped by course ---------------


@hooks.register("register_admin_urls")
def course_review_urls():
    urls = [path("<id:course_id>/", review_views.CourseReviewView.as_view(), name="course")]
    return [path("course-review/", include((urls, "courses_review"), namespace="courses_review"))]


@hooks.register("construct_homepage_panels")
def review_queue_by_course(request, panels):
    """Wagtail's "Awaiting your review" lists pages one by one; ours groups them by course."""
    for index, panel in enumerate(panels):
        if getattr(panel, "name", "") == "workflow_objects_to_moderate":
            panels[index] = review_views.CourseReviewQueuePanel(
                entries=course_review_queue(user=request.user)
            )


# --- The instructor's home: "My courses" (courses.home_views) ---------------------------------


@hooks.register("insert_global_admin_css")
def courses_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("courses/admin.css"))


@hooks.register("register_admin_urls")
def course_home_urls():
    urls = [path("", home_views.MyCoursesView.as_view(), name="index")]
    return [path("my-courses/", include((urls, "courses_home"), namespace="courses_home"))]


@hooks.register("register_admin_urls")
def course_preview_urls():
    urls = [
        path("<id:course_id>/", preview_views.course_preview, name="course"),
        path("<id:course_id>/<id:page_id>/", preview_views.course_preview, name="page"),
    ]
    return [
        path("course-preview/", include((urls, "courses_preview"), namespace="courses_preview"))
    ]


@hooks.register("register_admin_urls")
def course_duplicate_urls():
    urls = [path("<id:course_id>/", duplicate_views.CourseDuplicateView.as_view(), name="course")]
    return [
        path(
            "course-duplicate/", include((urls, "courses_duplicate"), namespace="courses_duplicate")
        )
    ]


@hooks.register("register_admin_menu_item")
def register_my_courses_menu_item():
    """Instructors and Administrators (who may add pages), and anyone who authors a course."""
    return MenuItemFor(
        "My courses",
        reverse("courses_home:index"),
        shown_to=course_home_shown,
        icon_name="doc-full-inverse",
        order=90,
    )


@hooks.register("construct_homepage_panels")
def my_courses_panel(request, panels):
    """For instructors: their courses and the buttons to write more. An Administrator
    who authors none sees their review queue instead."""
    if not course_home_shown(user=request.user):
        return
    home = course_home(user=request.user)
    if home.rows or (home.new_course_url and not home.may_see_all):
        panels.append(home_views.MyCoursesPanel(home=home))


@hooks.register("register_page_header_buttons")
def course_header_buttons(page, user, view_name, next_url=None):
    """A course's header menu (⋯) offers what its editor's checklist links to."""
    if page.specific_class is not CoursePage:
        return
    for priority, link in enumerate(course_editor_links(course=page), start=80):
        yield Button(link.label, url=link.url, icon_name="view", priority=priority)
