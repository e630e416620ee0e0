"""Rate limits count per real client behind the reverse proxy, trusting exactly
the configured number of proxy hops (accounts.client_ip), on production settings."""

import pytest
from django.test import RequestFactory

from accounts.client_ip import client_ip
from certificates.models import Certificate
from tests.factories import DEFAULT_PASSWORD, UserFactory, certificate_issued

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("hops", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own words.
        (0, "198.51.100.9", "203.0.113.5", "198.51.100.9"),
        # One proxy: the entry it appended, whatever the client put before it.
        (1, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        (1, "10.0.0.2", "192.0.2.66, 203.0.113.5", "203.0.113.5"),
        # Two proxies: the entry the outer one appended.
        (2, "10.0.0.2", "192.0.2.66, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        # Fewer entries than proxies: the leftmost (a trusted proxy wrote it).
        (2, "10.0.0.2", "203.0.113.5", "203.0.113.5"),
        # Not through the proxy (the container's health check): the peer.
        (1, "172.18.0.4", "", "172.18.0.4"),
        # IPv6 and an address with a port are read as addresses.
        (1, "10.0.0.2", "[2001:db8::7]:443", "2001:db8::7"),
        (1, "10.0.0.2", "203.0.113.5:51234", "203.0.113.5"),
        # Garbage where the proxy's entry should be: the peer, not the garbage.
        (1, "10.0.0.2", "not-an-address", "10.0.0.2"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_appended(
    settings, hops, remote, forwarded, expected
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = hops
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_ip(request) == expected


def test_production_trusts_exactly_one_proxy(production_settings):
    assert production_settings.ALLAUTH_TRUSTED_PROXY_COUNT == 1


def _login(client, email, password):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_wrong_passwords_from_one_client_do_not_lock_out_another_behind_the_proxy(
    proxied_client,
):
    target = UserFactory(email="target@example.org")
    other = UserFactory(email="other@example.org")
    attacker = proxied_client("203.0.113.5")
    for attempt in range(5):
        response = _login(attacker, f"guess{attempt}@example.org", "wrong-password-123")
        assert response.status_code == 200
    # The sixth try from that client is refused, even with the right password
    # and a forged address in front of the one the proxy appended.
    forged = proxied_client("203.0.113.5", forwarded_for="192.0.2.77")
    refused = _login(forged, target.email, DEFAULT_PASSWORD)
    assert refused.status_code != 302
    assert "Too many failed login attempts" in refused.content.decode()
    # Another client behind the same proxy signs in.
    response = _login(proxied_client("198.51.100.7"), other.email, DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_verify_lookups_are_limited_per_client_behind_the_proxy(
    production_settings, proxied_client
):
    issued = certificate_issued()
    assert issued.status == Certificate.Status.VALID
    limit, _ = production_settings.CERTIFICATE_VERIFY_RATE_LIMIT
    busy = proxied_client("203.0.113.5")
    for _ in range(limit):
        assert busy.get(f"/verify/{issued.number}/").status_code == 200
    assert busy.get(f"/verify/{issued.number}/").status_code == 429
    assert proxied_client("198.51.100.7").get(f"/verify/{issued.number}/").status_code == 200
