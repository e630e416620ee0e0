from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certificates.selectors import user_is_certificate_admin
from quizzes.selectors import courses_for_aggregates

from . import urls, views


@hooks.register("register_admin_urls")
def register_report_urls():
    patterns = (urls.report_urlpatterns(), views.NAMESPACE)
    return [path("audit-reports/", include(patterns, namespace=views.NAMESPACE))]


class AuditReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return user_is_certificate_admin(user=request.user)


@hooks.register("register_admin_menu_item")
def register_audit_reports_menu_item():
    return AuditReportsMenuItem(
        "Audit reports", reverse(f"{views.NAMESPACE}:index"), icon_name="table", order=330
    )


class CourseReportsMenuItem(MenuItem):
    """Administrators and instructors with a course of their own (the rule of
    quizzes.selectors.courses_for_aggregates)."""

    def is_shown(self, request):
        return courses_for_aggregates(user=request.user).exists()


@hooks.register("register_admin_menu_item")
def register_course_reports_menu_item():
    return CourseReportsMenuItem(
        "Course reports", reverse(f"{views.NAMESPACE}:courses"), icon_name="table", order=335
    )
