from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0005_clinician_notices"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="certificate",
            index=models.Index(
                condition=models.Q(("status", "valid"), _negated=True),
                fields=["status_list", "status_list_index"],
                name="certificates_status_bits_set",
            ),
        ),
    ]
