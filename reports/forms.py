"""The audit reports' filter forms (GET). Each field's error is tied to its
input (AccessibleForm); an invalid form means a 400 and no report."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from certificates.forms import TranscriptPeriodForm
from cms.admin_dates import admin_date_field, admin_date_hint
from cms.ids import IdModelChoiceField
from courses.models import Accreditor, CoursePage

from .selectors import Period, Reported, RosterBasis

#: The longest "completed within the last N days" window (ten years).
MAX_WITHIN_DAYS = 3660


class ReportPeriodForm(TranscriptPeriodForm):
    """A period (From, To): the end may not come before the start, and it
    spans at most forms.MAX_PERIOD_YEARS."""

    # The admin's date picker, in the admin's one date format (cms.admin_dates).
    start = admin_date_field(label="From")
    end = admin_date_field(label="To")

    @staticmethod
    def default_period(today: date) -> dict:
        """This calendar year so far: what an annual audit usually asks for."""
        return {"start": today.replace(month=1, day=1), "end": today}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", self.default_period(timezone.localdate()))
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = f"First day of the period ({admin_date_hint()})."
        self.fields["end"].help_text = f"Last day of the period, included ({admin_date_hint()})."
        # AccessibleForm ties help texts in its __init__, which ran before these were set.
        for name in ("start", "end"):
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"

    #: The fields the report's selectors take by name, besides the period.
    filter_fields: tuple[str, ...] = ()

    @property
    def period(self) -> Period:
        return Period(start=self.cleaned_data["start"], end=self.cleaned_data["end"])

    @property
    def filters(self) -> dict:
        """The valid filters as the report's selectors take them: the period
        and each of `filter_fields` (None or "" where left empty)."""
        data = self.cleaned_data
        return {"period": self.period, **{name: data[name] for name in self.filter_fields}}


def _course_field(**kwargs) -> forms.ModelChoiceField:
    return IdModelChoiceField(
        queryset=CoursePage.objects.order_by("title"),
        label="Course",
        empty_label="— Choose a course —",
        error_messages={"invalid_choice": "There is no such course. Choose one from the list."},
        **kwargs,
    )


def _accreditor_field(*, required: bool, **kwargs) -> forms.ModelChoiceField:
    return IdModelChoiceField(
        queryset=Accreditor.objects.order_by("short_name"),
        required=required,
        label="Accreditor",
        empty_label="— Any accreditor —" if not required else "— Choose an accreditor —",
        error_messages={"invalid_choice": "There is no such accreditor. Choose one from the list."},
        **kwargs,
    )


class RosterForm(ReportPeriodForm):
    course = _course_field()
    basis = forms.ChoiceField(
        label="Participants who",
        choices=RosterBasis.choices,
        initial=RosterBasis.ENROLLED,
        required=False,
        help_text="Which date must fall within the period.",
    )
    accreditor = _accreditor_field(
        required=False,
        help_text=(
            "Only participants who claimed credit under it, hold a certificate under it, or "
            "hold a license of a profession it serves (as held at completion, for those who "
            "completed); certificates under other accreditors are left out."
        ),
    )
    field_order = ["course", "basis", "start", "end", "accreditor"]
    filter_fields = ("course", "basis", "accreditor")

    def clean_basis(self):
        # Left out of a link (e.g. from the evidence packet): the enrollment date.
        return self.cleaned_data["basis"] or RosterBasis.ENROLLED


class AccreditorReportForm(ReportPeriodForm):
    accreditor = _accreditor_field(required=True)
    course = _course_field(required=False)
    within_days = forms.IntegerField(
        label="Completed within the last (days)",
        required=False,
        min_value=1,
        max_value=MAX_WITHIN_DAYS,
        help_text=(
            "Optional: only completions on or after today minus this many days "
            "(e.g. 30 for Florida's reporting rule)."
        ),
    )
    reported = forms.ChoiceField(
        label="Uploaded",
        choices=[("", "— Reported or not —"), *Reported.choices],
        required=False,
        help_text="“Not reported yet”: the certificates no confirmed upload holds.",
    )
    field_order = ["accreditor", "start", "end", "course", "within_days", "reported"]
    filter_fields = ("accreditor", "course", "within_days", "reported")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].empty_label = "— Every course —"
        self.fields["start"].label = "Completed from"
        self.fields["end"].label = "Completed to"


class UploadConfirmForm(forms.Form):
    """An Administrator confirms that the report (the page's filters) was uploaded."""

    reference = forms.CharField(
        label="Upload reference",
        max_length=200,
        required=False,
        help_text="The accreditor's receipt or batch number, if it gave one.",
    )
    issued_before = forms.DateTimeField(widget=forms.HiddenInput)


class EvidenceForm(ReportPeriodForm):
    course = _course_field()
    field_order = ["course", "start", "end"]
    filter_fields = ("course",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "start"
        ].help_text = (
            f"Completions and certificates are counted from this day ({admin_date_hint()})."
        )
