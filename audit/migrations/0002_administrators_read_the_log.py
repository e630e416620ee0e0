"""Administrators read the audit log (audit.view_auditevent); nobody else but
superusers. No group may add, change or delete rows: those permissions do not
exist (Meta.default_permissions)."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {"Administrators": [("audit", "auditevent", "view_auditevent")]}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_event"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
