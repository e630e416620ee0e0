from django import forms
from wagtail.admin.panels import InlinePanel
from wagtail.admin.panels.base import get_form_for_model

from cms.admin_panels import EditorPanel


def _editor_report(course):
    """The course editor's report, read once for both panels of a request (they
    share the form's instance): the checklist, the credit check, the warnings."""
    from .publishing import course_editor_report  # the models import this module

    report = course.__dict__.get("_editor_report")
    if report is None:
        report = course.__dict__["_editor_report"] = course_editor_report(course=course)
    return report


class CreditCheckPanel(EditorPanel):
    """Shows the course's computed word count and the word-count rule check."""

    template_name = "courses/admin/credit_check_panel.html"

    def panel_context(self, instance, form) -> dict:
        from .credit_rules import METHOD_EVIDENCE, words_needed

        report = _editor_report(instance)
        check = report.credit_check
        context = {"check": check}
        if check is not None:
            from .models import CreditCategory

            labels = dict(CreditCategory.choices)

            def labelled(values: dict) -> list:
                return [(labels.get(key, key), value) for key, value in values.items()]

            context["words"] = labelled(check.words_by_category)
            context["allowed"] = labelled(check.allowed_hours_by_category)
            context["media_minutes"] = labelled(check.media_minutes_by_category)
            context["media_hours"] = labelled(check.media_hours_by_category)
            context["by_category"] = check.lessons_by_category()
            context["needed"] = [
                (short, label, hours, words_needed(hours, instance.words_per_credit_hour))
                for short, label, hours in check.credited
            ]
            context["methods"] = list(METHOD_EVIDENCE.items())
        context["warnings"] = report.warnings
        context["increments"] = (
            sorted(
                {
                    (a.short_name, a.get_credit_increment_display().lower(), a.credit_minimum)
                    for a in (c.accreditor for c in report.credits)
                }
            )
            if instance.pk
            else []
        )
        context["course"] = instance
        return context


class PublishChecklistPanel(EditorPanel):
    """Lists, in the editor, every CE-required item the saved course still lacks: what
    blocks sending it for approval, what blocks only its publication (pages under it
    not yet live), and the pages under it still to be reviewed, with links."""

    template_name = "courses/admin/publish_checklist_panel.html"

    def panel_context(self, instance, form) -> dict:
        from .selectors.instructing import course_editor_links

        saved = bool(instance.pk)
        report = _editor_report(instance)
        return {
            "saved": saved,
            "problems": report.checklist.problems,
            "before_publishing": report.checklist.before_publishing,
            "pending": report.checklist.pending,
            "warnings": report.warnings,
            "links": course_editor_links(course=instance) if saved else [],
        }


class LessonWordCountPanel(EditorPanel):
    """Shows the lesson's computed word count (as of the last save) and its credit category."""

    template_name = "courses/admin/lesson_word_count_panel.html"

    def panel_context(self, instance, form) -> dict:
        return {"saved": bool(instance.pk), "lesson": instance}


class ObjectivesInlinePanel(InlinePanel):
    """The course's learning objectives, each with its key in a hidden input
    (courses.forms.LearningObjectiveForm)."""

    def get_form_options(self):
        from .forms import LearningObjectiveForm, LearningObjectiveFormSet

        options = super().get_form_options()
        formset = options["formsets"][self.relation_name]
        child = self.child_edit_handler.get_form_options()
        formset["fields"] = [*formset["fields"], "key"]
        formset["widgets"] = {**formset["widgets"], "key": forms.HiddenInput}
        formset["form"] = get_form_for_model(
            self.db_field.related_model,
            form_class=LearningObjectiveForm,
            **(
                {"defer_required_on_fields": child["defer_required_on_fields"]}
                if child.get("defer_required_on_fields")
                else {}
            ),
        )
        formset["formset"] = LearningObjectiveFormSet
        return options
