"""Every export, CSV and XLSX, read back field by field: the same columns and
values in both, a license number keeps its leading zeros, a name with a comma
and quotes comes back whole, and formula-like text stays text (the CSV's
apostrophe; the XLSX's string cell). Each download is recorded in the audit log
with its report, format, filters and row count."""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from tests.factories import completion_in_every_export

pytestmark = pytest.mark.django_db

NAME = 'Okafor, Sam "Sammy"'
LICENSE = "0071234"
FORMULA = '=HYPERLINK("http://evil.example","open me")'


@pytest.fixture
def world(db):
    apa, course = completion_in_every_export(
        title="Stuck treatments", full_name=NAME, license_number=LICENSE, comments=FORMULA
    )
    return {"apa": apa, "course": course}


def exports(world) -> dict[str, tuple[str, str, dict]]:
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    course, apa = world["course"], world["apa"]
    return {
        "certificates": ("/admin/certificates/export/", "/admin/certificates/export/xlsx/", {}),
        "roster": (
            "/admin/audit-reports/roster/csv/",
            "/admin/audit-reports/roster/xlsx/",
            {"course": course.pk, **period},
        ),
        "accreditor": (
            "/admin/audit-reports/accreditor/csv/",
            "/admin/audit-reports/accreditor/xlsx/",
            {"accreditor": apa.pk, **period},
        ),
        "evaluations": (
            f"/admin/evaluations/{course.pk}/csv/",
            f"/admin/evaluations/{course.pk}/xlsx/",
            {},
        ),
    }


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def as_csv_text(cell) -> str:
    """What the CSV says for an XLSX cell."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime) and cell.number_format == "yyyy-mm-dd":
        return value.date().isoformat()  # openpyxl reads a date cell as a datetime
    if isinstance(value, datetime):
        return value.isoformat()  # compared in local time below
    if isinstance(value, date):
        return value.isoformat()
    if cell.data_type == "s" and cell.quotePrefix and value.startswith(("=", "+", "-", "@")):
        return "'" + value
    return str(value)


def same_value(csv_text: str, cell) -> bool:
    xlsx_text = as_csv_text(cell)
    if csv_text == xlsx_text:
        return True
    if isinstance(cell.value, int | float):
        return Decimal(csv_text) == Decimal(str(cell.value))
    if isinstance(cell.value, datetime):
        csv_time = datetime.fromisoformat(csv_text)
        local = timezone.localtime(csv_time).replace(tzinfo=None, microsecond=0)
        return local == cell.value  # XLSX: the site's local time, to the second
    return False


@pytest.mark.parametrize("name", ["certificates", "roster", "accreditor", "evaluations"])
def test_csv_and_xlsx_exports_hold_the_same_fields(admin_client, administrator, world, name):
    csv_url, xlsx_url, params = exports(world)[name]
    rows = read_csv(admin_client.get(csv_url, params))
    sheet = read_xlsx(admin_client.get(xlsx_url, params))
    cells = [list(row) for row in sheet.iter_rows()]
    assert len(cells) == len(rows) >= 2, name
    for line, (csv_row, xlsx_row) in enumerate(zip(rows, cells, strict=True)):
        assert len(xlsx_row) == len(csv_row), (name, line)
        for column, (text, cell) in enumerate(zip(csv_row, xlsx_row, strict=True)):
            assert same_value(text, cell), (name, rows[0][column], text, cell.value)

    csv_cells = [cell for row in rows for cell in row]
    xlsx_cells = [cell for row in cells for cell in row]
    # No cell a spreadsheet would run, in either format.
    assert not [c for c in csv_cells if c.startswith(("=", "+", "@"))]
    assert not [c for c in xlsx_cells if c.data_type == "f"]
    if name != "evaluations":  # anonymous: no names, no licenses
        # The accreditor report gives first and last name apart (reports.names).
        names = ['Sam "Sammy"', "Okafor"] if name == "accreditor" else [NAME]
        assert all(n in csv_cells for n in names)
        assert all(n in [c.value for c in xlsx_cells] for n in names)
        assert any(LICENSE in c for c in csv_cells)
        assert any(isinstance(c.value, str) and LICENSE in c.value for c in xlsx_cells)
    else:
        assert "'" + FORMULA in csv_cells
        kept = [c for c in xlsx_cells if c.value == FORMULA]
        assert kept and all(c.data_type == "s" and c.quotePrefix for c in kept)

    recorded = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    assert [(e.data["report"], e.data["format"], e.data["rows"]) for e in recorded] == [
        (name, "csv", len(rows) - 1),
        (name, "xlsx", len(rows) - 1),
    ]
    assert all(e.actor_id == administrator.pk and e.data["complete"] for e in recorded)
    assert recorded[0].data["filters"] == {k: str(v) for k, v in params.items()}


def test_a_license_number_with_leading_zeros_is_a_text_cell_in_xlsx(admin_client, world):
    sheet = read_xlsx(
        admin_client.get(exports(world)["accreditor"][1], exports(world)["accreditor"][2])
    )
    header = [cell.value for cell in next(sheet.iter_rows())]
    column = header.index("License number")
    cell = list(sheet.iter_rows())[1][column]
    assert (cell.value, cell.data_type) == (LICENSE, "s")
