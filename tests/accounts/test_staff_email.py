"""A staff member's sign-in email changes only through allauth's verified flow:
the admin's account page has no email field, and /accounts/email/ asks for the
password again, confirms the new address by a link and tells the old one."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, client_reauthenticated, staff_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_account_page_has_no_email_field_and_changes_no_email(proxied_client):
    staff = staff_user(group="Instructors", email="rowan@example.org")
    client = proxied_client("203.0.113.20")
    client.force_login(staff)
    page = client.get("/admin/account/")
    assert page.status_code == 200, page
    html = page.content.decode()
    assert 'name="name_email-email"' not in html
    # Where it is changed instead.
    assert 'href="/accounts/email/"' in html and 'href="/accounts/2fa/"' in html
    client.post(
        "/admin/account/",
        {"name_email-first_name": "Rowan", "name_email-email": "attacker@example.net"},
    )
    staff.refresh_from_db()
    assert staff.email == "rowan@example.org"
    assert not EmailAddress.objects.filter(email="attacker@example.net").exists()


def test_an_email_change_asks_for_the_password_is_confirmed_by_link_and_tells_the_old_address(
    site_tree, mailbox
):
    # Without an authenticator app: allauth refuses to add an address while MFA is on
    # (the next test), so a staff member turns it off first or has it reset.
    staff = staff_user(group="Instructors", email="old@example.org", mfa=False)
    client = _client(staff)
    asked = client.post("/accounts/email/", {"email": "new@example.org", "action_add": ""})
    assert asked.status_code == 302
    assert asked["Location"].startswith("/accounts/reauthenticate/")
    assert not EmailAddress.objects.filter(email="new@example.org").exists()

    # The password again; the add then goes through, pending confirmation.
    client.post(asked["Location"], {"password": DEFAULT_PASSWORD})
    pending = EmailAddress.objects.get(email="new@example.org")
    assert pending.user == staff and not pending.verified
    staff.refresh_from_db()
    assert staff.email == "old@example.org"

    confirm = next(m for m in mailbox() if m["To"] == "new@example.org")
    body = confirm.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", body).group(1)
    client.post(link)
    staff.refresh_from_db()
    assert staff.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=staff).values_list("email", flat=True)) == [
        "new@example.org"
    ]
    notice = [m for m in mailbox() if m["To"] == "old@example.org"]
    assert len(notice) == 1, [m["Subject"] for m in mailbox()]
    text = notice[0].get_body(preferencelist=("plain",)).get_content()
    assert "new@example.org" in text


def test_while_mfa_is_on_no_email_address_can_be_added(site_tree):
    staff = staff_user(group="Instructors", email="kept@example.org")
    client = client_reauthenticated(_client(staff))
    page = client.post("/accounts/email/", {"email": "new@example.org", "action_add": ""})
    assert page.status_code == 200
    assert "protected by two-factor authentication" in page.content.decode()
    assert not EmailAddress.objects.filter(email="new@example.org").exists()
