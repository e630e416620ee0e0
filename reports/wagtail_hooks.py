from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from certificates.admin_views.listing import EXPORT_URLS_HOOK as CERTIFICATES_EXPORT_URLS
from certificates.selectors import user_is_certificate_admin
from quizzes.admin_views import EXPORT_URLS_HOOK as EVALUATION_EXPORT_URLS
from quizzes.selectors import courses_for_aggregates

from . import urls, views


@hooks.register("register_admin_urls")
def register_report_urls():
    patterns = (urls.report_urlpatterns(), views.NAMESPACE)
    exports = (urls.export_urlpatterns(), urls.EXPORTS_NAMESPACE)
    return [
        path("audit-reports/", include(patterns, namespace=views.NAMESPACE)),
        path("", include(exports, namespace=urls.EXPORTS_NAMESPACE)),
    ]


@hooks.register(CERTIFICATES_EXPORT_URLS)
def certificates_export_urls(query: str) -> dict[str, str]:
    """The certificates listing's export links, with its filters (`query`)."""
    return {
        "csv": reverse(f"{urls.EXPORTS_NAMESPACE}:certificates_csv") + query,
        "xlsx": reverse(f"{urls.EXPORTS_NAMESPACE}:certificates_xlsx") + query,
    }


@hooks.register(EVALUATION_EXPORT_URLS)
def evaluation_export_urls(course) -> dict[str, str]:
    """The export links of a course's evaluations."""
    return {
        "csv": reverse(f"{urls.EXPORTS_NAMESPACE}:evaluations_csv", args=[course.pk]),
        "xlsx": reverse(f"{urls.EXPORTS_NAMESPACE}:evaluations_xlsx", args=[course.pk]),
    }


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
