"""Administrators keep the boards' requirement templates. Nobody but a superuser
opens clinicians' uploaded certificates unless given that permission by hand."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {
    "Administrators": [
        ("renewals", "requirementtemplate", f"{action}_requirementtemplate")
        for action in ("add", "change", "delete", "view")
    ],
}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("renewals", "0001_initial"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
