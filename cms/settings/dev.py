"""Local development: DEBUG on, console email, a fixed dev-only secret."""

import os

os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-never-in-production")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

from .base import *  # noqa: F403
from .base import BASE_DIR, CREDENTIAL_SIGNING_KEY_DIR, EMAIL_BACKEND, STORAGES

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
SECURE_SSL_REDIRECT = False
# Serve static files from the app folders as they change; nothing to collect.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
    # The same console output, with attachments named instead of printed.
    EMAIL_BACKEND = "cms.mail.ConsoleEmailBackend"

# Demo content carries the seeded placeholder provider numbers; issue anyway
# (production holds such certificates: base.py).
CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS = False

# Open Badge signing key: made on first use in var/ (not committed).
CREDENTIAL_SIGNING_KEY_DIR = CREDENTIAL_SIGNING_KEY_DIR or str(BASE_DIR / "var" / "credential-keys")
CREDENTIAL_SIGNING_KEY_AUTOGENERATE = True
