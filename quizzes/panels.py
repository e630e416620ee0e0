from django.urls import reverse
from wagtail.admin.panels import HelpPanel


class PostTestCheckPanel(HelpPanel):
    """Shows the author how the post-test measures up to the rules of every
    accreditor the course is offered under. Shortfalls are warnings: they do
    not block publishing (docs/ce-rules.md, "The post-test")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "quizzes/admin/post_test_check_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import post_test_check  # models import this module; selectors, models

            context = super().get_context_data(parent_context)
            course = None
            if self.instance.pk:
                course = self.instance.get_parent().specific
            elif getattr(self.form, "parent_page", None) is not None:
                course = self.form.parent_page.specific
            context["check"] = (
                post_test_check(post_test=self.instance, course=course) if course else None
            )
            if self.instance.pk:
                context["import_url"] = reverse(
                    "quizzes_post_tests:question_import", args=[self.instance.pk]
                )
            return context
