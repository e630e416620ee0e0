"""Reminder emails at 90, 30 and 7 days while a requirement is unmet: once per
license, cycle and threshold, also when two runs overlap (real threads on
PostgreSQL); and the signed one-click link that stops them."""

import html
import threading
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection

from renewals.models import LicenseRequirement, ReminderSent
from renewals.services import reminders_send, unsubscribe_token
from tests.factories import (
    LicenseFactory,
    clinician,
    license_tracked,
    outside_certificate,
    requirement_template,
)
from tests.renewals.conftest import DEADLINE, START


def _tracked(user=None, **requirement):
    user = user or clinician()
    return license_tracked(
        license=user.licenses.get(),
        cycle_start=START,
        deadline=DEADLINE,
        **(requirement or {"template": requirement_template()}),
    )


@pytest.mark.django_db
def test_each_threshold_sends_one_reminder_and_no_more():
    license = _tracked()
    days_left = (120, 91, 90, 90, 89, 45, 31, 30, 30, 20, 8, 7, 7, 3, 0, -1)
    sent = [(days, reminders_send(on=DEADLINE - timedelta(days=days))) for days in days_left]
    assert [(days, n) for days, n in sent if n] == [(90, 1), (30, 1), (7, 1)]
    assert sorted(ReminderSent.objects.values_list("threshold", flat=True)) == [7, 30, 90]
    assert len(mail.outbox) == 3
    assert all(m.to == [license.user.email] for m in mail.outbox)


@pytest.mark.django_db
def test_a_reminder_says_what_is_missing_and_carries_the_one_click_link():
    license = _tracked()
    reminders_send(on=DEADLINE - timedelta(days=30))
    (message,) = mail.outbox
    assert message.subject == (
        f"Renewal of your psychologist license {license.license_number}: 30 days left, "
        "40 hours to go"
    )
    body = message.body
    assert (
        "You need 40 more hours by March 31, 2027, including 3 ethics hours and 3 cultural diversity hours."
        in body
    )
    token = unsubscribe_token(license=license)
    link = f"http://testserver/renewals/unsubscribe/{token}/"
    assert link in body
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in html.unescape(message.alternatives[0][0])


@pytest.mark.django_db
def test_no_reminder_when_the_requirement_is_met_or_reminders_are_off():
    met = _tracked(total_hours="3", accepted_accreditors="APA", minimums={}, home_study_cap=None)
    outside_certificate(user=met.user, hours="3", completed_on=date(2026, 1, 1))
    off = _tracked()
    LicenseRequirement.objects.filter(license=off).update(reminders_enabled=False)
    assert reminders_send(on=DEADLINE - timedelta(days=30)) == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_after_the_deadline_the_next_cycle_gets_its_own_reminders():
    license = _tracked()
    assert reminders_send(on=DEADLINE - timedelta(days=7)) == 1
    next_deadline = date(2029, 3, 31)
    assert reminders_send(on=next_deadline - timedelta(days=90)) == 1
    assert list(
        ReminderSent.objects.filter(license=license)
        .order_by("deadline")
        .values_list("deadline", "threshold")
    ) == [(DEADLINE, 7), (next_deadline, 90)]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_exactly_once(settings):
    settings.EMAIL_BACKEND = "tests.renewals.slow_mail.SlowLocmemBackend"
    template = requirement_template()
    users = [clinician(full_name=f"Clinician {i}") for i in range(3)]
    for user in users:
        _tracked(user, template=template)
    LicenseFactory(user=users[0], region="CA", license_number="PSY 2")  # not tracked
    mail.outbox = []
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(reminders_send(on=DEADLINE - timedelta(days=30)))
        except Exception as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2
    assert sum(results) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert ReminderSent.objects.count() == 3


@pytest.mark.django_db
def test_the_unsubscribe_link_stops_reminders_for_that_license_without_signing_in(client):
    license = _tracked()
    other = _tracked()
    token = unsubscribe_token(license=license)
    response = client.get(f"/renewals/unsubscribe/{token}/")
    assert response.status_code == 200
    assert "You will get no more renewal reminders" in html.unescape(response.content.decode())
    assert LicenseRequirement.objects.get(license=license).reminders_enabled is False
    assert LicenseRequirement.objects.get(license=other).reminders_enabled is True
    assert reminders_send(on=DEADLINE - timedelta(days=30)) == 1  # the other license only
    assert mail.outbox[0].to == [other.user.email]

    # Turned back on from the same page.
    assert client.post(f"/renewals/resubscribe/{token}/").status_code == 200
    assert LicenseRequirement.objects.get(license=license).reminders_enabled is True


@pytest.mark.django_db
def test_a_mail_clients_one_click_post_also_stops_them(client):
    license = _tracked()
    token = unsubscribe_token(license=license)
    response = client.post(f"/renewals/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert LicenseRequirement.objects.get(license=license).reminders_enabled is False


@pytest.mark.django_db
def test_a_tampered_or_foreign_link_changes_nothing(client):
    license = _tracked()
    token = unsubscribe_token(license=license)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    response = client.get(f"/renewals/unsubscribe/{tampered}/")
    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    # A link signed for another user's license (as a forged id would need) is refused too.
    forged = unsubscribe_token(license=type(license)(pk=license.pk, user_id=license.user_id + 1))
    assert client.get(f"/renewals/unsubscribe/{forged}/").status_code == 400
    assert LicenseRequirement.objects.get(license=license).reminders_enabled is True
