"""Which client a request came from, for the rate limits (allauth's login,
signup and password reset through accounts.adapter, and the certificate verify
page): one rule for all of them.

Behind the reverse proxies the deployment requires, REMOTE_ADDR is the nearest
proxy's address, the same for every client. Each proxy appends the address it
received the request from to X-Forwarded-For, so with N trusted proxies the
N-th entry from the right is the client as the outermost proxy saw it;
everything left of it was sent by the client and may be forged. N is
``ALLAUTH_TRUSTED_PROXY_COUNT`` (env ``TRUSTED_PROXY_COUNT``: 0 in base.py, 1 in
production.py); docs/operations.md describes the proxy set-up it expects.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.7:51234
        value = value.split(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.ALLAUTH_TRUSTED_PROXY_COUNT
    forwarded = [
        entry for entry in request.headers.get("X-Forwarded-For", "").split(",") if entry.strip()
    ]
    if hops > 0 and forwarded:
        # Fewer entries than proxies: the request passed fewer of them, and the
        # leftmost entry is still one that a trusted proxy wrote.
        found = _address(forwarded[-min(hops, len(forwarded))])
        if found:
            return found
    # No proxy configured, or a request that did not pass one (the health check
    # inside the container network): the peer itself.
    return _address(remote) or remote or "unknown"
