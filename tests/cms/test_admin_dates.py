"""One date format in the admin (cms.admin_dates): a date field's text, its picker
and its help text all follow WAGTAIL_DATE_FORMAT; no admin form uses the browser's
own date input, whose display follows the visitor's locale (MM/DD/YYYY in the US)."""

import re

import pytest
from django.test import override_settings

from cms.admin_dates import admin_date_hint
from reports.forms import RosterForm

pytestmark = pytest.mark.django_db


def _date_inputs(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="(?:start|end|completed_on|expires_on)"[^>]*>', html)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/audit-reports/roster/",
        "/admin/audit-reports/accreditor/",
        "/admin/certificates/issue/",
        "/admin/support/overrides/new/",
    ],
)
def test_admin_date_fields_use_wagtails_picker_in_the_one_format(admin_client, url):
    html = admin_client.get(url).content.decode()

    inputs = _date_inputs(html)
    assert inputs, "the page has date fields"
    assert not any('type="date"' in field for field in inputs), inputs
    assert all('type="text"' in field for field in inputs), inputs
    assert "wagtailadmin/js/date-time-chooser.js" in html  # the picker's script
    assert '"format": "Y-m-d"' in html  # the picker writes what the text shows


def test_the_help_text_says_the_format_the_field_shows_and_accepts(admin_client):
    html = admin_client.get("/admin/audit-reports/roster/").content.decode()
    assert "First day of the period (YYYY-MM-DD)." in html
    start = re.search(r'<input[^>]*name="start"[^>]*>', html).group(0)
    assert re.search(r'value="\d{4}-\d\d-\d\d"', start), start


@override_settings(WAGTAIL_DATE_FORMAT="%d/%m/%Y")
def test_another_format_changes_the_hint_and_what_is_accepted_together():
    assert admin_date_hint() == "DD/MM/YYYY"
    form = RosterForm({"course": "", "start": "01/02/2026", "end": "28/02/2026"})
    form.is_valid()
    assert "start" not in form.errors and "end" not in form.errors, form.errors
    assert form.cleaned_data["start"].isoformat() == "2026-02-01"
