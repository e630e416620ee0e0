"""Bad input on the requirement form and in URLs: a clear message, nothing changed."""

import pytest

from cms.refusals import Refusal
from renewals.models import LicenseRequirement, OutsideCertificate, RenewalPacket
from renewals.services import requirement_save
from tests.factories import (
    LicenseFactory,
    UserFactory,
    license_tracked,
    outside_certificate,
    page_text,
    requirement_template,
)
from tests.renewals.conftest import DEADLINE, START, md_tracked

pytestmark = pytest.mark.django_db

OWN_NUMBERS = {
    "cycle_start": "2025-04-01",
    "deadline": "2027-03-31",
    "template": "",
    "total_hours": "40",
    "cycle_months": "24",
    "minimum_ethics": "3",
    "home_study_cap": "",
    "accepted_accreditors": "APA",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"deadline": "2025-03-01"}, "The renewal deadline must come after the cycle's start."),
        ({"deadline": "2025-04-01"}, "The renewal deadline must come after the cycle's start."),
        (
            {"total_hours": "-5"},
            "Total hours: enter 0.25 hours or more (hours cannot be negative).",
        ),
        ({"total_hours": "201"}, "Total hours: more than 200 hours is not plausible"),
        ({"minimum_ethics": "-1"}, "Ethics hours (minimum): enter 0 hours or more"),
        ({"minimum_ethics": "500"}, "Ethics hours (minimum): more than 200 hours is not plausible"),
        ({"minimum_ethics": "41"}, "Ethics hours cannot exceed the total hours."),
        ({"home_study_cap": "50"}, "The home-study limit cannot exceed the total hours."),
        ({"total_hours": ""}, "Enter the total hours, or choose your board above."),
        (
            {"accepted_accreditors": " "},
            "Name the approving bodies whose credit your board accepts",
        ),
        ({"cycle_start": "not a date"}, "Enter a valid date."),
        ({"template": "99999999999999999999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_requirement_is_refused_with_its_reason_and_nothing_is_saved(
    client, psychologist, change, message
):
    license = psychologist.licenses.get()
    client.force_login(psychologist)
    response = client.post(f"/renewals/licenses/{license.pk}/", OWN_NUMBERS | change)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not LicenseRequirement.objects.exists()


def test_the_same_form_with_good_numbers_saves(client, psychologist):
    license = psychologist.licenses.get()
    client.force_login(psychologist)
    response = client.post(f"/renewals/licenses/{license.pk}/", OWN_NUMBERS)
    assert response.status_code == 302
    requirement = LicenseRequirement.objects.get(license=license)
    assert (requirement.total_hours, requirement.minimums) == (40, {"ethics": "3.00"})


def test_a_category_the_tracker_does_not_know_is_refused(psychologist):
    with pytest.raises(Refusal, match="“astrology” is not a category the tracker knows"):
        requirement_save(
            license=psychologist.licenses.get(),
            cycle_start=START,
            deadline=DEADLINE,
            total_hours="40",
            minimums={"astrology": "3"},
            accepted_accreditors="APA",
        )
    assert not LicenseRequirement.objects.exists()


def test_a_template_for_another_profession_is_refused(psychologist):
    social_work = requirement_template(profession="social_worker", credential="LCSW")
    with pytest.raises(Refusal, match="is for social worker licenses, not a psychologist"):
        requirement_save(
            license=psychologist.licenses.get(),
            template=social_work,
            cycle_start=START,
            deadline=DEADLINE,
        )
    assert not LicenseRequirement.objects.exists()


def test_another_clinicians_license_upload_or_packet_in_any_url_answers_404_and_changes_nothing(
    client, psychologist, md_template
):
    theirs = license_tracked(
        license=LicenseFactory(user=UserFactory()),
        template=md_template,
        cycle_start=START,
        deadline=DEADLINE,
    )
    their_upload = outside_certificate(user=theirs.user)
    their_packet = RenewalPacket.objects.create(
        user=theirs.user, license=theirs, cycle_start=START, deadline=DEADLINE
    )
    before = list(LicenseRequirement.objects.values())
    client.force_login(psychologist)
    requests = [
        ("get", f"/renewals/licenses/{theirs.pk}/", {}),
        ("post", f"/renewals/licenses/{theirs.pk}/", OWN_NUMBERS),
        ("post", f"/renewals/licenses/{theirs.pk}/untrack/", {}),
        ("post", f"/renewals/licenses/{theirs.pk}/reminders/", {"enabled": "off"}),
        ("post", f"/renewals/licenses/{theirs.pk}/packet/", {}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, url
        assert "There is no such license on your profile." in page_text(response), url
    for method, url in (
        ("get", f"/renewals/uploads/{their_upload.pk}/"),
        ("post", f"/renewals/uploads/{their_upload.pk}/delete/"),
        ("get", f"/renewals/packets/{their_packet.pk}/status/"),
        ("get", f"/renewals/packets/{their_packet.pk}/pdf/"),
    ):
        assert getattr(client, method)(url).status_code == 404, url
    for huge in ("9" * 23, str(2**63)):
        for url in (
            f"/renewals/licenses/{huge}/",
            f"/renewals/uploads/{huge}/",
            f"/renewals/packets/{huge}/status/",
        ):
            assert client.get(url).status_code == 404, url
    assert list(LicenseRequirement.objects.values()) == before
    assert RenewalPacket.objects.count() == 1
    assert OutsideCertificate.objects.filter(pk=their_upload.pk).exists()


def test_a_license_page_for_a_removed_license_answers_404(client, psychologist):
    license = psychologist.licenses.get()
    client.force_login(psychologist)
    client.post(f"/profile/licenses/{license.pk}/remove/")
    assert client.get(f"/renewals/licenses/{license.pk}/").status_code == 404


def test_a_tracked_license_removed_from_the_profile_takes_its_requirement_with_it(
    client, psychologist, md_template
):
    license = md_tracked(psychologist, md_template)
    client.force_login(psychologist)
    assert client.post(f"/profile/licenses/{license.pk}/remove/").status_code == 302
    assert not LicenseRequirement.objects.exists()
    assert client.get("/dashboard/").status_code == 200
