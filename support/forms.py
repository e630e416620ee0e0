from django import forms

from cms.forms import AccessibleForm

from .models import RequestKind


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class RequestForm(AccessibleForm):
    kind = forms.ChoiceField(
        label="What is this?",
        choices=[
            (RequestKind.ACCOMMODATION, "An accommodation: something you need to take a course"),
            (RequestKind.GRIEVANCE, "A grievance: something went wrong and you want it put right"),
        ],
        widget=forms.RadioSelect,
    )
    course = forms.TypedChoiceField(
        label="Course",
        required=False,
        coerce=str,
        help_text="Required for an accommodation.",
    )
    details = forms.CharField(
        label="What you need, or what happened",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
    outcome_sought = forms.CharField(
        label="For a grievance: the outcome you are seeking",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    attachments = MultipleFileField(
        label="Attachments (optional)",
        required=False,
        help_text="PDF, PNG or JPEG: a letter, a screenshot. Only you and the CE administrator see them.",
    )

    def __init__(self, *args, courses=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; the service refuses one that is not a live course.
        self.fields["course"].choices = [("", "No particular course"), *courses]
        self.fields["course"].valid_value = lambda value: True
