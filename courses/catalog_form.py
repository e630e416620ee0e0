"""The catalog's search and filter form (GET: every filter stays in the URL).

A value that is not one of a filter's choices filters nothing, as if it were not
there: a hand-edited or outdated link still shows a catalog, never an error.
"""

from decimal import Decimal, InvalidOperation

from django import forms

from accounts.models import Profession
from cms.ids import IdModelChoiceField

from .models import Accreditor, CreditCategory, DeliveryFormat, Level
from .selectors import CatalogFilters

#: The largest-credit choices the hours filter offers (any other number also filters).
CATALOG_HOUR_CHOICES = ["1", "2", "3", "6"]


def _any(label: str, choices) -> list[tuple[str, str]]:
    return [("", label), *choices]


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label="Search courses and lessons", required=False)
    category = forms.ChoiceField(
        label="Credit category",
        required=False,
        choices=_any("Any category", CreditCategory.choices),
    )
    accreditor = IdModelChoiceField(
        label="Accreditor",
        required=False,
        queryset=Accreditor.objects.none(),
        empty_label="Any accreditor",
    )
    profession = forms.ChoiceField(
        label="Your profession", required=False, choices=_any("All professions", Profession.choices)
    )
    level = forms.ChoiceField(
        label="Level", required=False, choices=_any("Any level", Level.choices)
    )
    format = forms.ChoiceField(
        label="Format", required=False, choices=_any("Any format", DeliveryFormat.choices)
    )
    hours = forms.CharField(label="Credit hours", required=False)
    topic = forms.ChoiceField(label="Topic", required=False)

    def __init__(self, data, *, accreditors: list[Accreditor], topics: list):
        super().__init__(data, auto_id="%s")
        field = self.fields["accreditor"]
        field.queryset = Accreditor.objects.filter(pk__in=[a.pk for a in accreditors])
        # The choices shown come from the list already read (no query while rendering).
        field.choices = [("", field.empty_label), *((a.pk, a.short_name) for a in accreditors)]
        self.fields["topic"].choices = _any("All topics", ((t.slug, t.name) for t in topics))
        self.fields["hours"].widget = forms.Select(
            choices=_any("Any length", ((h, f"Up to {h} h") for h in CATALOG_HOUR_CHOICES))
        )

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:200]

    def clean_hours(self) -> Decimal | None:
        text = self.cleaned_data["hours"]
        try:
            hours = Decimal(text[:8]) if text else None
        except InvalidOperation:
            return None
        return hours if hours is not None and hours.is_finite() else None

    def filters(self) -> CatalogFilters:
        """The valid filters; any other value is left out."""
        self.is_valid()
        data = self.cleaned_data
        accreditor = data.get("accreditor")
        return CatalogFilters(
            q=data.get("q", ""),
            profession=data.get("profession", ""),
            topic=data.get("topic", ""),
            category=data.get("category", ""),
            accreditor_id=accreditor.pk if accreditor else None,
            level=data.get("level", ""),
            delivery_format=data.get("format", ""),
            max_hours=data.get("hours"),
        )
