"""Frozen participant facts gain the professions of the licenses held at
completion, by code (courses.services.participant_facts), so the roster's
accreditor filter reads what was true at completion rather than today's
licenses. Existing completions get them from their frozen licenses, whose
profession is the label printed then; a label no longer known is kept as its
own key, so nothing frozen is lost."""

from django.db import migrations

from reports.migrations._professions import PROFESSION_LABELS

CODES = {label: code for code, label in PROFESSION_LABELS.items()}


def fill(apps, schema_editor):
    Completion = apps.get_model("courses", "CourseCompletion")
    for completion in Completion.objects.exclude(participant={}).iterator(chunk_size=500):
        facts = completion.participant
        if "professions" in facts:
            continue
        labels = [lic.get("profession", "") for lic in facts.get("licenses") or []]
        facts["professions"] = {CODES.get(label, label): label for label in labels if label}
        completion.save(update_fields=["participant"])


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_fill_completion_participants")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
