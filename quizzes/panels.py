from django.urls import reverse

from cms.admin_panels import EditorPanel


class PostTestCheckPanel(EditorPanel):
    """Shows the author how the post-test measures up to the rules of every
    accreditor the course is offered under. Shortfalls are warnings: they do
    not block publishing (docs/ce-rules.md, "The post-test")."""

    template_name = "quizzes/admin/post_test_check_panel.html"

    def panel_context(self, instance, form) -> dict:
        from .selectors import post_test_check  # models import this module; selectors, models

        course = None
        if instance.pk:
            course = instance.get_parent().specific
        elif getattr(form, "parent_page", None) is not None:
            course = form.parent_page.specific
        context = {"check": post_test_check(post_test=instance, course=course) if course else None}
        if instance.pk:
            context["import_url"] = reverse(
                "quizzes_post_tests:question_import", args=[instance.pk]
            )
        return context
