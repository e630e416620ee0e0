"""Idempotent demo accounts, one per role, email already verified."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

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
        users[email] = user
    ClinicianLicense.objects.get_or_create(
        user=users["clinician@example.com"],
        profession=Profession.PSYCHOLOGIST,
        region="MD",
        license_number="PSY-04512",
    )
    return users
