"""Learning objectives get a key that names them for good (post-test questions
measure an objective by its key from quizzes 0005 on). Every objective row gets
one, and so does every objective kept in a course revision: the one of its row
where the revision names a saved row, a new one where it does not (an objective
added in a draft that was never published)."""

import uuid

from django.db import migrations, models


def objective_keys_fill(apps, schema_editor):
    LearningObjective = apps.get_model("courses", "LearningObjective")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    for objective in LearningObjective.objects.filter(key__isnull=True):
        objective.key = uuid.uuid4()
        objective.save(update_fields=["key"])
    keys = {pk: str(key) for pk, key in LearningObjective.objects.values_list("pk", "key")}
    content_type = ContentType.objects.filter(app_label="courses", model="coursepage").first()
    if content_type is None:  # a new database: no course, no revision
        return
    for revision in Revision.objects.filter(content_type=content_type).iterator():
        objectives = (revision.content or {}).get("objectives")
        if not objectives:
            continue
        for objective in objectives:
            if not objective.get("key"):
                objective["key"] = keys.get(objective.get("pk")) or str(uuid.uuid4())
        Revision.objects.filter(pk=revision.pk).update(content=revision.content)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
        ("courses", "0009_administrators_grant_overrides"),
    ]

    operations = [
        migrations.AddField(
            model_name="learningobjective",
            name="key",
            field=models.UUIDField(null=True),
        ),
        migrations.RunPython(objective_keys_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="learningobjective",
            name="key",
            field=models.UUIDField(default=uuid.uuid4),
        ),
        migrations.AddConstraint(
            model_name="learningobjective",
            constraint=models.UniqueConstraint(
                models.F("page"), models.F("key"), name="courses_objective_key_unique"
            ),
        ),
    ]
