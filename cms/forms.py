"""Forms every app's pages share (the cms site layer: any app may import it)."""

from django import forms


class AccessibleForm(forms.Form):
    """Ties each field's error and help text to its input (aria-describedby,
    aria-invalid), for templates/components/field.html."""

    def full_clean(self):
        super().full_clean()
        self._describe()

    def add_error(self, field, error):
        """Also for an error added after validation (a service's refusal of a field)."""
        super().add_error(field, error)
        self._describe()

    def _describe(self):
        for name, field in self.fields.items():
            bound = self[name]
            described = []
            if self.errors.get(name):
                field.widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}-error")
            if field.help_text:
                described.append(f"{bound.auto_id}-help")
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-help"


class ReasonField(forms.CharField):
    """The reason a person gives for an action that is kept on record (the audit log,
    a certificate's history, an override): a short text area of at most `max_length`
    characters, stripped like every CharField. Labelled "Reason" unless told."""

    def __init__(self, *, max_length: int, label: str = "Reason", **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(label=label, max_length=max_length, **kwargs)
