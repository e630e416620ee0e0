from datetime import date

from django.db import IntegrityError, transaction

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
