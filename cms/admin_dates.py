"""One date format across the admin: the text of a date field, its picker, its help
text and the listings all read WAGTAIL_DATE_FORMAT (cms/settings/base.py, ISO
YYYY-MM-DD). A browser's own date input (`type="date"`) would show the visitor's
locale (MM/DD/YYYY in the United States) beside help text that says otherwise, so
admin forms use Wagtail's date picker instead. The site's own pages keep the
browser's input, whose format the browser explains itself."""

from django import forms
from django.conf import settings
from wagtail.admin.datetimepicker import to_datetimepicker_format
from wagtail.admin.widgets import AdminDateInput

_HINTS = {"%Y": "YYYY", "%m": "MM", "%d": "DD"}


def admin_date_hint() -> str:
    """How a date is typed in the admin ("YYYY-MM-DD"), from the one format."""
    hint = settings.WAGTAIL_DATE_FORMAT
    for code, text in _HINTS.items():
        hint = hint.replace(code, text)
    return hint


class _OneFormatDateInput(AdminDateInput):
    """Wagtail's picker, showing and writing the format as the setting says now."""

    @property
    def format(self):
        return settings.WAGTAIL_DATE_FORMAT

    @format.setter
    def format(self, value):
        pass  # always the setting's

    @property
    def js_format(self):
        return to_datetimepicker_format(settings.WAGTAIL_DATE_FORMAT)

    @js_format.setter
    def js_format(self, value):
        pass


class _OneFormatDateField(forms.DateField):
    """Accepts what its picker writes (and ISO dates, as links and exports carry)."""

    widget = _OneFormatDateInput

    @property
    def input_formats(self):
        return [settings.WAGTAIL_DATE_FORMAT, "%Y-%m-%d"]

    @input_formats.setter
    def input_formats(self, value):
        pass


def admin_date_field(**kwargs) -> forms.DateField:
    """A date field of an admin form: Wagtail's picker, in the one format."""
    return _OneFormatDateField(**kwargs)
