from datetime import date

from allauth.mfa.models import Authenticator
from django.db import IntegrityError, transaction
from wagtail.log_actions import log

from . import selectors
from .models import ClinicianLicense, User


class LicenseError(Exception):
    pass


def user_update_certificate_name(*, user: User, full_name: str) -> User:
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


def license_create(
    *,
    user: User,
    profession: str,
    license_number: str,
    region: str,
    expires_on: date | None = None,
) -> ClinicianLicense:
    try:
        with transaction.atomic():
            return ClinicianLicense.objects.create(
                user=user,
                profession=profession,
                license_number=license_number,
                region=region,
                expires_on=expires_on,
            )
    except IntegrityError as exc:
        raise LicenseError("You have already added this license.") from exc


def license_delete(*, user: User, license_id: int) -> None:
    deleted, _ = ClinicianLicense.objects.filter(user=user, pk=license_id).delete()
    if not deleted:
        raise ClinicianLicense.DoesNotExist


# --- Two-factor authentication -------------------------------------------------------------

#: The Wagtail log action of a reset (registered in accounts/wagtail_hooks.py).
MFA_RESET_ACTION = "accounts.mfa_reset"
MFA_RESET_REASON_MAX_LENGTH = 500


class MFAResetError(Exception):
    """A reset refused; the message is for the person who asked."""


@transaction.atomic
def mfa_reset(*, actor: User, user: User, reason: str) -> list[str]:
    """Remove every authenticator of `user` (the app and the recovery codes), for a
    lost phone or an email change, and log who did it and why. The person is then
    sent to set up an authenticator app again before any admin page answers.
    Returns the types removed."""
    reason = " ".join(reason.split())
    if not reason:
        raise MFAResetError("Give the reason for the reset: it is kept in the log.")
    if len(reason) > MFA_RESET_REASON_MAX_LENGTH:
        raise MFAResetError(f"Keep the reason under {MFA_RESET_REASON_MAX_LENGTH} characters.")
    refusal = selectors.mfa_reset_refusal(actor=actor, user=user)
    if refusal:
        raise MFAResetError(refusal)
    authenticators = Authenticator.objects.select_for_update().filter(user=user)
    types = sorted({a.type for a in authenticators})
    if not types:
        raise MFAResetError(f"{user} has no two-factor authentication to reset.")
    authenticators.delete()
    log(
        instance=user,
        action=MFA_RESET_ACTION,
        user=actor,
        data={"reason": reason, "removed": types},
    )
    return types
