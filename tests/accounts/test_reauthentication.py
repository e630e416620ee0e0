"""Sensitive staff actions ask for the password again unless it was given in the
last ACCOUNT_REAUTHENTICATION_TIMEOUT seconds (accounts.decorators, accounts.middleware),
on production settings behind the proxy."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.auth.models import Group

from certificates.models import Certificate
from tests.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    certificate_issued,
    client_reauthenticated,
    staff_user,
)

pytestmark = pytest.mark.django_db

REAUTHENTICATE = "/accounts/reauthenticate/"


@pytest.fixture
def admin_client(proxied_client, administrator):
    """Signed in through the proxy; the password not given again yet."""
    client = proxied_client("203.0.113.5")
    client.force_login(administrator)
    return client


def _asks_for_password(response, url) -> bool:
    """A redirect to the password page, which then leads back to `url`."""
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == REAUTHENTICATE and parse_qs(location.query)["next"] == [url]


def test_a_revoke_asks_for_the_password_then_goes_ahead_with_what_was_posted(admin_client):
    certificate = certificate_issued()
    url = f"/admin/certificates/{certificate.pk}/revoke/"
    response = admin_client.post(url, {"reason": "Attestation found untrue."})
    assert _asks_for_password(response, url)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    wrong = admin_client.post(REAUTHENTICATE, {"password": "not-my-password-1", "next": url})
    assert wrong.status_code == 200
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID

    done = admin_client.post(REAUTHENTICATE, {"password": DEFAULT_PASSWORD, "next": url})
    assert done.status_code == 302
    assert done["Location"] == f"/admin/certificates/inspect/{certificate.pk}/"
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert certificate.events.get(action="revoked").reason == "Attestation found untrue."


def _certificate_action_urls(certificate):
    return [
        f"/admin/certificates/{certificate.pk}/{action}/"
        for action in ("revoke", "reissue", "restore", "release")
    ] + ["/admin/certificates/issue/", "/admin/certificates/bulk/reissue/"]


def test_every_certificate_action_asks_for_the_password_first(admin_client):
    certificate = certificate_issued()
    for url in _certificate_action_urls(certificate):
        assert _asks_for_password(admin_client.get(url), url), url
    client_reauthenticated(admin_client)
    for url in _certificate_action_urls(certificate):
        assert admin_client.get(url).status_code == 200, url


def test_a_re_authentication_counts_for_a_limited_time(admin_client, production_settings):
    certificate = certificate_issued()
    url = f"/admin/certificates/{certificate.pk}/revoke/"
    client_reauthenticated(admin_client)
    assert admin_client.get(url).status_code == 200
    session = admin_client.session
    records = session[AUTHENTICATION_METHODS_SESSION_KEY]
    records[-1]["at"] = time.time() - production_settings.ACCOUNT_REAUTHENTICATION_TIMEOUT - 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session.save()
    assert _asks_for_password(admin_client.get(url), url)


def test_instructors_are_refused_without_being_asked_for_a_password(proxied_client):
    certificate = certificate_issued()
    client = proxied_client("203.0.113.5")
    client.force_login(staff_user(group="Instructors"))
    for url in _certificate_action_urls(certificate):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_user_and_group_edits_in_the_admin_ask_for_the_password_first(proxied_client):
    person = UserFactory()
    group = Group.objects.get(name="Instructors")
    administrator = proxied_client("203.0.113.5")
    administrator.force_login(staff_user(group="Administrators"))
    superuser = proxied_client("203.0.113.6")
    superuser.force_login(staff_user(group="Administrators", is_superuser=True))
    # Administrators may change people; adding and deleting people, and groups
    # (which carry the permissions), are the superuser's.
    urls = {
        administrator: [
            f"/admin/users/edit/{person.pk}/",
            f"/admin/bulk/accounts/user/set_active_state/?id={person.pk}",
        ],
        superuser: [
            "/admin/users/new/",
            f"/admin/users/delete/{person.pk}/",
            "/admin/groups/new/",
            f"/admin/groups/edit/{group.pk}/",
            f"/admin/groups/delete/{group.pk}/",
            f"/admin/bulk/accounts/user/delete/?id={person.pk}",
        ],
    }
    for client, paths in urls.items():
        for url in paths:
            assert _asks_for_password(client.get(url), url), url
    # The POST of a deactivation waits too, and nothing changes meanwhile.
    url = f"/admin/users/edit/{person.pk}/"
    assert _asks_for_password(administrator.post(url, {"is_active": ""}), url)
    person.refresh_from_db()
    assert person.is_active
    # The listings only read.
    for url in ("/admin/users/", "/admin/groups/"):
        assert superuser.get(url).status_code == 200, url
    for client, paths in urls.items():
        client_reauthenticated(client)
        for url in paths:
            assert client.get(url).status_code == 200, url


def test_a_post_to_an_address_with_a_query_goes_ahead_after_the_password(admin_client):
    """The accreditor report's "mark reported" posts to an address that carries the
    report's filters: after the password, that POST is made as it was sent, with
    its filters, instead of coming back as a GET (which that address refuses)."""
    from django.utils import timezone

    from reports.models import AccreditorUpload

    certificate = certificate_issued()
    today = timezone.localdate()
    path = "/admin/audit-reports/accreditor/confirm/"
    query = (
        f"accreditor={certificate.accreditor_id}&start={today.replace(month=1, day=1)}&end={today}"
    )
    posted = {"reference": "Batch 7", "issued_before": timezone.now().isoformat()}
    response = admin_client.post(f"{path}?{query}", posted)
    location = urlsplit(response["Location"])
    assert response.status_code == 302 and location.path == REAUTHENTICATE
    assert not AccreditorUpload.objects.exists()

    # The password page, as the browser is sent to it.
    (after,) = parse_qs(location.query)["next"]
    done = admin_client.post(REAUTHENTICATE, {"password": DEFAULT_PASSWORD, "next": after})
    assert done.status_code == 302
    assert done["Location"] == f"/admin/audit-reports/accreditor/?{query}"
    upload = AccreditorUpload.objects.get()
    assert upload.reference == "Batch 7"
    assert list(upload.items.values_list("certificate_id", flat=True)) == [certificate.pk]
