"""Settings safe for production on their own: DEBUG off, secrets and hosts only
from the environment. dev.py relaxes, test.py speeds up, production.py hardens."""

from pathlib import Path

import environ

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

# Every environment variable the project reads is declared here, once.
env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, []),
    CSRF_TRUSTED_ORIGINS=(list, []),
    SITE_URL=(str, "http://127.0.0.1:8000"),
    CELERY_BROKER_URL=(str, "redis://127.0.0.1:6379/0"),
    CELERY_TASK_ALWAYS_EAGER=(bool, False),
    CACHE_URL=(str, "locmemcache://"),
    EMAIL_URL=(str, "consolemail://"),
    DEFAULT_FROM_EMAIL=(str, "Practicum <no-reply@practicum.example>"),
    MEDIA_ROOT=(str, str(BASE_DIR / "media")),
    PRIVATE_MEDIA_ROOT=(str, str(BASE_DIR / "private_media")),
    STATIC_ROOT=(str, str(BASE_DIR / "static_collected")),
    RECORD_RETENTION_YEARS=(int, 7),
    # Directory of the Ed25519 keys that sign certificates' Open Badges (outside
    # the code and the database; docs/operations.md). Required in production.
    CREDENTIAL_SIGNING_KEY_DIR=(str, ""),
    SECURE_SSL_REDIRECT=(bool, True),
    SECURE_HSTS_SECONDS=(int, 31536000),
    # Reverse proxies in front of the site that append to X-Forwarded-For
    # (production.py: 1). 0 trusts no header: the client is REMOTE_ADDR.
    TRUSTED_PROXY_COUNT=(int, 0),
    SESSION_IDLE_TIMEOUT_MINUTES=(int, 30),
    SESSION_ABSOLUTE_TIMEOUT_MINUTES=(int, 12 * 60),
    STAFF_SESSION_IDLE_TIMEOUT_MINUTES=(int, 15),
    STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES=(int, 8 * 60),
    # The largest certificate a clinician may upload for the renewal tracker.
    RENEWAL_UPLOAD_MAX_MB=(int, 10),
    # Learner support (docs/support.md): the largest attachment, and after how many
    # days a request not yet resolved or declined is flagged overdue in the inbox.
    SUPPORT_ATTACHMENT_MAX_MB=(int, 10),
    SUPPORT_OVERDUE_DAYS=(int, 5),
    # How long routes, the footer and anonymous visitors' pages are kept in the
    # cache at most (cms.site_cache; any content change ends them sooner). 0: off.
    SITE_CACHE_SECONDS=(int, 300),
)

SECRET_KEY = env("SECRET_KEY")
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env("CSRF_TRUSTED_ORIGINS")
# Absolute base for links that leave the site (emails, QR codes, badges).
SITE_URL = env("SITE_URL").rstrip("/")

INSTALLED_APPS = [
    "cms",
    "accounts",
    "audit",
    "courses",
    "quizzes",
    "certificates",
    "renewals",
    "reports",
    "support",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # The audit log's append-only trigger (audit.models).
    "pgtrigger",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Anonymous visitors' pages from the cache, before sessions and CSRF (cms.page_cache).
    "cms.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the signed-in person's row from the shared cache (cms.user_cache).
    "cms.middleware.CachedUserAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The request being served, for the address in audit rows written by services.
    "audit.context.AuditRequestMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "cms.middleware.SignedInResponsesNotStoredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.csp.SiteCSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without an authenticator app are sent to set one up (accounts.admin_gate).
    "accounts.admin_gate.AdminGateMiddleware",
    "accounts.middleware.AdminReauthenticationMiddleware",
    "cms.middleware.NullCharacterQueryMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "courses.middleware.CoursePublishRefusedMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                # The Wagtail site from the cache, for page links and the footer.
                "cms.context_processors.wagtail_site",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = 60
# A kept connection is checked before its first use in a request or task, so one
# dropped by a database restart is replaced instead of failing the request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL")}
# A cache every process shares (Redis): sessions are read from it (and written
# through to the database), and routes, the footer and anonymous pages are kept
# in it (cms.site_cache). A per-process cache (locmem, the default) would let one
# process keep what another changed, so then neither is used.
SHARED_CACHE = CACHES["default"]["BACKEND"].endswith("RedisCache")
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if SHARED_CACHE
    else "django.contrib.sessions.backends.db"
)
SITE_CACHE_SECONDS = env("SITE_CACHE_SECONDS") if SHARED_CACHE else 0
# How long a signed-in person's user row is kept in the shared cache at most
# (cms.user_cache; a save or delete of the user ends it at once). 0: off.
USER_CACHE_SECONDS = 300 if SHARED_CACHE else 0
# Page types whose pages are served whole to anonymous visitors from the cache.
SITE_CACHE_ANONYMOUS_PAGES = [
    "cms.HomePage",
    "cms.StandardPage",
    "courses.CourseIndexPage",
    "courses.CoursePage",
]
# Models besides pages, sites, images, redirects, view restrictions and the
# provider settings whose changes show on those pages (cms.site_cache).
SITE_CACHE_INVALIDATED_BY = ["courses.Instructor", "courses.Accreditor"]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters (OWASP ASVS 4.0, V2.1.1), checked against the common
    # passwords list below.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/dashboard/"

# django-allauth: email is the login; verification is mandatory.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False
ACCOUNT_CHANGE_EMAIL = True
# Changing or removing an email address or the password asks for the password
# (or an MFA code) again, and each change is told to the account's address (the
# old one, for an email change): allauth's defaults are off for both.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Practicum] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "5/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
# Sessions: an idle timeout and an absolute lifetime, shorter for staff, enforced
# by accounts.middleware.SessionTimeoutMiddleware (docs/operations.md has the
# values and why). The cookie and the stored session never outlive the longest
# lifetime, and they end when the browser closes: no "remember me".
SESSION_IDLE_TIMEOUT_MINUTES = env("SESSION_IDLE_TIMEOUT_MINUTES")
SESSION_ABSOLUTE_TIMEOUT_MINUTES = env("SESSION_ABSOLUTE_TIMEOUT_MINUTES")
STAFF_SESSION_IDLE_TIMEOUT_MINUTES = env("STAFF_SESSION_IDLE_TIMEOUT_MINUTES")
STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES = env("STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES")
SESSION_COOKIE_AGE = 60 * max(
    SESSION_ABSOLUTE_TIMEOUT_MINUTES, STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES
)
ACCOUNT_SESSION_REMEMBER = False
# Revoking, reissuing or issuing certificates, bulk jobs, user and group edits and
# MFA resets ask for the password again unless it was given this recently
# (accounts.decorators).
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# Clients are told apart by the address the configured number of trusted proxies
# saw (accounts.client_ip: the rate limits of allauth and of the verify page).
ALLAUTH_TRUSTED_PROXY_COUNT = env("TRUSTED_PROXY_COUNT")
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Practicum"

# Celery: JSON only, late acks so a killed worker's task is redelivered.
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_ALWAYS_EAGER = env("CELERY_TASK_ALWAYS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connection before and after every
# task unless this is set, so each task paid for a new PostgreSQL connection (a
# server process forked per certificate). With it set, the fixup recycles the
# connection only every 500 tasks, and cms/celery.py applies Django's own
# request rule around each task instead (CONN_MAX_AGE, CONN_HEALTH_CHECKS,
# drop a connection that failed). docs/benchmarks.md has the difference.
CELERY_DB_REUSE_MAX = 500
# What a task prints (the console email under `make run`) is logged as INFO, not
# as a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message not acked within this window is redelivered (Redis visibility timeout).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 600}
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Certificates without a rendered PDF or a sent email a minute after issue are
    # enqueued again (a worker killed mid-render, a broker down at issue).
    "certificates-sweep": {"task": "certificates.sweep", "schedule": 60.0},
    # Renewal reminders at 90, 30 and 7 days (once per threshold however often it
    # runs: renewals.services.reminders_send), and renewal packets whose task was lost.
    "renewals-reminders": {"task": "renewals.reminders_send", "schedule": 6 * 3600.0},
    "renewals-packets-sweep": {"task": "renewals.packets_sweep", "schedule": 300.0},
    # Audit packets whose build stalled (a worker killed mid-build) resume.
    "reports-packets-sweep": {"task": "reports.packets_sweep", "schedule": 120.0},
    # Records past RECORD_RETENTION_YEARS lose their personal data (weekly).
    "reports-records-pseudonymise": {
        "task": "reports.records_pseudonymise",
        "schedule": 7 * 24 * 3600.0,
    },
}

# Email
EMAIL_CONFIG = env.email_url("EMAIL_URL")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT")
STATIC_URL = "/static/"
MEDIA_ROOT = env("MEDIA_ROOT")
MEDIA_URL = "/media/"
# Certificates and other records that must never sit under a public URL.
PRIVATE_MEDIA_ROOT = env("PRIVATE_MEDIA_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "cms.storage.PrivateStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT},
    },
    # WhiteNoise's CompressedManifestStaticFilesStorage, addresses kept per process.
    "staticfiles": {"BACKEND": "cms.storage.StaticStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security headers that hold everywhere; production.py adds the TLS ones.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://player.vimeo.com"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# The Wagtail admin (and only it) still needs inline scripts: see cms/csp.py.
CONTENT_SECURITY_POLICY_ADMIN_UPDATE = {"script-src": ["'unsafe-inline'"]}

WAGTAIL_SITE_NAME = "Practicum"
# One date format in the admin: what its date fields show and accept, what their picker
# writes, and what help texts say (cms.admin_dates). ISO, as the exports and listings.
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
# No third-party avatars: the admin must work offline and within the CSP.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# One sign-in for everyone: the admin's login and logout are allauth's (cms/urls.py),
# so its rate limits, email verification and MFA apply to staff. The admin's own
# password reset (no rate limit) is off, and its account page does not change the
# sign-in email: that goes through allauth's verified flow (/accounts/email/).
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "odt", "txt", "rtf"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
# A file that a record needs is never replaced (cms.media).
WAGTAILIMAGES_IMAGE_FORM_BASE = "cms.media.MediaImageForm"
WAGTAILDOCS_DOCUMENT_FORM_BASE = "cms.media.MediaDocumentForm"
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# Approving a course publishes the lessons and post-test reviewed with it first (courses.review).
WAGTAIL_FINISH_WORKFLOW_ACTION = "courses.workflow_actions.workflow_finish"
WAGTAIL_MODERATION_ENABLED = True

# How long completion records, rosters and evaluations are kept (CA BBS asks 4).
# Inside the window PostgreSQL refuses to delete them (reports migration 0002 reads
# the window from the connection's practicum.record_retention_years); after it the
# weekly reports.records_pseudonymise task removes their personal data (docs/records.md).
RECORD_RETENTION_YEARS = env("RECORD_RETENTION_YEARS")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c practicum.record_retention_years={int(RECORD_RETENTION_YEARS)}"
    )

# Certificates (see docs/certificates.md).
CERTIFICATE_NUMBER_PREFIX = "PRC"
# A certificate under an accreditor whose provider number is still the seeded
# placeholder ("REPLACE-ME") is held until an administrator enters the number.
# The demo (dev settings) and the tests turn this off: their content carries
# placeholders on purpose.
CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS = True
CERTIFICATE_SWEEP_MIN_AGE_SECONDS = 60
CERTIFICATE_MAX_DELIVERY_ATTEMPTS = 10
# Public verification lookups per client IP: (count, window in seconds).
CERTIFICATE_VERIFY_RATE_LIMIT = (60, 600)
# Signing keys of the Open Badges (certificates/credentials/keys.py). Only dev
# and test make a first key by themselves; anywhere else a missing key is an error.
CREDENTIAL_SIGNING_KEY_DIR = env("CREDENTIAL_SIGNING_KEY_DIR")
CREDENTIAL_SIGNING_KEY_AUTOGENERATE = False

# License renewals (see docs/renewals.md).
RENEWAL_UPLOAD_MAX_BYTES = env("RENEWAL_UPLOAD_MAX_MB") * 1024 * 1024
SUPPORT_ATTACHMENT_MAX_BYTES = env("SUPPORT_ATTACHMENT_MAX_MB") * 1024 * 1024
SUPPORT_OVERDUE_DAYS = env("SUPPORT_OVERDUE_DAYS")
RENEWAL_PACKET_SWEEP_MIN_AGE_SECONDS = 600
RENEWAL_PACKET_MAX_ATTEMPTS = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
