"""`make run`'s demo staff accounts can try the admin in one step: they have the
authenticator app and recovery codes whose secret and codes the run banner
prints (accounts.demo); the demo clinician has none."""

import re

import pytest
from allauth.mfa.models import Authenticator

from accounts.demo import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET
from accounts.seed import demo_users_ensure
from tests.factories import totp_code

pytestmark = pytest.mark.django_db

PASSWORD = "practicum-demo"


def _sign_in(client, email: str, code: str):
    step = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert step["Location"] == "/accounts/2fa/authenticate/"
    return client.post("/accounts/2fa/authenticate/", {"code": code})


@pytest.mark.parametrize("email", ["instructor@example.com", "admin@example.com"])
def test_demo_staff_sign_in_with_the_printed_secret_or_a_printed_recovery_code(
    client, site_tree, email
):
    demo_users_ensure(password=PASSWORD)
    done = _sign_in(client, email, totp_code(DEMO_TOTP_SECRET, who=email))
    assert done["Location"] == "/dashboard/"
    assert client.get("/admin/").status_code == 200

    client.post("/accounts/logout/")
    assert _sign_in(client, email, DEMO_RECOVERY_CODES[0])["Location"] == "/dashboard/"
    client.post("/accounts/logout/")
    refused = _sign_in(client, email, DEMO_RECOVERY_CODES[0])
    assert refused.status_code == 200, "a recovery code works once"


def test_seeding_again_restores_the_demo_codes_and_the_clinician_has_no_mfa(site_tree):
    users = demo_users_ensure(password=PASSWORD)
    admin = users["admin@example.com"]
    codes = Authenticator.objects.get(user=admin, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.wrap().validate_code(DEMO_RECOVERY_CODES[3])
    codes.refresh_from_db()
    assert DEMO_RECOVERY_CODES[3] not in codes.wrap().get_unused_codes()

    demo_users_ensure(password=PASSWORD)
    codes = Authenticator.objects.get(user=admin, type=Authenticator.Type.RECOVERY_CODES)
    assert codes.wrap().get_unused_codes() == list(DEMO_RECOVERY_CODES)
    assert Authenticator.objects.filter(user=admin, type=Authenticator.Type.TOTP).count() == 1
    assert not Authenticator.objects.filter(user=users["clinician@example.com"]).exists()


def test_the_readme_gives_the_demo_key_and_recovery_codes_the_seed_uses():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("### Demo logins", 1)[1].split("\n## ", 1)[0]
    assert f"`{DEMO_TOTP_SECRET}`" in section
    codes = re.findall(r"`(\d{8})`", section)
    assert codes and set(codes) <= set(DEMO_RECOVERY_CODES), codes
