"""Sessions end after an idle timeout and an absolute lifetime, both shorter for
staff (accounts.sessions), on production settings behind the proxy; sensitive
staff actions ask for the password again (accounts.decorators)."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages

from accounts.sessions import SEEN_AT, SIGNED_IN_AT
from tests.factories import DEFAULT_PASSWORD, UserFactory, staff_user

pytestmark = pytest.mark.django_db

MINUTE = 60


def _age_session(client, *, idle: float, signed_in: float | None = None) -> None:
    """Move the session's clocks back: `idle` seconds since the last request,
    `signed_in` seconds since signing in (default: as long as idle)."""
    session = client.session
    now = time.time()
    session[SEEN_AT] = now - idle
    session[SIGNED_IN_AT] = now - (signed_in if signed_in is not None else idle)
    session.save()


def _signed_in_client(proxied_client, user):
    client = proxied_client("203.0.113.5")
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_production_sessions_have_limits_and_no_remember_me(production_settings, client):
    s = production_settings
    assert (s.SESSION_IDLE_TIMEOUT_MINUTES, s.SESSION_ABSOLUTE_TIMEOUT_MINUTES) == (30, 12 * 60)
    assert (s.STAFF_SESSION_IDLE_TIMEOUT_MINUTES, s.STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES) == (
        15,
        8 * 60,
    )
    # Not 14 days: the cookie and the stored session end with the longest lifetime.
    assert s.SESSION_COOKIE_AGE == 12 * 60 * MINUTE
    assert s.ACCOUNT_SESSION_REMEMBER is False
    assert 'name="remember"' not in client.get("/accounts/login/", secure=True).content.decode()


def test_a_clinician_idle_past_the_timeout_is_signed_out_with_a_message(proxied_client):
    user = UserFactory()
    client = _signed_in_client(proxied_client, user)
    _age_session(client, idle=29 * MINUTE)
    assert client.get("/dashboard/").status_code == 200

    _age_session(client, idle=31 * MINUTE)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/dashboard/")
    assert SESSION_KEY not in client.session
    assert _messages(response) == [
        "You were signed out after 30 minutes without activity. Sign in again to continue."
    ]


def test_activity_keeps_a_session_alive_until_its_absolute_lifetime(proxied_client):
    client = _signed_in_client(proxied_client, UserFactory())
    # Active a minute ago, signed in 11 h 58 min ago: still in.
    _age_session(client, idle=MINUTE, signed_in=12 * 60 * MINUTE - 2 * MINUTE)
    assert client.get("/profile/").status_code == 200
    _age_session(client, idle=MINUTE, signed_in=12 * 60 * MINUTE + 1)
    response = client.get("/profile/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert "a session lasts at most 12 hours" in _messages(response)[0]


def test_staff_sessions_idle_out_sooner(proxied_client):
    clinician_client = _signed_in_client(proxied_client, UserFactory())
    staff_client = _signed_in_client(proxied_client, staff_user(group="Instructors"))
    for client in (clinician_client, staff_client):
        _age_session(client, idle=16 * MINUTE)
    assert clinician_client.get("/dashboard/").status_code == 200
    response = staff_client.get("/dashboard/")
    assert response.status_code == 302
    assert SESSION_KEY not in staff_client.session
    assert "15 minutes without activity" in _messages(response)[0]


def test_signing_in_again_starts_the_clocks_afresh(proxied_client):
    user = UserFactory()
    client = proxied_client("203.0.113.5")
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    before = client.session[SIGNED_IN_AT]
    assert time.time() - before < MINUTE
    _age_session(client, idle=31 * MINUTE)
    assert client.get("/dashboard/").status_code == 302  # idled out
    client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})
    assert time.time() - client.session[SIGNED_IN_AT] < MINUTE
    assert client.get("/dashboard/").status_code == 200
