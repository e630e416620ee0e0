"""The four CSV exports keep every cell a spreadsheet would run as a formula as
text (cms.spreadsheet): certificates, roster, accreditor report, evaluations."""

import csv
import io

import pytest

from cms.spreadsheet import FORMULA_START
from tests.certificates.test_export_round_trip import exports
from tests.factories import completion_in_every_export, staff_user

pytestmark = pytest.mark.django_db

NAME = '=HYPERLINK("http://evil.example","Dana")'


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8")
    return list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))


def test_every_csv_export_keeps_formula_like_cells_as_text(proxied_client):
    apa, course = completion_in_every_export(
        title="+Stuck treatments",
        full_name=NAME,
        license_number="@PSY 10001",
        comments="-1+2 would be a sum",
    )
    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Administrators"))
    for name, (url, _, params) in exports({"apa": apa, "course": course}).items():
        cells = [cell for row in _rows(client.get(url, params)) for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_START)], name
        kept = [c for c in cells if c[:1] == "'" and c[1:].startswith(FORMULA_START)]
        assert kept, f"{name}: no formula-like text was exported"
