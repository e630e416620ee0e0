from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component

from courses.selectors import user_may_grant_overrides

from . import admin_views, override_views, selectors


@hooks.register("register_admin_urls")
def register_support_admin_urls():
    urls = [
        path("", admin_views.InboxView.as_view(), name="inbox"),
        path("<id:request_id>/", admin_views.RequestView.as_view(), name="request"),
        path("overrides/", override_views.OverrideListView.as_view(), name="overrides"),
        path("overrides/new/", override_views.OverrideGrantView.as_view(), name="override_new"),
        path(
            "overrides/<id:override_id>/end/",
            override_views.override_end_view,
            name="override_end",
        ),
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


class OverridesMenuItem(MenuItem):
    def is_shown(self, request):
        return user_may_grant_overrides(user=request.user)


@hooks.register("register_admin_menu_item")
def register_overrides_menu_item():
    return OverridesMenuItem(
        "Learner overrides", reverse("support_admin:overrides"), icon_name="key", order=460
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
