"""The dashboard's card per license, as a clinician's browser receives it."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from renewals.models import LicenseRequirement
from tests.factories import (
    LicenseFactory,
    course_build_in,
    license_tracked,
    outside_certificate,
    page_text,
)

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    response = client.get("/dashboard/")
    assert response.status_code == 200
    return page_text(response)


def test_a_tracked_license_shows_its_bars_days_left_sentence_and_courses(
    client, psychologist, apa, md_template
):
    today = timezone.localdate()
    deadline = today + timedelta(days=45)
    license = license_tracked(
        license=psychologist.licenses.get(),
        template=md_template,
        cycle_start=deadline - timedelta(days=700),
        deadline=deadline,
    )
    outside_certificate(
        user=psychologist, hours="38", completed_on=today - timedelta(days=10), home_study=False
    )
    outside_certificate(
        user=psychologist,
        hours="1",
        category="ethics",
        completed_on=today - timedelta(days=9),
        home_study=False,
    )
    outside_certificate(
        user=psychologist,
        hours="3",
        category="cultural_diversity",
        completed_on=today - timedelta(days=8),
    )
    course = course_build_in(category="ethics", accreditors=[apa], title="Ethics in practice")
    client.force_login(psychologist)
    page = _page(client)

    assert '<h2 id="renewals-heading">License renewals</h2>' in page
    assert f"Psychologist license {license.license_number} ({license.region})" in page
    assert "Example — verify with the board" in page
    assert "45 days left" in page
    for label, counted, required in (
        ("total", "42", "40"),
        ("ethics", "1", "3"),
        ("cultural_diversity", "3", "3"),
    ):
        assert re.search(
            rf'<progress max="[\d.]+" value="[\d.]+" aria-labelledby="renewal-{license.pk}-{label}" '
            rf'aria-valuetext="{counted} of {required} hours">',
            page,
        ), label
    day = f"{deadline:%B} {deadline.day}, {deadline.year}"
    assert f"You need 2 more ethics hours by {day}." in page
    assert f'<a href="{course.url}">Ethics in practice</a> — 0.5 h ethics (APA)' in page
    assert f'href="/renewals/licenses/{license.pk}/"' in page


def test_an_untracked_license_offers_to_set_tracking_up(client, psychologist):
    license = psychologist.licenses.get()
    client.force_login(psychologist)
    page = _page(client)
    assert (
        f'<a class="button button-small" href="/renewals/licenses/{license.pk}/">Set up renewal tracking'
        in page
    )
    assert "<progress" not in page.split("License renewals", 1)[1]


def test_no_license_no_card(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert "License renewals" not in _page(client)


def test_an_expired_cycle_rolls_over_to_the_next(client, psychologist, md_template):
    today = timezone.localdate()
    license_tracked(
        license=psychologist.licenses.get(),
        template=md_template,
        cycle_start=today - timedelta(days=800),
        deadline=today - timedelta(days=30),
    )
    client.force_login(psychologist)
    page = _page(client)
    requirement = LicenseRequirement.objects.get()
    assert "(the previous cycle ended; this is the next one)" in page
    assert requirement.deadline < today  # what the clinician entered is kept
    assert "0 of 40 hours" in page


def test_setting_tracking_up_from_the_license_page_shows_the_card(
    client, psychologist, md_template
):
    license = psychologist.licenses.get()
    LicenseFactory(user=psychologist, region="TX", license_number="PSY 5")
    client.force_login(psychologist)
    page = client.get(f"/renewals/licenses/{license.pk}/").content.decode()
    assert str(md_template) in html.unescape(page)
    response = client.post(
        f"/renewals/licenses/{license.pk}/",
        {"template": md_template.pk, "cycle_start": "2025-04-01", "deadline": "2027-03-31"},
    )
    assert response.status_code == 302
    assert _page(client).count('data-requirement="total"') == 1
