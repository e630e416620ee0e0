"""Two-factor authentication (TOTP with recovery codes) is offered to every user,
clinicians included, and once on, a password alone no longer logs in."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from tests.factories import DEFAULT_PASSWORD, UserFactory, totp_code

pytestmark = pytest.mark.django_db


def _log_in(client, user):
    return client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})


def test_a_clinician_turns_on_totp_and_then_needs_a_code_or_a_recovery_code(client, site_tree):
    user = UserFactory()
    assert _log_in(client, user)["Location"] == "/dashboard/"

    index = client.get("/accounts/2fa/")
    assert index.status_code == 200
    assert "/accounts/2fa/totp/activate/" in index.content.decode()

    # Turning it on asks for the password again first.
    ask = client.get("/accounts/2fa/totp/activate/")
    assert ask.status_code == 302 and ask["Location"].startswith("/accounts/reauthenticate/")
    assert client.get(ask["Location"]).status_code == 200
    again = client.post(ask["Location"], {"password": DEFAULT_PASSWORD})
    assert again["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert secret in page.content.decode()  # typed by hand when the QR code cannot be scanned
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200 and not Authenticator.objects.filter(user=user).exists()
    # (The setup page does not spend the code: the sign-in below may use the same one.)
    activated = client.post(
        "/accounts/2fa/totp/activate/", {"code": totp_code(secret, who="setup")}
    )
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    codes_page = client.get("/accounts/2fa/recovery-codes/")
    assert codes_page.status_code == 200
    codes = codes_page.context["unused_codes"]
    assert len(codes) >= 10 and codes[0] in codes_page.content.decode()

    # A password alone now stops at the second step.
    client.post("/accounts/logout/")
    step = _log_in(client, user)
    assert step["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/dashboard/").status_code == 302
    refused = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    assert refused.status_code == 200 and "Incorrect code" in refused.content.decode()
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret, who=user.email)})
    assert done["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200

    # A recovery code works once.
    client.post("/accounts/logout/")
    _log_in(client, user)
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]})["Location"] == (
        "/dashboard/"
    )
    client.post("/accounts/logout/")
    _log_in(client, user)
    again = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert again.status_code == 200 and "Incorrect code" in again.content.decode()


def test_two_factor_settings_are_linked_from_every_users_account_menu(client, site_tree):
    client.force_login(UserFactory())
    html = client.get("/profile/").content.decode()
    assert 'href="/accounts/2fa/"' in html
