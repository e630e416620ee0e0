"""Seat time as evidence (issue 17): one policy per accreditor (off, flag,
enforce; flag by default) replaces the minimum-time gate's on/off, and the
stated share is of the credited hours (the publishing check keeps the
estimated minutes within a quarter hour above them)."""

import django.core.validators
from django.db import migrations, models


def policies_from_the_old_gate(apps, schema_editor):
    Accreditor = apps.get_model("courses", "Accreditor")
    if not any(f.name == "requires_minimum_time" for f in Accreditor._meta.get_fields()):
        return  # replayed on the models as they are now (cms.bootstrap): nothing to convert
    Accreditor.objects.filter(requires_minimum_time=True).update(seat_time_policy="enforce")
    Accreditor.objects.filter(minimum_time_percent=0).update(minimum_time_percent=1)


class Migration(migrations.Migration):

    dependencies = [
        ('courses', '0010_objective_keys'),
    ]

    operations = [
        migrations.AddField(
            model_name='accreditor',
            name='seat_time_policy',
            field=models.CharField(choices=[('off', 'Off: record active time only'), ('flag', 'Flag: complete, but flag the completion for an auditor'), ('enforce', 'Enforce: no completion until the time is reached')], default='flag', help_text="What happens when a participant's recorded active time is below the share below of the hours credited under this accreditor. No mental-health accreditor found requires seat time: flag keeps it as evidence for an audit.", max_length=10, verbose_name='seat time'),
        ),
        # An accreditor that required the minimum time enforces it; every other one
        # flags (the new default): nobody is held back who was not before.
        migrations.RunPython(policies_from_the_old_gate, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='accreditor',
            name='requires_minimum_time',
        ),
        migrations.AlterField(
            model_name='accreditor',
            name='minimum_time_percent',
            field=models.PositiveSmallIntegerField(default=80, help_text='Active time as a share of the hours credited under this accreditor.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(100)], verbose_name='stated share of the credited hours (%)'),
        ),
    ]
