from django.urls import include, path, reverse
from wagtail import hooks

from certificates.admin_views.listing import EXPORT_URLS_HOOK as CERTIFICATES_EXPORT_URLS
from certificates.selectors import user_is_certificate_admin
from cms.admin_menu import MenuItemFor
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


@hooks.register("register_admin_menu_item")
def register_audit_reports_menu_item():
    return MenuItemFor(
        "Audit reports",
        reverse(f"{views.NAMESPACE}:index"),
        shown_to=user_is_certificate_admin,
        icon_name="table",
        order=330,
    )


@hooks.register("register_admin_menu_item")
def register_course_reports_menu_item():
    """Administrators and instructors with a course of their own (the rule of
    quizzes.selectors.courses_for_aggregates)."""
    return MenuItemFor(
        "Course reports",
        reverse(f"{views.NAMESPACE}:courses"),
        shown_to=lambda user: courses_for_aggregates(user=user).exists(),
        icon_name="table",
        order=335,
    )
