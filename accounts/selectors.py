from django.db.models import QuerySet

from .models import ClinicianLicense, User


def license_list(*, user: User) -> QuerySet[ClinicianLicense]:
    return ClinicianLicense.objects.filter(user=user)


def user_professions(*, user: User) -> set[str]:
    return set(license_list(user=user).values_list("profession", flat=True))
