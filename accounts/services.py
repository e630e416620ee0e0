from datetime import date
from importlib import import_module

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from wagtail.log_actions import log

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal

from . import selectors
from .models import ClinicianLicense, Profession, User
from .registry import kept_license_ids
from .sessions import user_is_staff


def user_update_certificate_name(*, user: User, full_name: str) -> User:
    user.full_name = full_name
    user.save(update_fields=["full_name"])
    return user


#: An expiry further ahead than this is a typo (boards renew every one to five years).
LICENSE_EXPIRY_MAX_YEARS = 20
LICENSE_EXPIRY_MIN_YEAR = 1950


def _license_fields(
    *, profession: str, license_number: str, region: str, expires_on: date | None
) -> dict:
    """The one check of a license's fields, for adding and for editing."""
    license_number = " ".join((license_number or "").split())
    region = " ".join((region or "").split())
    if profession not in Profession.values:
        raise Refusal("Choose your profession from the list.")
    if not license_number:
        raise Refusal("Enter the license number.")
    if not region:
        raise Refusal("Enter the state or province that issued the license.")
    if expires_on is not None:
        latest = timezone.localdate().year + LICENSE_EXPIRY_MAX_YEARS
        if not LICENSE_EXPIRY_MIN_YEAR <= expires_on.year <= latest:
            raise Refusal(
                f"The expiry date {expires_on:%d %B %Y} cannot be right: check the year "
                f"(between {LICENSE_EXPIRY_MIN_YEAR} and {latest})."
            )
    return {
        "profession": profession,
        "license_number": license_number,
        "region": region,
        "expires_on": expires_on,
    }


def license_create(
    *,
    user: User,
    profession: str,
    license_number: str,
    region: str,
    expires_on: date | None = None,
) -> ClinicianLicense:
    """Add a license. An expired one is accepted (it is the clinician's history)
    but counts for no credit; the view says so."""
    fields = _license_fields(
        profession=profession, license_number=license_number, region=region, expires_on=expires_on
    )
    try:
        with transaction.atomic():
            return ClinicianLicense.objects.create(user=user, **fields)
    except IntegrityError as exc:
        raise Refusal("You have already added this license.") from exc


def license_update(
    *,
    user: User,
    license_id: int,
    profession: str,
    license_number: str,
    region: str,
    expires_on: date | None = None,
) -> ClinicianLicense:
    """Correct or renew one's own license (ClinicianLicense.DoesNotExist for anyone
    else's). Certificates already issued keep the license as they printed it
    (their snapshot); what changes is what counts from now on."""
    fields = _license_fields(
        profession=profession, license_number=license_number, region=region, expires_on=expires_on
    )
    try:
        with transaction.atomic():
            license = ClinicianLicense.objects.select_for_update().get(user=user, pk=license_id)
            for name, value in fields.items():
                setattr(license, name, value)
            license.save(update_fields=list(fields))
            return license
    except IntegrityError as exc:
        raise Refusal(
            "You already have another license with these details.", kind=Refusal.Kind.CONFLICT
        ) from exc


def license_delete(*, user: User, license_id: int) -> None:
    deleted, _ = ClinicianLicense.objects.filter(user=user, pk=license_id).delete()
    if not deleted:
        raise ClinicianLicense.DoesNotExist


# --- Two-factor authentication -------------------------------------------------------------

#: The Wagtail log action of a reset (registered in accounts/wagtail_hooks.py).
MFA_RESET_ACTION = "accounts.mfa_reset"
MFA_RESET_REASON_MAX_LENGTH = 500


@transaction.atomic
def mfa_reset(*, actor: User, user: User, reason: str) -> list[str]:
    """Remove every authenticator of `user` (the app and the recovery codes), for a
    lost phone or an email change, and log who did it and why. The person is then
    sent to set up an authenticator app again before any admin page answers.
    Returns the types removed."""
    reason = " ".join(reason.split())
    if not reason:
        raise Refusal("Give the reason for the reset: it is kept in the log.")
    if len(reason) > MFA_RESET_REASON_MAX_LENGTH:
        raise Refusal(f"Keep the reason under {MFA_RESET_REASON_MAX_LENGTH} characters.")
    refusal = selectors.mfa_reset_refusal(actor=actor, user=user)
    if refusal:
        raise Refusal(refusal)
    authenticators = Authenticator.objects.select_for_update().filter(user=user)
    types = sorted({a.type for a in authenticators})
    if not types:
        raise Refusal(f"{user} has no two-factor authentication to reset.")
    authenticators.delete()
    log(
        instance=user,
        action=MFA_RESET_ACTION,
        user=actor,
        data={"reason": reason, "removed": types},
    )
    audit_record(
        actor=actor, action=AuditAction.MFA_RESET, obj=user, reason=reason, data={"removed": types}
    )
    return types


# --- Deleting people ------------------------------------------------------------------------


#: RFC 2606 reserves .invalid: mail to it never leaves the machine.
ERASED_EMAIL = "deleted-{pk}@deleted.invalid"


def user_delete_self(*, user: User) -> bool:
    """A clinician deletes their own account.

    Without CE records the account goes, and everything that cascades from it.
    With records (selectors.user_kept_records: enrollments, certificates and
    what hangs off them, which protect themselves with on_delete=PROTECT) the
    row stays for them, under the name printed on them, but the login and the
    personal data records do not need go: the email becomes a non-routable
    placeholder, the password unusable, the account inactive; every row that
    cascades from the account is deleted (licenses not printed on a
    certificate, email addresses, MFA authenticators, journal reflections);
    and every session ends. Returns True when the row itself was deleted."""
    if user_is_staff(user):
        raise Refusal(
            "Staff accounts are closed by an Administrator, who can hand over your pages first."
        )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user_id = user.pk
        kept = selectors.user_kept_records(user=user)
        audit_record(
            actor=user,
            action=AuditAction.USER_DELETE,
            obj=user,
            data={"by": "self", "records_kept": bool(kept)},
        )
        if not kept:
            user.delete()
            _sessions_end(user_id=user_id)
            return True
        kept_licenses = kept_license_ids(user=user)
        for relation in _cascading_relations():
            rows = relation.related_model._base_manager.filter(**{relation.field.name: user})
            if relation.related_model is ClinicianLicense:
                rows = rows.exclude(pk__in=kept_licenses)
            rows.delete()
        user.email = ERASED_EMAIL.format(pk=user.pk)
        user.first_name = user.last_name = ""
        user.is_active = False
        user.last_login = None
        user.set_unusable_password()  # also ends sessions whose auth hash was the old one
        user.save()
    _sessions_end(user_id=user_id)
    return False


def _cascading_relations():
    """Everything that points at a user and goes with them (on_delete=CASCADE):
    personal data, by the convention docs/architecture.md states. Group
    memberships and direct permissions are among them (their link tables)."""
    return [
        field
        for field in User._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one)
        and field.on_delete is models.CASCADE
    ]


def _sessions_end(*, user_id: int) -> None:
    """Delete the stored sessions signed in as this user (database sessions;
    other engines are ended by the password change and the inactive flag)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        return
    model = store.get_model_class()
    stale = [
        session.pk
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user_id)
    ]
    model.objects.filter(pk__in=stale).delete()


def user_deactivate(*, user: User, actor: User) -> User:
    """An Administrator closes an account that records keep: it can no longer
    sign in, and nothing is deleted. Logged in Wagtail's history."""
    if user.pk == actor.pk:
        raise Refusal("You cannot deactivate your own account.")
    if user.is_superuser and not actor.is_superuser:
        raise Refusal("Only a superuser deactivates a superuser.")
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        log(instance=user, action="wagtail.edit", user=actor, data={"is_active": False})
        audit_record(actor=actor, action=AuditAction.USER_DEACTIVATE, obj=user)
    _sessions_end(user_id=user.pk)
    return user
