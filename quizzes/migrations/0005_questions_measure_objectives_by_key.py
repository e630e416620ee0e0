"""Post-test questions name the objective they measure by its key
(courses.LearningObjective.key, courses 0010) instead of its number. Number n
becomes the key of the course's n-th objective as its rows order them (what the
post-test check and the editor's validation counted); a number the course does
not have becomes blank, which the post-test check then reports and the editor
asks to choose. The post-test's own row and every revision of it are rewritten.
Attempts keep the draw they froze. Reversed, keys become numbers again."""

import json

import wagtail.fields
from django.db import migrations


def _objective_keys(apps, post_test_path: str) -> list[str]:
    Page = apps.get_model("wagtailcore", "Page")
    LearningObjective = apps.get_model("courses", "LearningObjective")
    course = Page.objects.filter(path=post_test_path[:-4]).first()
    if course is None:
        return []
    return [
        str(key)
        for key in LearningObjective.objects.filter(page_id=course.pk)
        .order_by("sort_order", "pk")
        .values_list("key", flat=True)
    ]


def _rewrite(apps, convert) -> None:
    PostTestPage = apps.get_model("quizzes", "PostTestPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Revision = apps.get_model("wagtailcore", "Revision")
    content_type = ContentType.objects.filter(app_label="quizzes", model="posttestpage").first()
    for page in PostTestPage.objects.all():
        keys = _objective_keys(apps, page.path)
        raw = [dict(block) for block in page.questions.raw_data]
        PostTestPage.objects.filter(pk=page.pk).update(questions=convert(raw, keys))
        if content_type is None:
            continue
        for revision in Revision.objects.filter(
            content_type=content_type, object_id=str(page.pk)
        ).iterator():
            content = revision.content or {}
            questions = content.get("questions")
            if not questions:
                continue
            as_text = isinstance(questions, str)
            blocks = json.loads(questions) if as_text else questions
            blocks = convert(blocks, keys)
            content["questions"] = json.dumps(blocks) if as_text else blocks
            Revision.objects.filter(pk=revision.pk).update(content=content)


def _numbers_to_keys(blocks: list, keys: list[str]) -> list:
    for block in blocks:
        value = block.get("value") or {}
        try:
            number = int(value.get("objective"))
        except (TypeError, ValueError):
            continue  # already a key (or nothing)
        value["objective"] = keys[number - 1] if 1 <= number <= len(keys) else ""
    return blocks


def _keys_to_numbers(blocks: list, keys: list[str]) -> list:
    for block in blocks:
        value = block.get("value") or {}
        objective = str(value.get("objective") or "")
        value["objective"] = keys.index(objective) + 1 if objective in keys else None
    return blocks


def questions_objective_keys(apps, schema_editor):
    _rewrite(apps, _numbers_to_keys)


def questions_objective_numbers(apps, schema_editor):
    _rewrite(apps, _keys_to_numbers)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("courses", "0010_objective_keys"),
        ("quizzes", "0004_attempt_override"),
    ]

    operations = [
        migrations.AlterField(
            model_name='posttestpage',
            name='questions',
            field=wagtail.fields.StreamField([('single', 7), ('multiple', 10), ('true_false', 13)], block_lookup={0: ('wagtail.blocks.TextBlock', (), {'help_text': 'The stem: a complete question or an incomplete statement.', 'label': 'Question'}), 1: ('wagtail.blocks.CharBlock', (), {'max_length': 500}), 2: ('wagtail.blocks.BooleanBlock', (), {'help_text': 'Tick for a correct answer.', 'required': False}), 3: ('wagtail.blocks.StructBlock', [[('text', 1), ('correct', 2)]], {}), 4: ('wagtail.blocks.ListBlock', (3,), {'max_num': 8, 'min_num': 2}), 5: ('wagtail.blocks.TextBlock', (), {'help_text': 'Why the correct answer is correct (and the distractors are not). Shown in review after the attempt, as the review policy allows.'}), 6: ('wagtail.blocks.ChoiceBlock', [], {'choices': [], 'help_text': "The course's learning objective this question measures.", 'label': 'Learning objective measured'}), 7: ('wagtail.blocks.StructBlock', [[('stem', 0), ('choices', 4), ('rationale', 5), ('objective', 6)]], {}), 8: ('wagtail.blocks.ListBlock', (3,), {'max_num': 8, 'min_num': 3}), 9: ('wagtail.blocks.BooleanBlock', (), {'help_text': 'Give partial credit (each correct pick earns its share, each wrong pick cancels one). Unticked: all-or-nothing.', 'required': False}), 10: ('wagtail.blocks.StructBlock', [[('stem', 0), ('choices', 8), ('partial_credit', 9), ('rationale', 5), ('objective', 6)]], {}), 11: ('wagtail.blocks.TextBlock', (), {'help_text': 'A statement that is true or false.', 'label': 'Statement'}), 12: ('wagtail.blocks.ChoiceBlock', [], {'choices': [('true', 'True'), ('false', 'False')], 'label': 'Correct answer'}), 13: ('wagtail.blocks.StructBlock', [[('stem', 11), ('correct_answer', 12), ('rationale', 5), ('objective', 6)]], {})}),
        ),
        migrations.RunPython(questions_objective_keys, questions_objective_numbers),
    ]
