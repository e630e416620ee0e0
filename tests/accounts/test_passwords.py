"""Passwords have at least 12 characters (ASVS L2) and are not common ones, on
production settings: at signup, and wherever allauth sets a password."""

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def _signup(client, password, email="new.clinician@example.org"):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "full_name": "Noor Haddad",
            "password1": password,
            "password2": password,
        },
    )


def test_signup_says_the_rule_and_refuses_eleven_characters(proxied_client):
    client = proxied_client("203.0.113.5")
    assert "at least 12 characters" in client.get("/accounts/signup/").content.decode()
    response = _signup(client, "Kx7#mQ2!vLp")  # 11 characters, not common
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in (
        response.content.decode()
    )
    assert not User.objects.filter(email="new.clinician@example.org").exists()


def test_signup_refuses_a_common_password_of_twelve_characters(proxied_client):
    response = _signup(proxied_client("203.0.113.5"), "qwertyuiop12")
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.exists()


def test_signup_accepts_twelve_characters(proxied_client, site_tree):
    response = _signup(proxied_client("203.0.113.5"), "Kx7#mQ2!vLp9")
    assert response.status_code == 302
    assert User.objects.filter(email="new.clinician@example.org").exists()
