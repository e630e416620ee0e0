from django.urls import reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import AuditEventViewSet
from .selectors import user_may_view_audit_log


@hooks.register("register_admin_viewset")
def register_audit_log_viewset():
    return AuditEventViewSet("audit_log")


class AuditLogMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_view_audit_log(user=request.user)


@hooks.register("register_reports_menu_item")
def register_audit_log_menu_item():
    return AuditLogMenuItem("Audit log", reverse("audit_log:index"), icon_name="history", order=900)
