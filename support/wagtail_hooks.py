from django.urls import include, path, reverse
from wagtail import hooks

from cms.admin_menu import MenuItemFor
from cms.admin_panels import DashboardPanel
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


@hooks.register("register_admin_menu_item")
def register_support_menu_item():
    return MenuItemFor(
        "Support requests",
        reverse("support_admin:inbox"),
        shown_to=selectors.user_may_manage_requests,
        icon_name="help",
        order=450,
    )


@hooks.register("register_admin_menu_item")
def register_overrides_menu_item():
    return MenuItemFor(
        "Learner overrides",
        reverse("support_admin:overrides"),
        shown_to=user_may_grant_overrides,
        icon_name="key",
        order=460,
    )


class SupportInboxPanel(DashboardPanel):
    """On the admin dashboard: how many requests are open and how many overdue
    (context: selectors.inbox_counts)."""

    name = "support_inbox"
    order = 95
    template_name = "support/admin/panel.html"


@hooks.register("construct_homepage_panels")
def add_support_inbox_panel(request, panels):
    if selectors.user_may_manage_requests(user=request.user):
        panels.append(SupportInboxPanel(**selectors.inbox_counts()))
