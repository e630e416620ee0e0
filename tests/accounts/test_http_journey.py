"""Sign up → verification email (file backend) → confirm → log in, over real HTTP:
a live server on 127.0.0.1, cookies and CSRF tokens as a browser carries them."""

from __future__ import annotations

import html
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User

pytestmark = pytest.mark.django_db(transaction=True)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Page:
    status: int
    url: str
    text: str


class Browser:
    """A cookie-keeping HTTP client that follows redirects, like a browser without JS."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=30) as response:
                return Page(response.status, response.url, response.read().decode())
        except urllib.error.HTTPError as error:
            return Page(error.code, error.url, error.read().decode())

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base_url + path))  # noqa: S310

    def submit(self, path: str, fields: dict[str, str]) -> Page:
        """GET the form page for its CSRF token, then POST the form to the same URL."""
        form_page = self.get(path)
        token = CSRF_INPUT.search(form_page.text).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        return self._open(urllib.request.Request(self.base_url + path, data=data))  # noqa: S310


def _path(url: str) -> str:
    return urllib.parse.urlsplit(url).path


def test_signup_verify_by_email_and_log_in_over_real_http(live_server, mailbox, site_tree):
    browser = Browser(live_server.url)
    password = "a-Long-pass-phrase-42"
    page = browser.submit(
        "/accounts/signup/",
        {
            "email": "Http.Clinician@Example.org",
            "full_name": "Zoë Ñúñez-Łukasiewicz",
            "password1": password,
            "password2": password,
        },
    )
    assert (page.status, _path(page.url)) == (200, "/accounts/confirm-email/")
    assert "verification" in page.text.lower()
    user = User.objects.get(email__iexact="http.clinician@example.org")
    assert user.full_name == "Zoë Ñúñez-Łukasiewicz"
    assert not EmailAddress.objects.get(user=user).verified

    # Not verified yet: logging in only leads back to "check your email".
    anonymous = Browser(live_server.url)
    page = anonymous.submit(
        "/accounts/login/", {"login": "http.clinician@example.org", "password": password}
    )
    assert _path(page.url) == "/accounts/confirm-email/"
    assert _path(anonymous.get("/dashboard/").url) == "/accounts/login/"

    [message] = [m for m in mailbox() if "http.clinician@example.org" in m["To"].lower()]
    body = message.get_body(("plain",)).get_content()
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", body).group(1)
    page = anonymous.get(link)
    assert page.status == 200 and "http.clinician@example.org" in html.unescape(page.text)
    page = anonymous.submit(link, {})
    assert page.status == 200
    assert EmailAddress.objects.get(user=user).verified

    # A fresh browser logs in with the address in another case and reaches the dashboard.
    fresh = Browser(live_server.url)
    page = fresh.submit(
        "/accounts/login/", {"login": "HTTP.clinician@EXAMPLE.org", "password": password}
    )
    assert (page.status, _path(page.url)) == (200, "/dashboard/")
    assert "Log out" in page.text


def test_a_wrong_password_over_http_is_refused_with_a_message(live_server, site_tree):
    User.objects.create_user(
        email="someone@example.org", password="right-Pass-phrase-1", full_name="S"
    )
    browser = Browser(live_server.url)
    page = browser.submit(
        "/accounts/login/", {"login": "someone@example.org", "password": "wrong-pass"}
    )
    assert (page.status, _path(page.url)) == (200, "/accounts/login/")
    assert "not correct" in page.text
    assert _path(browser.get("/dashboard/").url) == "/accounts/login/"
