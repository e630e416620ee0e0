from decimal import Decimal

from django import forms

from cms.forms import AccessibleForm
from cms.ids import IdModelChoiceField

from .models import CATEGORY_CHOICES, MAX_HOURS, RequirementTemplate

DATE = forms.DateInput(attrs={"type": "date"})


def hours_field(label: str, *, required: bool = False, minimum: str = "0", **kwargs):
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=Decimal(minimum),
        max_value=MAX_HOURS,
        max_digits=5,
        decimal_places=2,
        error_messages={
            "min_value": f"{label}: enter {minimum} hours or more (hours cannot be negative).",
            "max_value": f"{label}: more than {MAX_HOURS} hours is not plausible; check the number.",
            "invalid": f"{label}: enter a number of hours, such as 6 or 1.5.",
        },
        widget=forms.NumberInput(attrs={"step": "0.25", "min": minimum, "max": str(MAX_HOURS)}),
        **kwargs,
    )


class RequirementForm(AccessibleForm):
    """A board's template, or the clinician's own numbers; and the cycle's dates."""

    template = IdModelChoiceField(
        label="Your board's requirement",
        queryset=RequirementTemplate.objects.none(),
        required=False,
        empty_label="None of these: I enter my board's numbers below",
    )
    cycle_start = forms.DateField(label="Cycle started on", widget=DATE)
    deadline = forms.DateField(
        label="Renewal deadline", widget=DATE, help_text="The day the license must be renewed."
    )
    cycle_months = forms.IntegerField(
        label="Cycle length (months)",
        required=False,
        min_value=1,
        max_value=120,
        initial=24,
        help_text="Only with your own numbers: the next cycle starts when this one ends.",
    )
    total_hours = hours_field("Total hours", minimum="0.25")
    home_study_cap = hours_field(
        "Home-study limit (hours)",
        help_text="The most self-paced hours the board counts. Empty for none.",
    )
    accepted_accreditors = forms.CharField(
        label="Approving bodies the board accepts",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, as certificates print them (e.g. APA, ASWB ACE, NBCC).",
    )

    def __init__(self, *args, license, **kwargs):
        super().__init__(*args, **kwargs)
        self.license = license
        self.fields["template"].queryset = RequirementTemplate.objects.filter(
            profession=license.profession
        )
        self.category_fields = []
        for value, label in CATEGORY_CHOICES:
            name = f"minimum_{value}"
            self.fields[name] = hours_field(f"{label} hours (minimum)")
            self.category_fields.append(name)

    def clean(self):
        data = super().clean()
        start, deadline = data.get("cycle_start"), data.get("deadline")
        if start and deadline and deadline <= start:
            self.add_error("deadline", "The renewal deadline must come after the cycle's start.")
        if not data.get("template") and not self.errors:
            if data.get("total_hours") is None:
                self.add_error("total_hours", "Enter the total hours, or choose your board above.")
            if not (data.get("accepted_accreditors") or "").strip():
                self.add_error(
                    "accepted_accreditors",
                    "Name the approving bodies whose credit your board accepts, or choose your "
                    "board above.",
                )
        return data

    @property
    def minimums(self) -> dict:
        return {
            name.removeprefix("minimum_"): self.cleaned_data.get(name)
            for name in self.category_fields
            if self.cleaned_data.get(name)
        }

    def category_bound_fields(self):
        return [self[name] for name in self.category_fields]


class UploadForm(AccessibleForm):
    file = forms.FileField(
        label="Certificate file",
        help_text="A PDF, PNG or JPEG. Only you can open it.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    title = forms.CharField(label="Course title", max_length=255)
    provider = forms.CharField(label="Provider", max_length=200)
    accreditor = forms.CharField(
        label="Approved by",
        max_length=120,
        help_text="The approving body the certificate names, e.g. APA, ASWB ACE, NBCC.",
    )
    category = forms.ChoiceField(label="Category", choices=CATEGORY_CHOICES)
    hours = hours_field("Hours", required=True, minimum="0.25")
    completed_on = forms.DateField(label="Completion date", widget=DATE)
    home_study = forms.BooleanField(
        label="Self-paced (home study)",
        required=False,
        initial=True,
        help_text="Untick for a live course: in person or an interactive webinar.",
    )
    certificate_number = forms.CharField(label="Certificate number", max_length=80, required=False)
