"""Administrators read every course's evaluation aggregates and attempts
(quizzes.view_evaluation gates the aggregates of all courses; instructors see
only their own courses' aggregates, without a model permission)."""

from django.db import migrations

from accounts.migrations._groups import grant

PERMISSIONS = {
    "Administrators": [
        ("quizzes", "evaluation", "view_evaluation"),
        ("quizzes", "attempt", "view_attempt"),
        ("quizzes", "attestation", "view_attestation"),
    ],
}


def setup(apps, schema_editor):
    grant(apps, PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("quizzes", "0001_initial"),
        ("accounts", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(setup, migrations.RunPython.noop)]
