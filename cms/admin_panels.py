"""Panels of the admin dashboard (Wagtail's `construct_homepage_panels` hook) that
show a template with what the hook read when it built the dashboard."""

from wagtail.admin.ui.components import Component


class DashboardPanel(Component):
    """Renders `template_name` with the context it is built with
    (`MyCoursesPanel(home=home)`); a subclass names its `name`, `order` and
    `template_name`."""

    def __init__(self, **context):
        self.context = context

    def get_context_data(self, parent_context):
        return self.context
