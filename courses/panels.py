from wagtail.admin.panels import HelpPanel


class CreditCheckPanel(HelpPanel):
    """Shows the course's computed word count and the word-count rule check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/credit_check_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import course_credit_check, course_warnings

            context = super().get_context_data(parent_context)
            saved = bool(self.instance.pk)
            check = course_credit_check(course=self.instance) if saved else None
            context["check"] = check
            if check is not None:
                from .models import CreditCategory

                labels = dict(CreditCategory.choices)

                def labelled(values: dict) -> list:
                    return [(labels.get(key, key), value) for key, value in values.items()]

                context["words"] = labelled(check.words_by_category)
                context["allowed"] = labelled(check.allowed_hours_by_category)
                context["media_minutes"] = labelled(check.media_minutes_by_category)
                context["media_hours"] = labelled(check.media_hours_by_category)
            context["warnings"] = course_warnings(course=self.instance) if saved else []
            context["increments"] = (
                sorted(
                    {
                        (a.short_name, a.get_credit_increment_display().lower(), a.credit_minimum)
                        for a in (c.accreditor for c in self.instance.credits.all())
                    }
                )
                if saved
                else []
            )
            context["course"] = self.instance
            return context


class PublishChecklistPanel(HelpPanel):
    """Lists, in the editor, every CE-required item the saved course still lacks: what
    blocks sending it for approval, what blocks only its publication (pages under it
    not yet live), and the pages under it still to be reviewed, with links."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/publish_checklist_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import (
                course_children_pending,
                course_publish_problems,
                course_warnings,
            )

            context = super().get_context_data(parent_context)
            saved = bool(self.instance.pk)
            context["saved"] = saved
            problems, before_publishing, pending = [], [], []
            if saved:
                problems = course_publish_problems(course=self.instance, for_submission=True)
                before_publishing = [
                    p for p in course_publish_problems(course=self.instance) if p not in problems
                ]
                pending = course_children_pending(course=self.instance)
            context["problems"] = problems
            context["before_publishing"] = before_publishing
            context["pending"] = pending
            context["warnings"] = course_warnings(course=self.instance) if saved else []
            return context


class LessonWordCountPanel(HelpPanel):
    """Shows the lesson's computed word count (as of the last save) and its credit category."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/lesson_word_count_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["saved"] = bool(self.instance.pk)
            context["lesson"] = self.instance
            return context
