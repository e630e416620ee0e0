"""The page editor's form for a course, the form of its learning objectives, and the
title of a course's copy."""

import uuid

from django import forms
from modelcluster.forms import BaseChildFormSet
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from accounts.validators import validate_printable_line

# POST keys of the page editor's buttons that would publish a course or send it for approval.
_PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-restart-workflow")


class CoursePageForm(WagtailAdminPageForm):
    """Refuses publishing, submitting for approval, or approving from the editor while a
    CE-required item is missing; each missing item is its own error message.

    Submitting (or restarting the workflow) and approving run the submission check,
    which accepts lessons and a post-test still in draft or awaiting approval (an
    approval publishes them first, courses.review, and CoursePage.publish then runs
    the full check); publishing runs the full check, which needs them live."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The title is printed on certificates: no invisible characters.
        self.fields["title"].validators.append(validate_printable_line)

    def is_valid(self):
        # After every formset is cleaned, so that the check sees the submitted inline rows;
        # also when the form has other errors, so that every missing item is named at once.
        valid = super().is_valid()
        # Deferred validation means the editor only saves a draft: drafts may be incomplete.
        if self._publishing() and not self.is_deferred_validation:
            from .publishing import course_publish_problems  # it imports the models, and they this

            problems = course_publish_problems(
                course=self.instance,
                facts=self.publish_facts(),
                for_submission=not self._publishes(),
            )
            for problem in problems:
                self.add_error(None, problem)
            valid = valid and not problems
        return valid

    def publish_facts(self):
        """The course as typed, for the publish gate: its fields and inline rows are not
        on the instance yet."""
        from .models import CourseCredit  # the models import this module
        from .publishing import REQUIRED_TEXT, CourseFacts  # it imports the models

        course, data = self.instance, self.cleaned_data
        objectives = [row["text"] for row in self._formset_rows("objectives") if row.get("text")]
        instructors = [
            row["instructor"]
            for row in self._formset_rows("course_instructors")
            if row.get("instructor")
        ]
        credits = [
            CourseCredit(accreditor=row["accreditor"], category=row["category"], hours=row["hours"])
            for row in self._formset_rows("credits")
            if row.get("accreditor") and row.get("hours") is not None
        ]
        fields = {
            # A field that failed validation counts as missing, whatever the instance holds.
            name: data[name]
            if name in data
            else ""
            if name in self.errors
            else getattr(course, name)
            for name in REQUIRED_TEXT
        }
        return CourseFacts(
            fields=fields,
            objectives=objectives,
            instructors=instructors,
            credits=credits,
            credit_method=data.get("credit_method", course.credit_method),
            credit_evidence=data.get("credit_evidence", course.credit_evidence),
            words_per_credit_hour=data.get("words_per_credit_hour") or course.words_per_credit_hour,
            estimated_minutes=data.get("estimated_minutes", course.estimated_minutes),
        )

    def _formset_rows(self, name: str) -> list[dict]:
        """The submitted rows of an inline formset that cleaned, without deleted ones."""
        formset = self.formsets.get(name)
        if formset is None:
            return []
        formset.is_valid()  # cleans every row, if the form has not yet
        rows = []
        for sub in formset.forms:
            data = getattr(sub, "cleaned_data", None) or {}
            if data and not data.get("DELETE"):
                rows.append(data)
        return rows

    def _publishing(self) -> bool:
        return any(key in self.data for key in _PUBLISHING_ACTIONS) or self._approving()

    def _approving(self) -> bool:
        return "action-workflow-action" in self.data and str(
            self.data.get("workflow-action-name", "")
        ).startswith("approve")

    def _publishes(self) -> bool:
        # An approval publishes the pages reviewed with the course first (courses.review),
        # then CoursePage.publish runs the full check: approving runs the submission check.
        return "action-publish" in self.data


class CourseDuplicateForm(forms.Form):
    """The title of a course's copy (courses.duplicate)."""

    title = forms.CharField(
        label="Title of the copy",
        max_length=255,
        validators=[validate_printable_line],
        help_text="The copy's address (slug) is made from it. You can change both later.",
    )


class LearningObjectiveForm(WagtailAdminModelForm):
    """An objective's row in the course editor. Its key travels in a hidden input:
    an objective added in a draft of a live course has no row yet, and only the
    posted key keeps it the same objective from one draft to the next."""

    key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A saved row keeps its key whatever is posted.
        self.saved_key = self.instance.key if self.instance.pk else None

    def clean_key(self):
        try:
            return uuid.UUID(str(self.cleaned_data.get("key") or ""))
        except ValueError:
            return None


class LearningObjectiveFormSet(BaseChildFormSet):
    """Every objective ends with a key of its own: a saved row's, else the posted one,
    else (none posted, or one already taken: objectives added in the editor share the
    blank template's) a new one."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            key = form.saved_key or form.cleaned_data.get("key")
            if key is None or key in seen:
                key = uuid.uuid4()
            seen.add(key)
            form.cleaned_data["key"] = form.instance.key = key
