from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission
from django.db import router
from django.db.models import (
    Exists,
    OuterRef,
    ProtectedError,
    Q,
    QuerySet,
    RestrictedError,
    Subquery,
)
from django.db.models.deletion import Collector
from django.utils import timezone
from wagtail.models import GroupCollectionPermission, GroupPagePermission

from .models import ClinicianLicense, User
from .sessions import request_user_is_staff, user_is_staff


def license_list(*, user: User) -> QuerySet[ClinicianLicense]:
    """Every license on the profile, the expired ones too (flagged where shown)."""
    return ClinicianLicense.objects.filter(user=user)


def license_current(*, user_id: int, on: date | None = None) -> QuerySet[ClinicianLicense]:
    """The licenses that count for credit: not expired on `on` (today). The one
    rule for which licenses count: claims, certificates and the pages ask here."""
    on = on or timezone.localdate()
    return ClinicianLicense.objects.filter(user_id=user_id).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def license_professions(*, user_id: int) -> set[str]:
    """The professions of the licenses that count today."""
    return set(license_current(user_id=user_id).values_list("profession", flat=True))


def user_professions(*, user: User) -> set[str]:
    return license_professions(user_id=user.pk)


@dataclass
class LicenseFit:
    """One accreditor of a course, and the clinician's licenses of a profession it
    serves: `current` count; `expired` would, had they not expired."""

    accreditor: object
    current: list[ClinicianLicense] = field(default_factory=list)
    expired: list[ClinicianLicense] = field(default_factory=list)

    @property
    def qualifies(self) -> bool:
        return bool(self.current)


def license_credit_fit(*, user: User, accreditors) -> list[LicenseFit]:
    """For each accreditor (anything with `professions` and `short_name`: accounts
    knows nothing of courses), the clinician's licenses that qualify for its
    credit, and the expired ones that no longer do. One query."""
    today = timezone.localdate()
    licenses = list(license_list(user=user)) if user.is_authenticated else []
    fits = []
    for accreditor in accreditors:
        served = set(getattr(accreditor, "professions", None) or [])
        matching = [lic for lic in licenses if lic.profession in served]
        fits.append(
            LicenseFit(
                accreditor=accreditor,
                current=[lic for lic in matching if not lic.is_expired(today)],
                expired=[lic for lic in matching if lic.is_expired(today)],
            )
        )
    return fits


# --- Two-factor authentication (docs/operations.md, "Staff sign-in and MFA") --------------


def user_requires_mfa(*, user, request=None) -> bool:
    """Staff must have an authenticator app (TOTP) before any admin page or staff
    action answers: everyone who can enter the Wagtail admin (Instructors,
    Administrators, any group given its access), every superuser and every
    is_staff account, as accounts.sessions defines staff. Clinicians may turn it
    on; for them it stays optional."""
    if not (user.is_authenticated and user.is_active):
        return False
    return request_user_is_staff(request) if request is not None else user_is_staff(user)


def user_has_mfa(*, user) -> bool:
    """An authenticator app (TOTP) is set up; recovery codes alone do not count."""
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def user_may_reset_mfa(*, actor) -> bool:
    """Administrators (who may change users) and superusers reset staff members' MFA."""
    return actor.is_active and (actor.is_superuser or actor.has_perm("accounts.change_user"))


def mfa_reset_refusal(*, actor, user) -> str | None:
    """Why `actor` may not reset `user`'s MFA, or None when they may."""
    if not user_may_reset_mfa(actor=actor):
        return "Only Administrators reset two-factor authentication."
    if actor.pk == user.pk:
        return (
            "Your own two-factor authentication is managed on your account's "
            "two-factor page, not reset here."
        )
    if user.is_superuser and not actor.is_superuser:
        return "Only a superuser resets a superuser's two-factor authentication."
    return None


def staff_mfa_list() -> QuerySet[User]:
    """Active staff (as user_requires_mfa counts them), each with `totp_added_at`
    and `totp_last_used_at` (None without an authenticator app) and
    `recovery_codes` (bool)."""
    admin_access = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    codes = Authenticator.objects.filter(
        user=OuterRef("pk"), type=Authenticator.Type.RECOVERY_CODES
    )
    staff_ids = User.objects.filter(
        Q(is_superuser=True)
        | Q(is_staff=True)
        | Q(groups__permissions__in=admin_access)
        | Q(user_permissions__in=admin_access)
    ).values("pk")
    return (
        User.objects.filter(is_active=True, pk__in=staff_ids)
        .annotate(
            totp_added_at=Subquery(totp.values("created_at")[:1]),
            totp_last_used_at=Subquery(totp.values("last_used_at")[:1]),
            recovery_codes=Exists(codes),
        )
        .order_by("email")
    )


# --- Deleting people ------------------------------------------------------------------------


def user_kept_records(*, user: User) -> list[tuple[str, int]]:
    """The records that keep this account from being deleted, as (kind, count):
    whatever points at the person with on_delete=PROTECT (or RESTRICT), in any
    app: Django's deletion collector, run dry, finds them without accounts
    knowing which apps they belong to. Empty when the account can go."""
    try:
        Collector(using=router.db_for_write(User)).collect([user])
    except (ProtectedError, RestrictedError) as refused:
        counts = Counter(type(obj) for obj in refused.args[1])
        return sorted(
            (
                str(model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural),
                n,
            )
            for model, n in counts.items()
        )
    return []


# --- What the audit log records of people and groups (accounts.wagtail_hooks) --------------


def user_roles(*, user: User) -> dict:
    """A person's access as the audit log compares it before and after an edit."""
    if not user.pk:
        return {}
    return {
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
    }


def group_permissions(*, group) -> dict:
    """A group's name and every permission it grants (on models, on pages and on
    collections), as the audit log compares them before and after an edit."""
    if not group.pk:
        return {}
    return {
        "name": group.name,
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
        "page_permissions": sorted(
            f"{title} (page {page_id}): {codename}"
            for page_id, title, codename in GroupPagePermission.objects.filter(
                group=group
            ).values_list("page_id", "page__title", "permission__codename")
        ),
        "collection_permissions": sorted(
            f"{name}: {codename}"
            for name, codename in GroupCollectionPermission.objects.filter(group=group).values_list(
                "collection__name", "permission__codename"
            )
        ),
    }
