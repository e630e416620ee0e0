"""The two steps quizzes adds to every enrollment, computed in bulk."""

import pytest

from courses.models import Enrollment
from courses.selectors import enrollment_summaries
from courses.services import enrollment_create
from quizzes.providers import EvaluationStepProvider, PostTestStepProvider
from quizzes.services import attempt_start
from tests.courses.conftest import client_for
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    attempt_pass,
    course_build,
    lessons_complete,
    posttest_build,
)

pytestmark = pytest.mark.django_db


def enrollments_in(courses, per_course):
    result = []
    for course in courses:
        for _ in range(per_course):
            result.append(enrollment_create(user=UserFactory(), course=course))
    return list(Enrollment.objects.filter(pk__in=[e.pk for e in result]).select_related("course"))


@pytest.mark.parametrize("provider", [PostTestStepProvider(), EvaluationStepProvider()])
def test_steps_take_the_same_number_of_queries_for_one_or_many(
    provider, django_assert_max_num_queries
):
    courses = [course_build(), course_build()]
    few = enrollments_in(courses[:1], 1)
    many = enrollments_in(courses, 3)
    for e in many[:3]:
        lessons_complete(enrollment=e)
        attempt_start(enrollment=e)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        provider.steps_for(enrollments=few)
    with django_assert_max_num_queries(len(one.captured_queries)):
        steps = provider.steps_for(enrollments=many)
    assert set(steps) == {e.pk for e in many}


def test_the_post_test_step_follows_the_clinician():
    course = course_build()
    enrollment = enrollment_create(user=UserFactory(), course=course)

    def step(key):
        summary = enrollment_summaries(enrollments=[enrollment])[0]
        return next(s for s in summary.steps if s.key == key)

    assert step("post_test").detail == "Unlocks when every lesson is complete"
    assert not step("post_test").available
    assert step("evaluation").detail == "Unlocks when you pass the post-test"
    lessons_complete(enrollment=enrollment)
    assert step("post_test").available
    assert step("post_test").action_label == "Take the post-test"
    attempt_start(enrollment=enrollment)
    assert step("post_test").action_label == "Resume the post-test"
    assert step("post_test").history[0].endswith("in progress")
    enrollment.refresh_from_db()
    attempt = attempt_pass(enrollment=enrollment)
    assert attempt.passed
    assert step("post_test").done
    assert step("evaluation").available and step("evaluation").url
    summary = enrollment_summaries(enrollments=[enrollment])[0]
    assert summary.next_step.key == "evaluation"


@pytest.mark.usefixtures("site_cache_on")
def test_the_dashboards_post_test_step_follows_an_accreditors_change_at_once():
    """The credit terms the steps read (attempts allowed, seat time) are kept in the
    site cache as plain values; saving the accreditor moves the cache on."""
    accreditor = AccreditorFactory(attempts_allowed=3)
    course = course_build(accreditors=[accreditor])
    posttest_build(course=course)
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lessons_complete(enrollment=enrollment)
    client = client_for(enrollment.user)
    assert "3 of 3 attempts left" in client.get("/dashboard/").content.decode()

    accreditor.attempts_allowed = 5
    accreditor.save()

    assert "5 of 5 attempts left" in client.get("/dashboard/").content.decode()
