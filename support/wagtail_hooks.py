from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from . import admin_views, selectors


@hooks.register("register_admin_urls")
def register_support_admin_urls():
    urls = [
        path("", admin_views.InboxView.as_view(), name="inbox"),
        path("<id:request_id>/", admin_views.RequestView.as_view(), name="request"),
    ]
    return [path("support/", include((urls, "support_admin"), namespace="support_admin"))]


class SupportMenuItem(MenuItem):
    def is_shown(self, request):
        return selectors.user_may_manage_requests(user=request.user)


@hooks.register("register_admin_menu_item")
def register_support_menu_item():
    return SupportMenuItem(
        "Support requests", reverse("support_admin:inbox"), icon_name="help", order=450
    )


class SupportInboxPanel(Component):
    """On the admin dashboard: how many requests are open and how many overdue."""

    name = "support_inbox"
    order = 95
    template_name = "support/admin/panel.html"

    def __init__(self, *, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["show"] = selectors.user_may_manage_requests(user=self.request.user)
        if context["show"]:
            context.update(selectors.inbox_counts())
        return context


@hooks.register("construct_homepage_panels")
def add_support_inbox_panel(request, panels):
    panels.append(SupportInboxPanel(request=request))
