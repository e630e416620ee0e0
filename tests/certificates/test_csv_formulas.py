"""The four CSV exports keep every cell a spreadsheet would run as a formula as
text (cms.spreadsheet): certificates, roster, accreditor report, evaluations."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from cms.spreadsheet import FORMULA_START
from courses.services import enrollment_create
from tests.factories import (
    AccreditorFactory,
    attempt_pass,
    clinician,
    course_build,
    evaluation_submit_default,
    lessons_complete,
    requirements_complete,
    staff_user,
)

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
    apa = AccreditorFactory(approval_start=date(2020, 1, 1), approval_end=date(2099, 12, 31))
    course = course_build(title="+Stuck treatments", accreditors=[apa])
    sneaky = clinician(full_name=NAME)
    sneaky.licenses.update(license_number="@PSY 10001")
    enrollment = enrollment_create(user=sneaky, course=course)
    lessons_complete(enrollment=enrollment)
    attempt_pass(enrollment=enrollment)
    evaluation_submit_default(enrollment=enrollment, comments="-1+2 would be a sum")
    assert requirements_complete(enrollment=enrollment) is not None

    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Administrators"))
    today = timezone.localdate()
    period = {"start": (today - timedelta(days=30)).isoformat(), "end": today.isoformat()}
    exports = {
        "certificates": ("/admin/certificates/export/", {}),
        "roster": ("/admin/audit-reports/roster/csv/", {"course": course.pk, **period}),
        "accreditor": ("/admin/audit-reports/accreditor/csv/", {"accreditor": apa.pk, **period}),
        "evaluations": (f"/admin/evaluations/{course.pk}/csv/", {}),
    }
    for name, (url, params) in exports.items():
        cells = [cell for row in _rows(client.get(url, params)) for cell in row]
        assert not [c for c in cells if c.startswith(FORMULA_START)], name
        kept = [c for c in cells if c[:1] == "'" and c[1:].startswith(FORMULA_START)]
        assert kept, f"{name}: no formula-like text was exported"
