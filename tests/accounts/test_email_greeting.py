"""The account emails (allauth's) greet the clinician by name, or with a plain
"Hello," when no name is known, never the host ("Hello from 127.0.0.1:8000!")
nor an empty name ("Hello ,"), and sign with the provider's name."""

import pytest
from django.test import Client

from cms.models import ProviderSettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def _no_odd_greeting(body: str) -> None:
    assert "Hello from" not in body and "Hello ," not in body and "Dear ," not in body
    assert "testserver" not in body.splitlines()[0]


def test_the_signup_confirmation_greets_the_new_clinician_by_name(mailbox, site_tree):
    response = Client().post(
        "/accounts/signup/",
        {
            "email": "greeting@example.org",
            "full_name": "Avery Quinn-Lindqvist",
            "password1": "rare-greeting-pass-8",
            "password2": "rare-greeting-pass-8",
        },
    )
    assert response.status_code == 302
    [message] = [m for m in mailbox() if "greeting@example.org" in m["To"]]
    body = _body(message)
    assert body.startswith("Dear Avery Quinn-Lindqvist,")
    _no_odd_greeting(body)
    assert ProviderSettings.load().name in body


@pytest.mark.parametrize("name", ["", "   "])
def test_a_password_reset_for_someone_without_a_name_says_hello(mailbox, site_tree, name):
    UserFactory(email="noname@example.org", full_name=name)
    response = Client().post("/accounts/password/reset/", {"email": "noname@example.org"})
    assert response.status_code == 302
    [message] = [m for m in mailbox() if "noname@example.org" in m["To"]]
    body = _body(message)
    assert body.startswith("Hello,\n")
    _no_odd_greeting(body)
