"""Administrators grant and end per-learner overrides (courses.add_learneroverride,
change_ and view_); nobody else but superusers."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {
    "Administrators": [
        ("courses", "learneroverride", f"{action}_learneroverride")
        for action in ("add", "change", "view")
    ]
}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0008_learner_overrides"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
