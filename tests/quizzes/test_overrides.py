"""Per-learner overrides on the post-test (issue 15): an override lets exactly the
granted extra attempts, the longer time limit (or none) and no wait; it is
recorded on the attempt it applies to, shown to the clinician, and ends at its
expiry. Grading and the pass mark never change."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.refusals import Refusal
from courses.models import LearnerOverride
from courses.overrides import override_grant
from quizzes.grading import answer_key
from quizzes.selectors import post_test_for_course, post_test_status
from quizzes.services import attempt_start
from tests.factories import page_words
from tests.quizzes.test_attempts import submit, wrong_answers

pytestmark = pytest.mark.django_db


def grant(administrator, enrollment, *, days=30, **fields):
    return override_grant(
        actor=administrator,
        user=enrollment.user,
        course=enrollment.course,
        reason="Accommodation: documented processing disorder.",
        expires_on=timezone.localdate() + timedelta(days=days),
        **fields,
    )


def fail(enrollment):
    attempt = attempt_start(enrollment=enrollment)
    return submit(attempt, wrong_answers(attempt))


def test_an_extra_attempt_allows_exactly_one_more_and_is_recorded_on_it(
    enrollment_for, administrator
):
    enrollment = enrollment_for(attempts_allowed=2)
    first, second = fail(enrollment), fail(enrollment)
    with pytest.raises(Refusal, match="You have used all 2 attempts"):
        attempt_start(enrollment=enrollment)

    override = grant(administrator, enrollment, extra_attempts=1)
    third = attempt_start(enrollment=enrollment)
    assert (third.number, third.override, third.override_extra) == (3, override, True)
    assert third.pass_mark == first.pass_mark  # the pass mark never changes
    submit(third, wrong_answers(third))
    with pytest.raises(Refusal, match="You have used all 3 attempts"):
        attempt_start(enrollment=enrollment)
    assert [a.override_id for a in (first, second)] == [None, None]


def test_an_extra_attempt_granted_early_is_used_after_the_regular_ones(
    enrollment_for, administrator
):
    enrollment = enrollment_for(attempts_allowed=2)
    override = grant(administrator, enrollment, extra_attempts=1)
    attempts = [fail(enrollment) for _ in range(3)]
    assert [a.override_extra for a in attempts] == [False, False, True]
    assert all(a.override == override for a in attempts[2:])
    with pytest.raises(Refusal):
        attempt_start(enrollment=enrollment)
    # The grade is the same as without it: the answer key still passes, wrong answers fail.
    assert attempts[2].score == 0 and not attempts[2].passed


def test_an_expired_override_allows_nothing_more(enrollment_for, administrator):
    enrollment = enrollment_for(attempts_allowed=1)
    fail(enrollment)
    override = grant(administrator, enrollment, extra_attempts=2, days=0)
    fail(enrollment)  # today is its last day
    LearnerOverride.objects.filter(pk=override.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    status = post_test_status(enrollment=enrollment)
    assert (status.allowed, status.used, status.left) == (2, 2, 0)  # the one used stays used
    with pytest.raises(Refusal, match="You have used all 2 attempts"):
        attempt_start(enrollment=enrollment)


def test_a_new_grant_replaces_the_current_one_and_spent_extras_stay_spent(
    enrollment_for, administrator
):
    enrollment = enrollment_for(attempts_allowed=1)
    fail(enrollment)
    first = grant(administrator, enrollment, extra_attempts=1)
    fail(enrollment)
    second = grant(administrator, enrollment, extra_attempts=1)
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == administrator
    third = fail(enrollment)
    assert (third.number, third.override, third.override_extra) == (3, second, True)
    with pytest.raises(Refusal):
        attempt_start(enrollment=enrollment)


def test_a_longer_time_limit_applies_to_the_attempt_and_expires(enrollment_for, administrator):
    enrollment = enrollment_for(time_limit_minutes=30, attempts_allowed=3)
    override = grant(administrator, enrollment, time_limit_minutes=90)
    attempt = attempt_start(enrollment=enrollment)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=90)
    assert attempt.override == override and not attempt.override_extra
    submit(attempt, wrong_answers(attempt))

    LearnerOverride.objects.filter(pk=override.pk).update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    attempt = attempt_start(enrollment=enrollment)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)
    assert attempt.override is None


def test_a_shorter_limit_in_an_override_never_shortens_the_post_test(enrollment_for, administrator):
    enrollment = enrollment_for(time_limit_minutes=30)
    grant(administrator, enrollment, time_limit_minutes=10)
    attempt = attempt_start(enrollment=enrollment)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=30)


def test_no_time_limit(enrollment_for, administrator):
    enrollment = enrollment_for(time_limit_minutes=30)
    grant(administrator, enrollment, no_time_limit=True)
    assert attempt_start(enrollment=enrollment).deadline is None


def test_the_wait_between_attempts_can_be_waived(enrollment_for, administrator):
    enrollment = enrollment_for(wait_minutes=60, attempts_allowed=3)
    fail(enrollment)
    with pytest.raises(Refusal, match="You can start your next attempt at"):
        attempt_start(enrollment=enrollment)
    override = grant(administrator, enrollment, waive_wait=True)
    second = attempt_start(enrollment=enrollment)
    assert second.override == override


def test_the_clinician_sees_what_was_granted_on_the_post_test_and_the_dashboard(
    client, enrollment_for, administrator
):
    enrollment = enrollment_for(attempts_allowed=1, time_limit_minutes=30)
    fail(enrollment)
    override = grant(administrator, enrollment, extra_attempts=1, time_limit_minutes=45)
    client.force_login(enrollment.user)
    day = f"{override.granted_at.day} {override.granted_at:%b %Y}"
    post_test = post_test_for_course(course=enrollment.course)
    page = page_words(client.get(post_test.url))
    assert f"Granted to you by the CE administrator on {day}" in page
    assert "you have 1 extra attempt (1 not used yet), a time limit of 45 minutes" in page
    assert "Attempts: 2 in all, 1 left" in page
    assert "Time limit: 45 minutes" in page
    dashboard = client.get("/dashboard/").content.decode()
    assert (
        f"1 of 2 attempts left; you have 1 extra attempt, a time limit of 45 minutes, granted {day}"
        in (dashboard)
    )


def test_passing_under_an_override_is_graded_as_anyone_else(enrollment_for, administrator):
    enrollment = enrollment_for(attempts_allowed=1)
    fail(enrollment)
    grant(administrator, enrollment, extra_attempts=1)
    attempt = attempt_start(enrollment=enrollment)
    passed = submit(attempt, answer_key(attempt.questions))
    assert passed.passed and passed.score == 100
