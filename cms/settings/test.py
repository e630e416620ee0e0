"""Tests: real PostgreSQL and Redis (from the environment scripts/test.py sets),
fast hashing, emails to files the tests read."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practicum")

from .base import *  # noqa: F403
from .base import BASE_DIR, CREDENTIAL_SIGNING_KEY_DIR, DATABASES, STORAGES

# A test run on SQLite can start from a database already migrated (tests/sqlite.py):
# pytest --reuse-db with TEST_DATABASE_NAME, the file, keeps and uses it as it is.
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or tempfile.mkdtemp(prefix="practicum-mail-")
# A worker started with TEST_SMTP_PORT sends through real SMTP to that local port
# instead: the reliability tests point it at a closed port to take the mail server down.
if os.environ.get("TEST_SMTP_PORT"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST, EMAIL_PORT, EMAIL_TIMEOUT = "127.0.0.1", int(os.environ["TEST_SMTP_PORT"]), 2
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = os.environ.get("MEDIA_ROOT") or tempfile.mkdtemp(prefix="practicum-media-")
PRIVATE_MEDIA_ROOT = os.environ.get("PRIVATE_MEDIA_ROOT") or tempfile.mkdtemp(
    prefix="practicum-private-"
)
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT
# The browser journeys' server process gets its real address through SITE_URL.
SITE_URL = os.environ.get("SITE_URL", "http://testserver").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Rate limits are tested explicitly where they matter.
ACCOUNT_RATE_LIMITS = {"login_failed": "5/m/ip,5/5m/key"}
# Static files straight from the finders (no collectstatic before a test run), and
# no warning about a STATIC_ROOT that was never collected.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Tests and the worker they start share one queue of their own, so a `make run`
# worker on the same Redis never takes a test's task.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "practicum-test")
# pytest-xdist: each test process has its own database (pytest-django adds the
# suffix) and so needs its own queue, or one process's worker would take the
# other's tasks. The worker processes get the suffixed name from the fixtures.
if os.environ.get("PYTEST_XDIST_WORKER"):
    CELERY_TASK_DEFAULT_QUEUE += "-" + os.environ["PYTEST_XDIST_WORKER"]
# Test only: seconds a render task waits before rendering, so a reliability test
# can kill a worker mid-render (tests/reliability). Never set outside tests.
CERTIFICATE_RENDER_TEST_DELAY = float(os.environ.get("CERTIFICATE_RENDER_TEST_DELAY", "0"))
# The same before an email is sent, and after each item of a bulk job.
CERTIFICATE_EMAIL_TEST_DELAY = float(os.environ.get("CERTIFICATE_EMAIL_TEST_DELAY", "0"))
BULK_JOB_TEST_DELAY = float(os.environ.get("BULK_JOB_TEST_DELAY", "0"))

# Demo content carries the seeded placeholder provider numbers; issue anyway
# (production holds such certificates: base.py).
CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS = False

# Open Badge signing key: made on first use in var/ (not committed), shared by the
# test processes (keys.py locks the directory while it makes the key).
CREDENTIAL_SIGNING_KEY_DIR = CREDENTIAL_SIGNING_KEY_DIR or str(
    BASE_DIR / "var" / "credential-keys-test"
)
CREDENTIAL_SIGNING_KEY_AUTOGENERATE = True
# One cache per process (locmem above), and the browser journeys' server and the
# worker are other processes: sessions straight from the database, and no cached
# routes, footer or pages (tests that test those turn them on: SITE_CACHE_SECONDS).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SITE_CACHE_SECONDS = 0
# Only here: a pause after each audit-packet part, so a test can kill the worker mid-build.
AUDIT_PACKET_TEST_DELAY = float(os.environ.get("AUDIT_PACKET_TEST_DELAY", "0"))
