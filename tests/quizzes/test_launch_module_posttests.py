"""The three launch modules' post-tests: loaded from their YAML, published,
and measured against the accreditors' rules; one module walked end to end."""

import pytest
from django.urls import reverse

from courses import seed as course_seed
from courses.publishing import course_publish_problems
from quizzes.grading import TRUE_FALSE, answer_key
from quizzes.models import Attempt, PostTestPage
from quizzes.seed import post_test_load
from quizzes.selectors import post_test_check
from tests.factories import UserFactory, catalog_get, lessons_of

pytestmark = pytest.mark.django_db

SPECS = {spec["slug"]: spec for spec in course_seed.launch_module_specs()}


def load(slug):
    catalog = catalog_get()
    accreditors = course_seed.accreditors_ensure()
    instructor = course_seed.demo_instructor_ensure()
    spec = SPECS[slug]
    course = course_seed.launch_module_load(
        spec=spec, catalog=catalog, instructor=instructor, accreditors=accreditors
    )
    post_test = post_test_load(spec=spec, course=course)
    course_seed.launch_course_publish(course=course.specific)
    course.refresh_from_db()
    return course, post_test


def test_there_are_three_launch_modules():
    assert len(SPECS) == 3


@pytest.mark.parametrize("slug", sorted(SPECS))
def test_each_module_post_test_loads_publishes_and_passes_every_check(slug):
    course, post_test = load(slug)
    spec = SPECS[slug]

    assert post_test.live and course.live
    assert course_publish_problems(course=course) == []
    assert len(post_test.questions) == len(spec["post_test"]["questions"])
    assert post_test.questions_per_attempt() == spec["post_test"]["draw"]

    check = post_test_check(post_test=post_test, course=course)
    assert check.warnings == []
    # Item writing: no key longer than every distractor in over a third of the items,
    # balanced true/false keys, and a pool of at least twice the draw.
    assert check.item_warnings == []
    rows = {row.accreditor.short_name: row for row in check.rows}
    # NASW requires 10 for the first hour; APA recommends 6 per hour.
    assert rows["NASW"].required and rows["NASW"].minimum_questions == 10
    assert not rows["APA"].required and rows["APA"].minimum_questions == 6
    for name in ("APA", "NASW"):
        assert rows[name].size_ok, (name, rows[name].minimum_questions)
    true_false = sum(1 for q in post_test.questions if q.block_type == TRUE_FALSE)
    assert min(true_false, check.questions_per_attempt) * 10 <= check.questions_per_attempt
    assert all(check.questions_by_objective.get(n) for n in range(1, len(spec["objectives"]) + 1))
    assert all(str(q.value["rationale"]).strip() for q in post_test.questions)


def test_loading_again_changes_nothing():
    slug = sorted(SPECS)[0]
    course, post_test = load(slug)
    revisions = post_test.revisions.count()
    again = post_test_load(spec=SPECS[slug], course=course)
    assert again.pk == post_test.pk
    assert PostTestPage.objects.child_of(course).count() == 1
    assert post_test.revisions.count() == revisions


def test_a_clinician_walks_a_module_from_enrollment_to_a_passed_post_test(client):
    course, post_test = load("when-treatment-fails")
    user = UserFactory()
    client.force_login(user)
    assert client.post(reverse("courses:enroll"), {"course": course.pk}).status_code == 302
    for lesson in lessons_of(course):
        assert client.get(lesson.url).status_code == 200
        client.post(reverse("courses:heartbeat"), {"lesson": lesson.pk, "seconds": "0"})
        client.post(reverse("courses:lesson_complete"), {"lesson": lesson.pk})
    assert "Start the post-test" in client.get(post_test.url).content.decode()
    response = client.post(reverse("quizzes:attempt_start"), {"post_test": post_test.pk})
    attempt = Attempt.objects.get(enrollment__user=user)
    assert response["Location"] == reverse("quizzes:attempt", args=[attempt.pk])
    assert client.get(response["Location"]).status_code == 200
    assert len(attempt.questions) == SPECS["when-treatment-fails"]["post_test"]["draw"]
    # Every objective is measured in this attempt (the draw is stratified by objective).
    assert {q["objective"] for q in attempt.questions} == {
        str(o.key) for o in course.objectives.all()
    }
    assert course.objectives.count() == 4
    form = {f"q-{qid}": ids for qid, ids in answer_key(attempt.questions).items()}
    result = client.post(reverse("quizzes:attempt_submit", args=[attempt.pk]), form, follow=True)
    assert "Attempt 1: passed" in result.content.decode()
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100
