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
