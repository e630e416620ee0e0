"""What held in the security review and must keep holding, on production
settings behind the proxy: no open redirect through `next`, a new session key
at sign-in, and the same answer for known and unknown addresses."""

from urllib.parse import quote

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.utils.http import url_has_allowed_host_and_scheme

from tests.factories import DEFAULT_PASSWORD, UserFactory, client_reauthenticated

pytestmark = pytest.mark.django_db

# Ways to write "somewhere else" that browsers follow.
FOREIGN_NEXT = [
    "https://evil.example/",
    "http://evil.example/dashboard/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "https://testserver@evil.example/",
    "http://testserver.evil.example/",
    " //evil.example/",
]


def _stays_on_site(response) -> bool:
    if response.status_code == 200:
        return True  # the page itself, no redirect
    location = response.get("Location", "")
    return (
        response.status_code == 302
        and not location.lower().startswith(("javascript:", "//", "/\\"))
        and url_has_allowed_host_and_scheme(location, {"testserver"}, require_https=True)
    )


@pytest.mark.parametrize("foreign", FOREIGN_NEXT)
def test_no_next_leads_off_the_site(proxied_client, foreign, site_tree):
    user = UserFactory()
    client = proxied_client("203.0.113.5")
    next_ = quote(foreign, safe="")
    attempts = {
        "login": client.post(
            f"/accounts/login/?next={next_}", {"login": user.email, "password": DEFAULT_PASSWORD}
        ),
    }
    client_reauthenticated(client)
    attempts["re-authentication"] = client.post(
        "/accounts/reauthenticate/", {"password": DEFAULT_PASSWORD, "next": foreign}
    )
    attempts["logout"] = client.post("/accounts/logout/", {"next": foreign})
    attempts["admin login"] = client.get(f"/admin/login/?next={next_}")
    for name, response in attempts.items():
        assert _stays_on_site(response), (name, response.status_code, response.get("Location"))


def test_signing_in_gives_a_new_session_key_and_drops_the_old_one(proxied_client):
    user = UserFactory()
    client = proxied_client("203.0.113.5")
    session = client.session
    session["planted"] = "by someone who knows this key"
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key

    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.session.session_key != planted_key
    assert not SessionStore().exists(planted_key)
    assert "_auth_user_id" in client.session


def _page_after(client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def test_signup_answers_alike_for_a_taken_and_a_new_address(proxied_client, site_tree):
    UserFactory(email="taken@example.org")
    answers = []
    for email in ("taken@example.org", "fresh@example.org"):
        client = proxied_client("203.0.113.5")
        response = client.post(
            "/accounts/signup/",
            {
                "email": email,
                "full_name": "Noor Haddad",
                "password1": "a-Long-pass-phrase-42",
                "password2": "a-Long-pass-phrase-42",
            },
        )
        answers.append((response.status_code, response["Location"], _page_after(client, response)))
    assert answers[0][:2] == answers[1][:2]
    assert answers[0][2].replace("taken@", "X@") == answers[1][2].replace("fresh@", "X@")


def test_password_reset_answers_alike_for_a_known_and_an_unknown_address(
    proxied_client, mailbox, site_tree
):
    UserFactory(email="known@example.org")
    answers = []
    for email in ("known@example.org", "unknown@example.org"):
        client = proxied_client("203.0.113.5")
        response = client.post("/accounts/password/reset/", {"email": email})
        answers.append((response.status_code, response["Location"], _page_after(client, response)))
    assert answers[0][:2] == answers[1][:2]
    assert answers[0][2].replace("known@", "X@") == answers[1][2].replace("unknown@", "X@")
    # Only the known address gets the link; the unknown one is told it has no account.
    sent = {m["To"]: m.get_body(("plain",)).get_content() for m in mailbox()}
    assert "/accounts/password/reset/key/" in sent["known@example.org"]
    assert "/accounts/password/reset/key/" not in sent.get("unknown@example.org", "")
