"""Idempotent demo accounts, one per role, email already verified; the staff
accounts with the demo's known authenticator app and recovery codes (accounts.demo)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import encrypt
from django.contrib.auth.models import Group

from .demo import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET
from .models import ClinicianLicense, Profession, User

DEMO_USERS = [
    # email, certificate name, group, is_staff
    ("clinician@example.com", "Dana Whitfield, PhD", None, False),
    ("instructor@example.com", "Rowan Ellery, PhD", "Instructors", True),
    ("admin@example.com", "Jordan Avery, PsyD", "Administrators", True),
]


def demo_users_ensure(*, password: str) -> dict[str, User]:
    users = {}
    for email, name, group, is_staff in DEMO_USERS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email, password=password, full_name=name, is_staff=is_staff
            )
        if group:
            user.groups.add(Group.objects.get(name=group))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if is_staff:
            demo_mfa_ensure(user=user)
        users[email] = user
    ClinicianLicense.objects.get_or_create(
        user=users["clinician@example.com"],
        profession=Profession.PSYCHOLOGIST,
        region="MD",
        license_number="PSY-04512",
    )
    return users


def demo_mfa_ensure(*, user: User) -> None:
    """The demo's authenticator app and all its recovery codes, as `make run`
    prints them: whatever the account had is replaced, used codes come back."""
    Authenticator.objects.filter(user=user).delete()
    TOTP.activate(user, DEMO_TOTP_SECRET)
    # allauth's stored form for a fixed list of codes (it derives its own from a
    # random seed); each still works once.
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.RECOVERY_CODES,
        data={"migrated_codes": [encrypt(code) for code in DEMO_RECOVERY_CODES]},
    )
