"""Licenses at the moments a clinician decides (issue 16): asked for right after
signup (skippable), shown on the dashboard and the course page, expired ones
flagged and not counted, editable (one's own only, bad input refused and nothing
changed), and certificates keeping the licenses they printed."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts import selectors, services
from accounts.models import ClinicianLicense, Profession
from courses.services import enrollment_create
from quizzes.selectors import claim_options
from tests.factories import (
    AccreditorFactory,
    LicenseFactory,
    UserFactory,
    attempt_pass,
    certificate_issued,
    clinician,
    course_build,
    lessons_complete,
)

pytestmark = pytest.mark.django_db


def _expired(days: int = 1) -> date:
    return timezone.localdate() - timedelta(days=days)


def _license_row(license: ClinicianLicense) -> tuple:
    license.refresh_from_db()
    return (license.profession, license.license_number, license.region, license.expires_on)


# --- Asked for right after signup -----------------------------------------------------------


def test_confirming_the_signup_email_leads_to_the_license_question_which_can_be_skipped(
    client, mailbox, site_tree
):
    client.post(
        "/accounts/signup/",
        {
            "email": "welcome@example.org",
            "full_name": "Ada Welcome",
            "password1": "a-Long-pass-phrase-42",
            "password2": "a-Long-pass-phrase-42",
        },
    )
    [message] = [m for m in mailbox() if "welcome@example.org" in m["To"]][-1:]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", body).group(1)
    confirmed = client.post(link)
    assert confirmed["Location"] == "/profile/licenses/welcome/"

    page = client.get("/profile/licenses/welcome/").content.decode()
    assert "Which license do you hold?" in page
    assert "certificate of attendance" in page
    skip = re.search(r'<a href="([^"]+)" data-skip-licenses>Skip for now</a>', page)
    assert skip and skip.group(1) == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def _welcome_post(client, **fields):
    user = UserFactory()
    client.force_login(user)
    return user, client.post("/profile/licenses/welcome/", fields)


def test_the_welcome_form_adds_a_license_and_goes_on_to_the_dashboard(client):
    user, response = _welcome_post(
        client, profession="psychologist", license_number="PSY 777", region="MD"
    )
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert list(user.licenses.values_list("license_number", "region")) == [("PSY 777", "MD")]

    another = client.post(
        "/profile/licenses/welcome/",
        {
            "profession": "social_worker",
            "license_number": "LCSW 1",
            "region": "MD",
            "add_another": "1",
        },
    )
    assert another["Location"] == "/profile/licenses/welcome/"
    assert user.licenses.count() == 2


def test_the_welcome_form_refuses_bad_input_and_adds_nothing(client):
    user, response = _welcome_post(client, profession="astronaut", license_number="  ", region="MD")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice. astronaut is not one of the available choices." in html
    assert "This field is required." in html
    assert not user.licenses.exists()


# --- Editing --------------------------------------------------------------------------------


def test_a_clinician_corrects_their_license_and_it_counts_from_then_on(client):
    license = LicenseFactory(region="CA", expires_on=_expired(30))
    client.force_login(license.user)
    page = client.get(f"/profile/licenses/{license.pk}/edit/")
    assert page.status_code == 200 and license.license_number in page.content.decode()

    renewed = (timezone.localdate() + timedelta(days=700)).isoformat()
    response = client.post(
        f"/profile/licenses/{license.pk}/edit/",
        {
            "profession": "psychologist",
            "license_number": "PSY 42",
            "region": "MD",
            "expires_on": renewed,
        },
    )
    assert response.status_code == 302
    assert _license_row(license) == ("psychologist", "PSY 42", "MD", date.fromisoformat(renewed))
    assert selectors.license_professions(user_id=license.user_id) == {"psychologist"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"license_number": ""}, "This field is required."),
        ({"license_number": "   "}, "This field is required."),
        ({"profession": "wizard"}, "Select a valid choice."),
        ({"expires_on": "0203-01-01"}, "cannot be right: check the year"),
        ({"expires_on": "2190-01-01"}, "cannot be right: check the year"),
        ({"expires_on": "31/31/2027"}, "Enter a valid date."),
        ({"region": "C\u202eA"}, "Remove the invisible character U+202E"),
        ({"license_number": "DUP 1"}, "You already have another license with these details."),
    ],
)
def test_an_edit_with_bad_input_is_refused_clearly_and_changes_nothing(client, data, message):
    license = LicenseFactory(license_number="PSY 1", region="CA")
    LicenseFactory(user=license.user, license_number="DUP 1", region="CA")
    before = _license_row(license)
    client.force_login(license.user)
    fields = {"profession": "psychologist", "license_number": "PSY 1", "region": "CA"}
    fields.update(data)
    response = client.post(f"/profile/licenses/{license.pk}/edit/", fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _license_row(license) == before


def test_nobody_edits_or_removes_another_clinicians_license(client):
    license = LicenseFactory(license_number="PSY 1")
    before = _license_row(license)
    client.force_login(UserFactory())
    assert client.get(f"/profile/licenses/{license.pk}/edit/").status_code == 404
    edit = client.post(
        f"/profile/licenses/{license.pk}/edit/",
        {"profession": "psychologist", "license_number": "MINE", "region": "CA"},
    )
    assert edit.status_code == 404
    assert client.post(f"/profile/licenses/{license.pk}/remove/").status_code == 404
    assert _license_row(license) == before
    with pytest.raises(ClinicianLicense.DoesNotExist):
        services.license_update(
            user=UserFactory(),
            license_id=license.pk,
            profession="psychologist",
            license_number="X",
            region="CA",
        )


def test_an_issued_certificate_keeps_the_license_it_printed_after_an_edit_and_a_removal(site_tree):
    certificate = certificate_issued()
    [license] = certificate.user.licenses.all()
    printed = list(certificate.snapshot["licenses"])
    assert printed == [
        {"profession": "Psychologist", "number": license.license_number, "region": "CA"}
    ]
    services.license_update(
        user=certificate.user,
        license_id=license.pk,
        profession="psychologist",
        license_number="NEW 9",
        region="NY",
    )
    certificate.refresh_from_db()
    assert certificate.snapshot["licenses"] == printed
    services.license_delete(user=certificate.user, license_id=license.pk)
    certificate.refresh_from_db()
    assert certificate.snapshot["licenses"] == printed


# --- Expired licenses: flagged, not counted ---------------------------------------------------


def test_an_expired_license_is_accepted_with_a_warning_and_flagged_on_the_profile(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/profile/licenses/add/",
        {
            "profession": "psychologist",
            "license_number": "PSY 2020",
            "region": "MD",
            "expires_on": "2020-06-30",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "It expired on 30 June 2020" in html and "counts for no CE credit" in html
    assert "Expired: counts for no credit" in html
    assert selectors.license_professions(user_id=user.pk) == set()


def test_an_expired_license_does_not_qualify_for_a_credit_claim_or_print_on_a_certificate(
    site_tree,
):
    user = clinician(professions=())
    LicenseFactory(user=user, profession=Profession.PSYCHOLOGIST, expires_on=_expired())
    course = course_build()
    enrollment = enrollment_create(user=user, course=course)
    [option] = claim_options(enrollment=enrollment)
    assert not option.matches_license

    current = LicenseFactory(user=user, profession=Profession.PSYCHOLOGIST, expires_on=None)
    [option] = claim_options(enrollment=enrollment)
    assert option.matches_license
    certificate = certificate_issued(user=user, course=course_build(slug="second"))
    assert [lic["number"] for lic in certificate.snapshot["licenses"]] == [current.license_number]


def test_a_license_expiring_today_still_counts_today(site_tree):
    user = UserFactory()
    LicenseFactory(user=user, expires_on=timezone.localdate())
    assert selectors.license_professions(user_id=user.pk) == {"psychologist"}


# --- Shown where the clinician decides ------------------------------------------------------


def test_the_course_page_says_which_license_qualifies_for_which_credit(client, site_tree):
    aswb = AccreditorFactory(
        name="Association of Social Work Boards",
        short_name="ASWB ACE",
        professions=["social_worker"],
    )
    nbcc = AccreditorFactory(
        name="National Board for Certified Counselors", short_name="NBCC", professions=["counselor"]
    )
    course = course_build(accreditors=[AccreditorFactory(), aswb, nbcc])
    user = UserFactory()
    LicenseFactory(user=user, profession="psychologist", region="MD")
    LicenseFactory(user=user, profession="social_worker", region="VA", expires_on=date(2020, 1, 31))
    client.force_login(user)
    html = " ".join(client.get(course.url).content.decode().split())
    assert "Your psychologist license (MD) qualifies for APA credit." in html
    assert (
        "Your social worker license (VA) expired on 31 Jan 2020, so it does not count for ASWB ACE credit."
        in html
    )
    assert (
        "NBCC credit is for professional counselors; none of the licenses on your profile" in html
    )


def test_the_course_page_asks_a_clinician_without_licenses_to_add_one(client, site_tree):
    course = course_build()
    client.force_login(UserFactory())
    html = client.get(course.url).content.decode()
    assert "You have no license on your profile yet" in html
    assert "certificate of attendance" in html


def test_the_dashboard_lists_licenses_with_the_expired_ones_flagged(client, site_tree):
    user = UserFactory()
    LicenseFactory(user=user, license_number="PSY 1", region="MD")
    LicenseFactory(user=user, license_number="PSY 2", region="VA", expires_on=date(2020, 1, 31))
    other = LicenseFactory(license_number="NOT MINE 3")
    client.force_login(user)
    html = " ".join(client.get("/dashboard/").content.decode().split())
    assert "Psychologist PSY 1 (MD)" in html
    assert 'Psychologist PSY 2 (VA), <span class="badge badge-warn">expired 31 Jan 2020' in html
    assert other.license_number not in html

    client.force_login(UserFactory())
    html = client.get("/dashboard/").content.decode()
    assert "Add your license so your certificates carry CE credit" in html


def test_the_credit_claim_step_explains_the_attendance_certificate_before_the_form(
    client, site_tree
):
    user = clinician(professions=("counselor",))
    enrollment = enrollment_create(user=user, course=course_build())
    lessons_complete(enrollment=enrollment)
    attempt_pass(enrollment=enrollment)
    client.force_login(user)
    html = client.get(f"/learn/courses/{enrollment.course_id}/evaluation/").content.decode()
    notice = html.index("data-attendance-notice")
    assert notice < html.index('<form method="post" novalidate>')
    assert "none of your current licenses qualifies for this course's CE credit" in html
    assert html.index("certificate of attendance</strong>") < html.index('name="claim"')

    LicenseFactory(user=user, profession="psychologist")
    html = client.get(f"/learn/courses/{enrollment.course_id}/evaluation/").content.decode()
    assert "data-attendance-notice" not in html
