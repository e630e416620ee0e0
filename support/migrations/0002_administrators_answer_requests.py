"""Administrators answer learner support requests (support.manage_supportrequest);
nobody else but superusers."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {"Administrators": [("support", "supportrequest", "manage_supportrequest")]}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_support_request"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
