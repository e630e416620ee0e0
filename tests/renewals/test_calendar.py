"""The .ics feed: each tracked license's deadline and reminder days, at a private
address that needs no sign-in and that the clinician can replace."""

from datetime import date, timedelta

import icalendar
import pytest

from renewals.models import CalendarFeed
from tests.factories import LicenseFactory, UserFactory, license_tracked
from tests.renewals.conftest import DEADLINE, START, md_tracked

pytestmark = pytest.mark.django_db


def _feed_url(user) -> str:
    return f"/renewals/calendar/{CalendarFeed.objects.get(user=user).token}.ics"


def test_the_feed_lists_each_deadline_with_its_reminders_without_signing_in(
    client, psychologist, md_template
):
    license = md_tracked(psychologist, md_template)
    LicenseFactory(user=psychologist, region="TX", license_number="PSY 9")  # not tracked
    client.force_login(psychologist)
    assert client.post("/renewals/calendar/reset/").status_code == 302
    url = _feed_url(psychologist)
    assert url in client.get("/renewals/").content.decode()

    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.content)
    events = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
    assert [(e.decoded("dtstart"), str(e["summary"])) for e in events] == [
        (
            DEADLINE - timedelta(days=90),
            f"Renewal check: 90 days to the deadline of your Psychologist license {license.license_number} ({license.region})",
        ),
        (
            DEADLINE - timedelta(days=30),
            f"Renewal check: 30 days to the deadline of your Psychologist license {license.license_number} ({license.region})",
        ),
        (
            DEADLINE - timedelta(days=7),
            f"Renewal check: 7 days to the deadline of your Psychologist license {license.license_number} ({license.region})",
        ),
        (
            DEADLINE,
            f"Renewal deadline: Psychologist license {license.license_number} ({license.region})",
        ),
    ]
    deadline = events[-1]
    assert deadline.decoded("dtend") == DEADLINE + timedelta(days=1)
    assert [a.decoded("trigger") for a in deadline.walk("VALARM")] == [
        timedelta(days=-90),
        timedelta(days=-30),
        timedelta(days=-7),
    ]
    assert "You need 40 more hours by March 31, 2027" in str(deadline["description"])
    assert len({str(e["uid"]) for e in events}) == 4


def test_a_new_address_replaces_the_old_one_at_once(client, psychologist):
    client.force_login(psychologist)
    client.post("/renewals/calendar/reset/")
    old = _feed_url(psychologist)
    client.post("/renewals/calendar/reset/")
    new = _feed_url(psychologist)
    assert old != new
    assert len(new.rsplit("/", 1)[1].removesuffix(".ics")) >= 43  # 256 random bits
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_unknown_or_oversized_tokens_answer_404(client):
    assert client.get("/renewals/calendar/not-a-token.ics").status_code == 404
    assert client.get(f"/renewals/calendar/{'x' * 200}.ics").status_code == 404


def test_a_feed_shows_only_its_owners_licenses(client, psychologist, md_template):
    other = UserFactory()
    license_tracked(
        license=LicenseFactory(user=other, license_number="OTHER-1"),
        template=md_template,
        cycle_start=START,
        deadline=date(2027, 6, 30),
    )
    client.force_login(psychologist)
    client.post("/renewals/calendar/reset/")
    body = client.get(_feed_url(psychologist)).content.decode()
    assert "OTHER-1" not in body and "VEVENT" not in body
