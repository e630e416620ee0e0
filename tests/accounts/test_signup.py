"""Signup, verification and login through allauth's real views."""

import re

import pytest
from allauth.account.models import EmailAddress

from accounts.models import ClinicianLicense, User

pytestmark = pytest.mark.django_db


def _signup(
    client,
    email="new.clinician@example.org",
    name="Zoë Ñúñez-Łukasiewicz",
    password="a-Long-pass-phrase-42",
):
    return client.post(
        "/accounts/signup/",
        {"email": email, "full_name": name, "password1": password, "password2": password},
    )


def test_signup_sends_a_verification_email_and_confirming_it_logs_in(client, mailbox, site_tree):
    response = _signup(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email="new.clinician@example.org")
    assert user.full_name == "Zoë Ñúñez-Łukasiewicz"
    assert not EmailAddress.objects.get(user=user).verified

    # Unverified accounts cannot log in yet.
    client.logout()
    login = client.post(
        "/accounts/login/",
        {"login": "new.clinician@example.org", "password": "a-Long-pass-phrase-42"},
    )
    assert login["Location"] == "/accounts/confirm-email/"

    [message] = [m for m in mailbox() if "new.clinician@example.org" in m["To"]][-1:]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/confirm-email/[^\s]+/)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    login = client.post(
        "/accounts/login/",
        {"login": "NEW.Clinician@Example.org", "password": "a-Long-pass-phrase-42"},
    )
    assert login.status_code == 302
    assert login["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_signup_with_a_taken_email_in_any_case_creates_nothing_and_tells_the_owner(
    client, mailbox, site_tree
):
    """allauth's enumeration protection: the form does not reveal that the address
    is registered; the address's owner is told by email instead. Nothing is saved."""
    User.objects.create_user(
        email="taken@example.org", password="x-Long-pass-42", full_name="First"
    )
    response = _signup(client, email="TAKEN@Example.ORG")
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert EmailAddress.objects.filter(email__iexact="taken@example.org").count() <= 1
    [message] = [m for m in mailbox() if "taken@example.org" in m["To"].lower()]
    body = message.get_body(("plain",)).get_content()
    assert "already" in body.lower() and "account" in body.lower()


def test_signup_without_a_certificate_name_is_refused(client, site_tree):
    response = _signup(client, name="")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not User.objects.filter(email="new.clinician@example.org").exists()


def test_after_five_failed_logins_even_the_right_password_is_refused(client, site_tree):
    User.objects.create_user(
        email="target@example.org", password="right-Pass-phrase-1", full_name="T"
    )
    for i in range(5):
        wrong = client.post(
            "/accounts/login/", {"login": "target@example.org", "password": f"wrong-{i}"}
        )
        assert wrong.status_code == 200
        assert "Too many failed login attempts" not in wrong.content.decode()
    # The limit is per address (any case), so the right password does not get through.
    blocked = client.post(
        "/accounts/login/", {"login": "TARGET@example.org", "password": "right-Pass-phrase-1"}
    )
    assert blocked.status_code == 200
    assert "Too many failed login attempts" in blocked.content.decode()
    assert "_auth_user_id" not in client.session


def _license_added(client, **fields):
    """A signed-in clinician sends the add-license form: (the clinician, the response)."""
    user = User.objects.create_user(email="c@example.org", password="p-Long-pass-1", full_name="C")
    client.force_login(user)
    return user, client.post("/profile/licenses/add/", fields)


def test_clinician_can_add_and_remove_licenses_on_the_profile(client, site_tree):
    user, response = _license_added(
        client,
        profession="psychologist",
        license_number="PSY 123",
        region="CA",
        expires_on="2027-06-30",
    )
    assert response.status_code == 302
    license = ClinicianLicense.objects.get(user=user)
    assert (license.profession, license.license_number, license.region) == (
        "psychologist",
        "PSY 123",
        "CA",
    )
    page = client.get("/profile/").content.decode()
    assert "PSY 123" in page
    assert client.post(f"/profile/licenses/{license.pk}/remove/").status_code == 302
    assert not ClinicianLicense.objects.filter(user=user).exists()


def test_malformed_license_form_shows_errors_and_saves_nothing(client, site_tree):
    _, response = _license_added(
        client, profession="astrologer", license_number="   ", region="", expires_on="not-a-date"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Enter a valid date" in html
    assert not ClinicianLicense.objects.exists()


def test_a_clinician_cannot_remove_someone_elses_license(client, site_tree):
    owner = User.objects.create_user(email="o@example.org", password="p-Long-pass-1", full_name="O")
    other = User.objects.create_user(email="x@example.org", password="p-Long-pass-1", full_name="X")
    license = ClinicianLicense.objects.create(
        user=owner, profession="counselor", license_number="LPC 9", region="TX"
    )
    client.force_login(other)
    assert client.post(f"/profile/licenses/{license.pk}/remove/").status_code == 404
    assert ClinicianLicense.objects.filter(pk=license.pk).exists()


def test_certificate_name_is_edited_on_the_profile(client, site_tree):
    user = User.objects.create_user(
        email="c@example.org", password="p-Long-pass-1", full_name="Old Name"
    )
    client.force_login(user)
    assert client.post("/profile/", {"full_name": "  Ana   María  López "}).status_code == 302
    user.refresh_from_db()
    assert user.full_name == "Ana María López"
    assert client.post("/profile/", {"full_name": "   "}).status_code == 400
    user.refresh_from_db()
    assert user.full_name == "Ana María López"


def test_clinicians_never_reach_the_wagtail_admin(client, site_tree):
    user = User.objects.create_user(email="c@example.org", password="p-Long-pass-1", full_name="C")
    client.force_login(user)
    response = client.get("/admin/")
    # Back to the site, not to a sign-in page that would send them to the admin again.
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_staff_groups_exist_with_admin_access():
    from django.contrib.auth.models import Group

    for name in ("Instructors", "Administrators"):
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin").exists()
