from datetime import date, timedelta

from django import forms
from django.utils import timezone

from accounts.models import User
from cms.admin_dates import admin_date_field, admin_date_hint
from cms.forms import AccessibleForm, ReasonField
from cms.ids import IdModelChoiceField
from courses.models import Accreditor, CoursePage, Enrollment

from .numbers import number_normalize
from .services import MAX_REASON_LENGTH

#: The longest transcript period (license renewal cycles are 1 to 3 years).
MAX_PERIOD_YEARS = 25


class VerifyForm(AccessibleForm):
    number = forms.CharField(
        label="Certificate number",
        max_length=40,
        help_text="As printed on the certificate, e.g. PRC-2026-7KQ9-X4D0. Case and dashes do not matter.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self):
        normalized = number_normalize(self.cleaned_data["number"])
        if normalized is None:
            raise forms.ValidationError(
                "This is not a valid certificate number. Check it against the certificate: "
                "it looks like PRC-2026-7KQ9-X4D0."
            )
        return normalized


class TranscriptPeriodForm(AccessibleForm):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    @classmethod
    def from_query(cls, query) -> "TranscriptPeriodForm":
        """The period asked for in a query string, or the default one; validated."""
        if "start" in query or "end" in query:
            form = cls(query)
        else:
            form = cls(cls.default_period(timezone.localdate()))
        form.is_valid()
        return form

    @staticmethod
    def default_period(today: date) -> dict:
        """The last two years, a common license renewal cycle."""
        try:
            start = today.replace(year=today.year - 2) + timedelta(days=1)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - 2, day=28) + timedelta(days=1)
        return {"start": start, "end": today}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end of the period must not be before its start.")
            elif (end - start).days > MAX_PERIOD_YEARS * 366:
                self.add_error("start", f"Choose a period of at most {MAX_PERIOD_YEARS} years.")
        return cleaned


# --- Administration ----------------------------------------------------------------------


class ReasonForm(forms.Form):
    reason = ReasonField(
        max_length=MAX_REASON_LENGTH,
        help_text="Required. Recorded in the certificate's audit history.",
    )


class StatusChangeForm(ReasonForm):
    """Reissue, revoke, restore: the internal reason, and the one the clinician is told."""

    clinician_reason = ReasonField(
        label="Reason for the clinician",
        required=False,
        max_length=MAX_REASON_LENGTH,
        help_text="Optional. Emailed to the clinician and shown on their dashboard. "
        "The reason above stays internal.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = (
            "Required, internal: recorded in the certificate's audit history, never shown to "
            "the clinician."
        )


class ManualIssueForm(ReasonForm):
    email = forms.EmailField(label="Clinician's email")
    course = IdModelChoiceField(queryset=CoursePage.objects.order_by("title"), label="Course")
    accreditor = IdModelChoiceField(
        queryset=Accreditor.objects.order_by("short_name"),
        required=False,
        label="Accreditor",
        empty_label="— None: certificate of attendance —",
    )
    completed_on = admin_date_field(
        required=False,
        label="Completion date",
        help_text=(
            f"{admin_date_hint()}. Needed only when the enrollment has no recorded completion."
        ),
    )
    field_order = ["email", "course", "accreditor", "completed_on", "reason"]

    def clean(self):
        cleaned = super().clean()
        email, course = cleaned.get("email"), cleaned.get("course")
        if email and course:
            user = User.objects.filter(email__iexact=email).first()
            enrollment = (
                Enrollment.objects.filter(user=user, course=course).first() if user else None
            )
            if enrollment is None:
                self.add_error("email", "No enrollment of this email address in this course.")
            else:
                cleaned["enrollment"] = enrollment
        completed_on = cleaned.get("completed_on")
        if completed_on and completed_on > timezone.localdate():
            self.add_error("completed_on", "The completion date cannot be in the future.")
        return cleaned
