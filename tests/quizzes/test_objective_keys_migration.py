"""The data migrations that gave objectives keys (courses 0010) and moved questions
from objective numbers to keys (quizzes 0005), run on data as it stood before them."""

import importlib

import pytest
from django.apps import apps

from quizzes.models import PostTestPage
from tests.factories import course_build, q_single

pytestmark = pytest.mark.django_db

courses_0010 = importlib.import_module("courses.migrations.0010_objective_keys")
quizzes_0005 = importlib.import_module(
    "quizzes.migrations.0005_questions_measure_objectives_by_key"
)


def _numbered(post_test, numbers):
    """The post-test's row and its latest revision as they were: objectives by number."""
    raw = [q_single(f"Question {i + 1}?", objective=n) for i, n in enumerate(numbers)]
    for i, block in enumerate(raw):
        block["id"] = f"q-{i}"
    PostTestPage.objects.filter(pk=post_test.pk).update(questions=raw)
    revision = post_test.latest_revision
    revision.content["questions"] = raw
    revision.save(update_fields=["content"])


def test_question_numbers_become_the_keys_of_the_objectives_at_those_numbers():
    course = course_build()
    post_test = PostTestPage.objects.child_of(course).get().specific
    _numbered(post_test, [2, 1, 3, 7])
    keys = [str(o.key) for o in course.objectives.order_by("sort_order")]

    quizzes_0005.questions_objective_keys(apps, None)

    post_test = PostTestPage.objects.get(pk=post_test.pk)
    expected = [keys[1], keys[0], keys[2], ""]  # 7: the course has no 7th objective
    assert [q.value["objective"] for q in post_test.questions] == expected
    assert [q["value"]["objective"] for q in post_test.latest_revision.content["questions"]] == (
        expected
    )
    # Run twice, it changes nothing more; reversed, the numbers come back.
    quizzes_0005.questions_objective_keys(apps, None)
    assert [q.value["objective"] for q in PostTestPage.objects.get(pk=post_test.pk).questions] == (
        expected
    )
    quizzes_0005.questions_objective_numbers(apps, None)
    raw = PostTestPage.objects.get(pk=post_test.pk).questions.raw_data
    assert [q["value"]["objective"] for q in raw] == [2, 1, 3, None]


def test_objectives_kept_in_course_revisions_get_the_key_of_their_row():
    course = course_build()
    revision = course.latest_revision
    rows = {o.pk: str(o.key) for o in course.objectives.all()}
    for objective in revision.content["objectives"]:
        del objective["key"]
    revision.content["objectives"].append(
        {"pk": None, "text": "Added in a draft.", "sort_order": 3}
    )
    revision.save(update_fields=["content"])

    courses_0010.objective_keys_fill(apps, None)

    revision.refresh_from_db()
    saved, added = revision.content["objectives"][:-1], revision.content["objectives"][-1]
    assert {o["pk"]: o["key"] for o in saved} == rows
    assert added["key"] and added["key"] not in rows.values()
