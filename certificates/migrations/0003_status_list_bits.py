"""Each certificate owns one bit of a Bitstring Status List (its Open Badge's
credentialStatus): existing certificates get theirs at random, distinct ones."""

import random

from django.db import migrations, models

LIST_LENGTH = 131_072
# Fill a list to about three quarters, as the drawing at issue would.
PER_LIST = 98_304


def draw_bits(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    ids = list(Certificate.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.SystemRandom()
    for start in range(0, len(ids), PER_LIST):
        chunk = ids[start : start + PER_LIST]
        indexes = rng.sample(range(LIST_LENGTH), len(chunk))
        list_number = start // PER_LIST + 1
        for pk, index in zip(chunk, indexes, strict=True):
            Certificate.objects.filter(pk=pk).update(
                status_list=list_number, status_list_index=index
            )


class Migration(migrations.Migration):
    dependencies = [("certificates", "0002_staff_permissions")]

    operations = [
        migrations.AddField(
            model_name="certificate",
            name="status_list",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="certificate",
            name="status_list_index",
            field=models.PositiveIntegerField(null=True),
        ),
        migrations.RunPython(draw_bits, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="certificate",
            name="status_list_index",
            field=models.PositiveIntegerField(),
        ),
        migrations.AddConstraint(
            model_name="certificate",
            constraint=models.UniqueConstraint(
                fields=("status_list", "status_list_index"),
                name="certificates_one_status_list_bit",
            ),
        ),
    ]
