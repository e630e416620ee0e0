"""The pages that grow with the records (a clinician's dashboard, a course's
roster and its CSV export, the public verification page) run the same number
of queries whatever the number of clinicians, enrollments, attempts and
certificates: measured before and after the data generator of the benchmarks
(benchmarks/harness/data.py) adds rows in bulk. benchmarks/scale.py does the
same at 10,000 clinicians and 500,000 attempts."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.harness.data import scale_data_add
from tests.factories import certificate_issued, staff_user

pytestmark = pytest.mark.django_db

ROSTER = "/admin/audit-reports/roster/"
ROSTER_CSV = "/admin/audit-reports/roster/csv/"


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        assert response.status_code == 200
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured.captured_queries)


def _counts(*, clinician, admin, certificate) -> dict[str, int]:
    today = timezone.localdate().isoformat()
    period = {"course": certificate.course_id, "start": "2020-01-01", "end": today}
    counts = {}
    for name, client, url, params in [
        ("dashboard", clinician, "/dashboard/", None),
        ("roster", admin, ROSTER, period),
        ("roster export", admin, ROSTER_CSV, period),
        ("verify", Client(), f"/verify/{certificate.number}/", None),
    ]:
        _count(client, url, params)  # per-process caches warmed
        counts[name] = _count(client, url, params)
    return counts


def test_query_counts_do_not_grow_with_the_records():
    certificate = certificate_issued()
    clinician = Client()
    clinician.force_login(certificate.user)
    admin = Client()
    admin.force_login(staff_user(group="Administrators"))
    small = _counts(clinician=clinician, admin=admin, certificate=certificate)

    added = scale_data_add(
        template=certificate,
        courses=[certificate.course],
        clinicians=40,
        enrollments=40,
        attempts=120,
        certificates=30,
    )
    assert len(added["certificates"]) == 30
    large = _counts(clinician=clinician, admin=admin, certificate=certificate)
    assert large == small

    # And for one of the generated clinicians and certificates.
    other = Client()
    other.force_login(type(certificate.user).objects.get(pk=added["clinicians"][0]))
    assert _count(other, "/dashboard/") <= small["dashboard"]
    number = added["certificates"][-1]
    verify = Client()
    verify.get(f"/verify/{number}/")
    assert _count(verify, f"/verify/{number}/") == small["verify"]
