"""Administrators see every certificate and may act on them (manual issue,
reissue, revoke, restore, bulk reissue). Instructors get nothing here."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {
    "Administrators": [
        ("certificates", "certificate", "view_certificate"),
        ("certificates", "certificate", "manage_certificates"),
    ],
}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_initial"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
