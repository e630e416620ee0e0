"""Row locks on real PostgreSQL: racing requests of one clinician run one after
the other, so an attempt is graded once and limits hold."""

import threading

import pytest
from django.db import connection

from cms.refusals import Refusal
from courses.services import enrollment_create
from quizzes.grading import answer_key
from quizzes.models import Attempt
from quizzes.services import attempt_start, attempt_submit
from tests.factories import UserFactory, course_build, lessons_complete, posttest_build

pytestmark = pytest.mark.django_db(transaction=True)


def race(n: int, fn):
    """Run fn in n threads released at once; return their results or exceptions."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # the test inspects it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def enrollment():
    course = course_build()
    posttest_build(course=course, attempts_allowed=1)
    enrollment = enrollment_create(user=UserFactory(), course=course)
    lessons_complete(enrollment=enrollment)
    return enrollment


def test_six_concurrent_submits_of_the_same_attempt_grade_it_exactly_once(enrollment):
    attempt = attempt_start(enrollment=enrollment)
    key = answer_key(attempt.questions)
    user = enrollment.user

    results = race(6, lambda: attempt_submit(attempt_id=attempt.pk, user=user, answers=key))

    graded = [r for r in results if isinstance(r, Attempt)]
    refused = [r for r in results if isinstance(r, Refusal)]
    assert len(graded) == 1 and len(refused) == 5, results
    assert all("graded once" in str(r) for r in refused)
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.passed


def test_concurrent_starts_create_one_attempt(enrollment):
    results = race(3, lambda: attempt_start(enrollment=enrollment))
    assert all(isinstance(r, Attempt) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1


def test_concurrent_start_and_submit_never_exceed_the_limit(enrollment):
    attempt = attempt_start(enrollment=enrollment)
    wrong = {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }
    user = enrollment.user
    calls = [
        lambda: attempt_submit(attempt_id=attempt.pk, user=user, answers=wrong),
        lambda: attempt_start(enrollment=enrollment),
        lambda: attempt_start(enrollment=enrollment),
    ]
    index = iter(range(3))
    lock = threading.Lock()

    def next_call():
        with lock:
            i = next(index)
        return calls[i]()

    race(3, next_call)
    # One attempt allowed: whatever the interleaving, never a second one.
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1
