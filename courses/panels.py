from wagtail.admin.panels import HelpPanel


class CreditCheckPanel(HelpPanel):
    """Shows an instructor the computed word count and the word-count rule check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/credit_check_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import course_credit_check

            context = super().get_context_data(parent_context)
            context["check"] = (
                course_credit_check(course=self.instance) if self.instance.pk else None
            )
            context["course"] = self.instance
            return context
