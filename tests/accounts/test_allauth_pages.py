"""Every allauth page a person meets wears the site's layout (navigation, skip link,
landmarks, footer) rather than allauth's bare default."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANONYMOUS = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
SIGNED_IN = [
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/reauthenticate/",
]


def _assert_site_layout(html: str, url: str) -> None:
    for marker in (
        'class="skip-link" href="#main"',
        '<nav aria-label="Main"',
        '<main id="main"',
        '<footer class="site-footer"',
        "css/site.css",
        "page-account",
    ):
        assert marker in html, f"{url}: missing {marker}"


@pytest.mark.parametrize("url", ANONYMOUS)
def test_anonymous_account_pages_use_the_site_layout(client, site_tree, url):
    response = client.get(url)
    assert response.status_code == 200
    _assert_site_layout(response.content.decode(), url)


@pytest.mark.parametrize("url", SIGNED_IN)
def test_signed_in_account_pages_use_the_site_layout(client, site_tree, url):
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 200
    _assert_site_layout(response.content.decode(), url)


def test_form_errors_are_tied_to_their_fields(client, site_tree):
    html = client.post("/accounts/login/", {"login": "not-an-email", "password": ""}).content
    html = html.decode()
    assert 'aria-invalid="true"' in html
    for field in ("login", "password"):
        described = re.search(rf'<input[^>]*aria-describedby="([^"]*)"[^>]*id="id_{field}"', html)
        error_id = f"id_{field}_error"
        assert described and error_id in described.group(1).split(), field
        assert f'id="{error_id}"' in html, field
