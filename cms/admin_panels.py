"""Panels of the admin: on the dashboard (Wagtail's `construct_homepage_panels`
hook), a template with what the hook read when it built the dashboard; in a page
editor, a template with what the panel reads for the page being edited."""

from wagtail.admin.panels import HelpPanel
from wagtail.admin.ui.components import Component


class DashboardPanel(Component):
    """Renders `template_name` with the context it is built with
    (`MyCoursesPanel(home=home)`); a subclass names its `name`, `order` and
    `template_name`."""

    def __init__(self, **context):
        self.context = context

    def get_context_data(self, parent_context):
        return self.context


class EditorPanel(HelpPanel):
    """A panel of a page editor drawn by its own `template_name`, with the context
    `panel_context(instance, form)` returns for the page being edited (a new page's
    `instance.pk` is None). Give it a `heading` where the page's panels list it."""

    template_name = ""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", self.template_name)
        super().__init__(**kwargs)

    def panel_context(self, instance, form) -> dict:
        raise NotImplementedError(
            f"{type(self).__name__} must say what its panel shows: define panel_context()"
        )

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context.update(self.panel.panel_context(self.instance, self.form))
            return context
