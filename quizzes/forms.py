"""The evaluation and attestation form (one page, two parts), and the form of a
question import. They only parse and validate input; quizzes.services records it."""

from django import forms

from cms.ids import IdModelMultipleChoiceField
from cms.refusals import Refusal
from courses.models import Accreditor

from .models import ATTESTATION_STATEMENT, HoursAccuracy, RatingScale
from .question_import import MAX_BYTES, QuestionFormat, question_text_read
from .services import claim_unmatched_message

RATING_CHOICES = [(str(value), label) for value, label in RatingScale.choices]
YES_NO = [("no", "No"), ("yes", "Yes")]


def _rating_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating.", "invalid_choice": "Choose a rating."},
    )


class EvaluationForm(forms.Form):
    """Fields are made per course: one rating per objective (`objective_<n>`), one per
    instructor (`instructor_<n>`), then the course-wide questions and the attestation."""

    def __init__(self, *args, items, claim_options, need_evaluation=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.need_evaluation = need_evaluation
        self.rating_groups: list[tuple[str, list[str]]] = []
        if need_evaluation:
            objectives, instructors = [], []
            for item in items:
                name = f"{item.kind}_{item.position}"
                if item.kind == "objective":
                    label = f"Objective {item.position}: {item.label}"
                    objectives.append(name)
                else:
                    label = (
                        f"{item.label} was knowledgeable and presented the material effectively."
                    )
                    instructors.append(name)
                self.fields[name] = _rating_field(label)
            self.fields["relevance"] = _rating_field("The content is relevant to my practice.")
            self.fields["content_quality"] = _rating_field(
                "The content was accurate, current and well organized."
            )
            self.fields["hours_accurate"] = forms.ChoiceField(
                label="Compared with the stated credit hours, the time the course took me was",
                choices=HoursAccuracy.choices,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose one.", "invalid_choice": "Choose one."},
            )
            self.fields["bias_noticed"] = forms.ChoiceField(
                label="Did you notice commercial bias or an undisclosed conflict of interest?",
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose yes or no.",
                    "invalid_choice": "Choose yes or no.",
                },
            )
            self.fields["bias_details"] = forms.CharField(
                label="If yes, what did you notice?",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields["comments"] = forms.CharField(
                label="Comments for the instructor and the provider (optional)",
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 5}),
            )
            self.rating_groups = [
                ("Were the learning objectives met?", objectives),
                ("The instructor", instructors),
                ("The course", ["relevance", "content_quality"]),
            ]
        self.claim_options = claim_options
        self.fields["claim"] = IdModelMultipleChoiceField(
            label="Claim credit under",
            queryset=Accreditor.objects.filter(pk__in=[o.accreditor.pk for o in claim_options]),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[o.accreditor.pk for o in claim_options if o.matches_license],
            error_messages={
                "invalid_choice": "Credit can only be claimed under this course's accreditors.",
                "invalid_pk_value": "Credit can only be claimed under this course's accreditors.",
                "invalid_list": "Credit can only be claimed under this course's accreditors.",
            },
        )
        self.fields["attest"] = forms.BooleanField(
            label=ATTESTATION_STATEMENT,
            error_messages={"required": "Confirm that you completed this course yourself."},
        )

    def clean_claim(self):
        claimed = self.cleaned_data["claim"]
        matching = {o.accreditor.pk for o in self.claim_options if o.matches_license}
        unmatched = sorted(a.short_name for a in claimed if a.pk not in matching)
        if unmatched:
            raise forms.ValidationError(claim_unmatched_message(unmatched))
        return claimed

    def clean_bias_noticed(self):
        return self.cleaned_data["bias_noticed"] == "yes"

    def rating_rows(self):
        """(legend, [bound fields]) groups for the template."""
        return [
            (legend, [self[name] for name in names])
            for legend, names in self.rating_groups
            if names
        ]

    def has_matching_license(self) -> bool:
        """Some accreditor's credit can be claimed: else the page says, before the
        form, that submitting gives a certificate of attendance."""
        return any(o.matches_license for o in self.claim_options)

    def claim_rows(self):
        """(checkbox subwidget, ClaimOption) pairs, in the options' order."""
        by_pk = {str(o.accreditor.pk): o for o in self.claim_options}
        return [(box, by_pk.get(str(box.data["value"]))) for box in self["claim"]]

    def evaluation_data(self) -> dict:
        data = self.cleaned_data
        return {
            "objective_ratings": {
                i.position: data[f"objective_{i.position}"]
                for i in self.items
                if i.kind == "objective"
            },
            "instructor_ratings": {
                i.position: data[f"instructor_{i.position}"]
                for i in self.items
                if i.kind == "instructor"
            },
            "relevance": data["relevance"],
            "content_quality": data["content_quality"],
            "hours_accurate": data["hours_accurate"],
            "bias_noticed": data["bias_noticed"],
            "bias_details": data["bias_details"],
            "comments": data["comments"],
        }


class QuestionImportForm(forms.Form):
    """Questions to import into a post-test: a file or pasted text, its format, and
    the objective of the questions that name none. Reads the upload's text
    (refusing an empty, oversized, binary or non-UTF-8 file) into `source_text`."""

    file_format = forms.ChoiceField(
        label="Format",
        choices=QuestionFormat.choices,
        initial=QuestionFormat.GIFT,
        widget=forms.RadioSelect,
    )
    upload = forms.FileField(
        label="File",
        required=False,
        help_text=f"A .txt (GIFT) or .csv file in UTF-8, at most {MAX_BYTES // 1024} KB.",
    )
    text = forms.CharField(
        label="Or paste the questions",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
    )
    default_objective = forms.ChoiceField(
        label="Learning objective of questions that name none",
        required=False,
    )
    base_revision = forms.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )

    def __init__(self, *args, objectives, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_objective"].choices = [
            ("", "— Each question names its objective —"),
            *[(str(o.key), f"{n}. {o.text}") for n, o in enumerate(objectives, start=1)],
        ]

    def clean(self):
        cleaned = super().clean()
        upload, text = cleaned.get("upload"), cleaned.get("text") or ""
        if upload is not None:
            try:
                cleaned["source_text"] = question_text_read(upload.read(MAX_BYTES + 1))
            except Refusal as exc:
                self.add_error("upload", exc.message)
        elif text.strip():
            try:
                cleaned["source_text"] = question_text_read(text.encode("utf-8"), noun="text")
            except Refusal as exc:
                self.add_error("text", exc.message)
        else:
            raise forms.ValidationError("Upload a file or paste the questions.")
        return cleaned
