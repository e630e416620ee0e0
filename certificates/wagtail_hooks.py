from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import report_views, selectors
from .admin_views import CertificateViewSet
from .panels import CertificateAttentionPanel


@hooks.register("register_admin_viewset")
def register_certificate_viewset():
    return CertificateViewSet()


@hooks.register("construct_homepage_panels")
def add_certificate_attention_panel(request, panels):
    panels.append(CertificateAttentionPanel(request=request))


@hooks.register("register_admin_urls")
def register_report_urls():
    urls = (report_views.report_urlpatterns(), report_views.NAMESPACE)
    return [path("audit-reports/", include(urls, namespace=report_views.NAMESPACE))]


class AuditReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_is_certificate_admin(user=request.user)


@hooks.register("register_admin_menu_item")
def register_audit_reports_menu_item():
    return AuditReportsMenuItem(
        "Audit reports", reverse(f"{report_views.NAMESPACE}:index"), icon_name="table", order=330
    )
