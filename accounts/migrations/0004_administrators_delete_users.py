"""Administrators may delete user accounts (issue 11). An account that CE
records keep is never deleted: the admin's delete page explains why and offers
deactivation (accounts.user_admin_views); accounts without records go."""

from django.db import migrations

from accounts.migrations._groups import grant


def setup(apps, schema_editor):
    grant(apps, {"Administrators": [("accounts", "user", "delete_user")]})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_printable_names")]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
