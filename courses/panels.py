from wagtail.admin.panels import HelpPanel


class CreditCheckPanel(HelpPanel):
    """Shows the course's computed word count and the word-count rule check."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/credit_check_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import accreditor_warnings, course_credit_check

            context = super().get_context_data(parent_context)
            saved = bool(self.instance.pk)
            context["check"] = course_credit_check(course=self.instance) if saved else None
            context["warnings"] = accreditor_warnings(course=self.instance) if saved else []
            context["course"] = self.instance
            return context


class PublishChecklistPanel(HelpPanel):
    """Lists, in the editor, every CE-required item the saved course still lacks."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "courses/admin/publish_checklist_panel.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def get_context_data(self, parent_context=None):
            from .selectors import accreditor_warnings, course_publish_problems

            context = super().get_context_data(parent_context)
            saved = bool(self.instance.pk)
            context["saved"] = saved
            context["problems"] = course_publish_problems(course=self.instance) if saved else []
            context["warnings"] = accreditor_warnings(course=self.instance) if saved else []
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
