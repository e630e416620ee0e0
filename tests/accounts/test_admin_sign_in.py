"""One sign-in for everyone, on production settings behind the proxy: the Wagtail
admin's login and logout are allauth's, so the MFA step, email verification and
the login throttle hold for staff on every path, a clinician who tries the admin
ends on the site, and only a POST signs out."""

from urllib.parse import quote

import pytest

from tests.factories import DEFAULT_PASSWORD, UserFactory, staff_user, totp_code

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "/admin/",
    "/admin/users/",
    "/admin/pages/",
    "/admin/certificates/",
    "/admin/two-factor/",
    "/admin/account/",
]


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _login_url(next_url: str) -> str:
    return f"/accounts/login/?next={quote(next_url, safe='/')}"


def _admin_login_post(client, email: str, password: str = DEFAULT_PASSWORD):
    """What Wagtail's own login form used to accept."""
    return client.post("/admin/login/", {"username": email, "password": password})


def _allauth_login_post(client, email: str, password: str = DEFAULT_PASSWORD, next_url=""):
    url = "/accounts/login/" + (f"?next={quote(next_url, safe='')}" if next_url else "")
    return client.post(url, {"login": email, "password": password})


def _assert_no_admin(client) -> None:
    for url in ADMIN_URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == _login_url(url), url


def test_staff_with_totp_reach_no_admin_url_with_a_password_alone_on_any_login_path(
    proxied_client, site_tree
):
    staff = staff_user(group="Administrators")
    client = proxied_client("203.0.113.10")

    # Wagtail's login form is gone: a POST there authenticates nobody.
    response = _admin_login_post(client, staff.email)
    assert response.status_code == 302
    assert response["Location"] == _login_url("/admin/")
    assert not _signed_in(client)
    _assert_no_admin(client)

    # allauth's form: the password leads to the second step, not into the admin.
    response = _allauth_login_post(client, staff.email, next_url="/admin/users/")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert not _signed_in(client)
    _assert_no_admin(client)

    # With the code, in, where they were going.
    done = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert done["Location"] == "/admin/users/"
    assert client.get("/admin/users/").status_code == 200


def test_an_unverified_account_cannot_reach_the_admin(proxied_client, site_tree, mailbox):
    staff = staff_user(group="Administrators", verified=False, mfa=False)
    client = proxied_client("203.0.113.11")

    assert _admin_login_post(client, staff.email)["Location"] == _login_url("/admin/")
    assert not _signed_in(client)
    response = _allauth_login_post(client, staff.email, next_url="/admin/")
    assert response["Location"] == "/accounts/confirm-email/"
    assert not _signed_in(client)
    _assert_no_admin(client)
    assert [m["To"] for m in mailbox()] == [staff.email]  # the confirmation link


def test_the_login_throttle_holds_on_every_path(proxied_client, site_tree):
    staff = staff_user(group="Administrators")
    client = proxied_client("203.0.113.12")

    # Twelve wrong passwords through the admin's old form: none is even checked.
    for _ in range(12):
        response = _admin_login_post(client, staff.email, "wrong-password-123")
        assert response["Location"] == _login_url("/admin/")
    # allauth counts failures per account: after five, the right password is refused too.
    for _ in range(5):
        assert _allauth_login_post(client, staff.email, "wrong-password-123").status_code == 200
    refused = _allauth_login_post(client, staff.email)
    assert refused.status_code in (200, 429)
    assert "Too many failed login attempts" in refused.content.decode()
    assert not _signed_in(client)
    # ... and no other path lets the right password through.
    _admin_login_post(client, staff.email)
    assert not _signed_in(client)
    _assert_no_admin(client)


def test_a_clinician_signing_in_through_the_admin_login_ends_on_the_site(proxied_client, site_tree):
    clinician = UserFactory()
    client = proxied_client("203.0.113.13")
    response = client.get("/admin/login/")
    assert response["Location"] == _login_url("/admin/")
    page = client.post(
        response["Location"],
        {"login": clinician.email, "password": DEFAULT_PASSWORD},
        follow=True,
    )
    assert [url for url, _ in page.redirect_chain] == ["/admin/", "/dashboard/"]
    assert page.status_code == 200
    assert "You do not have permission to access the admin" in page.content.decode()


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/admin/pages/3/edit/", "/admin/pages/3/edit/"),
        ("https://evil.example/admin/", "/admin/"),
        ("//evil.example/admin/", "/admin/"),
        ("http://testserver/admin/", "/admin/"),  # plain http behind a TLS proxy
        ("javascript:alert(1)", "/admin/"),
    ],
)
def test_the_admin_login_keeps_next_only_when_it_stays_on_the_site(proxied_client, asked, kept):
    client = proxied_client("203.0.113.14")
    response = client.get(f"/admin/login/?next={quote(asked, safe='')}")
    assert response["Location"] == _login_url(kept)


def test_admin_logout_signs_out_of_the_site_and_a_get_changes_nothing(proxied_client, site_tree):
    staff = staff_user(group="Instructors")
    client = proxied_client("203.0.113.15")
    client.force_login(staff)

    response = client.get("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/logout/"  # allauth's confirmation page
    assert "sessionid" not in response.cookies, "a GET must not touch the session cookie"
    assert _signed_in(client)
    assert client.get("/admin/").status_code == 200

    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert not _signed_in(client)
    assert client.get("/dashboard/")["Location"].startswith("/accounts/login/")
    assert client.get("/admin/")["Location"] == _login_url("/admin/")


def test_the_admins_own_password_reset_is_off(proxied_client, site_tree):
    client = proxied_client("203.0.113.16")
    assert client.get("/admin/password_reset/").status_code == 404
