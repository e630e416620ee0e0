"""Production: TLS behind a proxy, HSTS, secure cookies, SMTP from EMAIL_URL."""

from .base import *  # noqa: F403
from .base import env

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The deployment requires one TLS-terminating reverse proxy in front of web, which
# appends the client's address to X-Forwarded-For (docs/operations.md); rate
# limits count per client by that address (accounts.client_ip).
ALLAUTH_TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env("SECURE_SSL_REDIRECT")
SECURE_HSTS_SECONDS = env("SECURE_HSTS_SECONDS")
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# /healthz is probed over plain HTTP inside the container network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Wagtail's live preview shows the page in a same-origin iframe, so frames stay
# SAMEORIGIN (base.py); CSP's frame-ancestors 'self' says the same to browsers.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
