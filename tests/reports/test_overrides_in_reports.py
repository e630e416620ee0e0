"""Per-learner overrides in the records an auditor reads (issue 15): the roster
page and its CSV say what was granted, by whom, why and what it applied to;
the audit packet carries the same in the roster and in overrides/overrides.csv."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from courses.overrides import override_grant
from courses.services import enrollment_create
from reports import services
from reports.models import AuditPacket
from reports.selectors import Period
from tests.factories import (
    clinician,
    course_build,
    lessons_complete,
    requirements_complete,
    staff_user,
)
from tests.quizzes.test_overrides import fail
from tests.reports.test_packet import read_zip

pytestmark = pytest.mark.django_db


@pytest.fixture
def granted():
    """Dana failed all three attempts, was granted a fourth and passed with it."""
    admin = staff_user(group="Administrators", email="avery@example.org")
    course = course_build(title="Ruptures")
    dana = clinician(full_name="Dana Whitfield", email="dana@example.org")
    enrollment = enrollment_create(user=dana, course=course)
    lessons_complete(enrollment=enrollment)
    for _ in range(3):
        fail(enrollment)
    override_grant(
        actor=admin,
        user=dana,
        course=course,
        extra_attempts=1,
        reason="Power cut during attempt 3.",
        expires_on=timezone.localdate() + timedelta(days=7),
    )
    assert requirements_complete(enrollment=enrollment) is not None
    today = timezone.localdate()
    return admin, course, Period(start=today.replace(month=1, day=1), end=today)


def test_the_roster_shows_the_override_and_the_attempt_it_applied_to(client, granted):
    admin, course, period = granted
    client.force_login(admin)
    params = {"course": course.pk, "start": period.start, "end": period.end}
    page = " ".join(client.get("/admin/audit-reports/roster/", params).content.decode().split())
    today = f"{timezone.localdate():%Y-%m-%d}"
    expected = (
        f"1 extra attempt — granted {today} by avery@example.org, until "
        f"{timezone.localdate() + timedelta(days=7):%Y-%m-%d}; applied to attempts 4 (extra); "
        "reason: Power cut during attempt 3."
    )
    assert expected in page
    response = client.get("/admin/audit-reports/roster/csv/", params)
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Overrides"] == expected


def test_the_audit_packet_lists_the_override(granted):
    admin, course, period = granted
    packet = AuditPacket.objects.create(
        course=course, start=period.start, end=period.end, requested_by=admin
    )
    files = read_zip(services.packet_build(packet_id=packet.pk))
    rows = list(csv.DictReader(io.StringIO(files["overrides/overrides.csv"].decode("utf-8-sig"))))
    assert [
        (
            r["Participant (name on certificates)"],
            r["Granted"],
            r["Reason"],
            r["Applied to attempts"],
        )
        for r in rows
    ] == [("Dana Whitfield", "1 extra attempt", "Power cut during attempt 3.", "4 (extra)")]
    roster = list(csv.DictReader(io.StringIO(files["roster/roster.csv"].decode("utf-8-sig"))))
    assert "Power cut during attempt 3." in roster[0]["Overrides"]
