"""Query budgets of the clinician's pages as they really run: every step provider
registered (lessons, post-test, evaluation and attestation) and certificates on
the dashboard. Each page is measured with one course and with several, in every
state a clinician's courses can be in (just enrolled, post-test in progress,
completed with a certificate); the counts must be equal and under the budget."""

import pytest

from courses.services import enrollment_create
from quizzes.services import attempt_start
from tests.courses.conftest import client_for
from tests.factories import (
    AccreditorFactory,
    clinician,
    course_build,
    course_completed_by,
    lesson_done,
    lessons_complete,
    lessons_of,
)
from tests.queries import assert_constant, page_queries

pytestmark = pytest.mark.django_db

# Measured 15 and 34 to 35 (Wagtail's routing and the footer take about half); the
# dashboard reads the licenses once, for its license list and the renewal cards, and
# the evaluations with the attestations in one query. With the site cache on (as in
# production) the dashboard reads less: test_dashboard_reads.py.
DASHBOARD_BUDGET = 15
COURSE_PAGE_BUDGET = 35


def _courses_in_every_state(user, apa, label):
    """Three courses: one just started, one with a post-test attempt open, one
    completed with its certificate."""
    started = course_build(title=f"Started {label}", accreditors=[apa])
    enrollment_create(user=user, course=started)
    lesson_done(user=user, lesson=lessons_of(started)[0])
    testing = course_build(title=f"Testing {label}", accreditors=[apa])
    enrollment = enrollment_create(user=user, course=testing)
    lessons_complete(enrollment=enrollment)
    attempt_start(enrollment=enrollment)
    done, _ = course_completed_by(
        user=user, course=course_build(title=f"Done {label}", accreditors=[apa])
    )
    return started, testing, done.course


def test_the_dashboard_is_constant_in_courses_with_every_step_registered():
    apa = AccreditorFactory()
    user = clinician(professions=("psychologist",))
    client = client_for(user)
    _courses_in_every_state(user, apa, "one")
    small = page_queries(client, "/dashboard/")
    for label in ("two", "three"):
        _courses_in_every_state(user, apa, label)
    assert_constant(small, page_queries(client, "/dashboard/"), DASHBOARD_BUDGET)


@pytest.mark.parametrize("state", [0, 1, 2], ids=["started", "testing", "completed"])
def test_the_course_page_is_constant_in_lessons_and_history(state):
    apa = AccreditorFactory()
    user = clinician(professions=("psychologist",))
    client = client_for(user)
    small = _courses_in_every_state(user, apa, "one")[state]
    for label in ("two", "three"):
        _courses_in_every_state(user, apa, label)
    large = course_build(
        title="Long course", lessons=6, words_per_lesson=2600, hours="1.5", accreditors=[apa]
    )
    if state == 2:
        course_completed_by(user=user, course=large)
    else:
        enrollment = enrollment_create(user=user, course=large)
        if state == 1:
            lessons_complete(enrollment=enrollment)
            attempt_start(enrollment=enrollment)
        else:
            lesson_done(user=user, lesson=lessons_of(large)[0])
    assert_constant(
        page_queries(client, small.url), page_queries(client, large.url), COURSE_PAGE_BUDGET
    )
