"""System checks: production must have a signing key for the Open Badges."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .credentials import keys


def credential_signing_key_check(app_configs=None, **kwargs):
    if getattr(settings, "CREDENTIAL_SIGNING_KEY_AUTOGENERATE", False):
        return []  # dev and test make their key on first use
    try:
        keys.key_set_load()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="certificates.E001")]
    except keys.KeyStoreError as error:
        # Not an error: `migrate` must still run on a new deployment, before the key is made.
        return [
            checks.Warning(
                f"Certificates' Open Badges cannot be signed yet: {error}",
                hint="Run `python manage.py credentials_keygen` (docs/operations.md).",
                id="certificates.W001",
            )
        ]
    return []
