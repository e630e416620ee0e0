"""Starting and submitting attempts through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.refusals import Refusal, refusal_status
from courses.models import CourseCompletion
from courses.services import enrollment_create, enrollment_unenroll
from quizzes.grading import answer_key
from quizzes.models import Attempt, ReviewPolicy
from quizzes.selectors import SUBMIT_GRACE, attempt_review, post_test_status, review_level
from quizzes.services import attempt_start, attempt_submit
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    posttest_build,
    q_multiple,
    q_single,
    q_true_false,
)
from tests.quizzes.conftest import singles

pytestmark = pytest.mark.django_db


def wrong_answers(attempt):
    return {
        q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])]
        for q in attempt.questions
    }


def submit(attempt, answers, **kwargs):
    return attempt_submit(
        attempt_id=attempt.pk, user=attempt.enrollment.user, answers=answers, **kwargs
    )


def snapshot(attempt):
    attempt.refresh_from_db()
    return (attempt.status, attempt.answers, attempt.results, attempt.score, attempt.passed)


# --- Draws ----------------------------------------------------------------------------------


def test_an_attempt_stores_its_draw_with_the_key_and_choice_order(enrollment_for):
    enrollment = enrollment_for(questions=singles(10), draw_count=4)
    attempt = attempt_start(enrollment=enrollment)
    stored = Attempt.objects.get(pk=attempt.pk).questions
    assert len(stored) == 4
    assert all(
        {"id", "stem", "choices", "rationale", "objective", "kind"} <= set(q) for q in stored
    )
    assert all(sum(c["correct"] for c in q["choices"]) == 1 for q in stored)
    # Reading it again (a reload of the page) never redraws.
    assert attempt_start(enrollment=enrollment).questions == stored
    assert attempt.revision_id == attempt.post_test.live_revision_id


def test_each_attempt_draws_anew(enrollment_for):
    enrollment = enrollment_for(questions=singles(10), draw_count=4, attempts_allowed=6)
    draws = set()
    for _ in range(6):
        attempt = attempt_start(enrollment=enrollment)
        draws.add(tuple(q["id"] for q in attempt.questions))
        submit(attempt, wrong_answers(attempt))
    assert len(draws) > 1
    stored = {
        tuple(q["id"] for q in a.questions) for a in Attempt.objects.filter(enrollment=enrollment)
    }
    assert stored == draws


def test_later_edits_of_the_post_test_do_not_change_how_an_attempt_is_graded(enrollment_for):
    enrollment = enrollment_for(questions=[q_single("Which?", correct=0)], shuffle_choices=False)
    attempt = attempt_start(enrollment=enrollment)
    key = answer_key(attempt.questions)
    # The author changes the key and publishes while the attempt is open.
    post_test = attempt.post_test
    changed = post_test.questions.raw_data
    changed[0]["value"]["choices"][0]["correct"] = False
    changed[0]["value"]["choices"][1]["correct"] = True
    posttest_build(course=enrollment.course, questions=changed)
    graded = submit(attempt, key)
    assert graded.passed and graded.score == Decimal("100")


# --- Unlocking and limits -------------------------------------------------------------------


def test_the_post_test_stays_locked_until_every_lesson_is_complete(enrollment_for):
    enrollment = enrollment_for(lessons_done=False)
    with pytest.raises(Refusal, match="unlocks when every lesson"):
        attempt_start(enrollment=enrollment)
    assert not Attempt.objects.exists()


def test_starting_again_returns_the_open_attempt(enrollment_for):
    enrollment = enrollment_for()
    first = attempt_start(enrollment=enrollment)
    assert attempt_start(enrollment=enrollment).pk == first.pk
    assert Attempt.objects.count() == 1


def test_an_attempt_after_the_limit_is_refused(enrollment_for):
    enrollment = enrollment_for(attempts_allowed=2)
    for _ in range(2):
        attempt = attempt_start(enrollment=enrollment)
        submit(attempt, wrong_answers(attempt))
    with pytest.raises(Refusal, match="used all 2 attempts"):
        attempt_start(enrollment=enrollment)
    assert Attempt.objects.filter(enrollment=enrollment).count() == 2


def test_no_attempt_after_passing(enrollment_for):
    enrollment = enrollment_for()
    attempt = attempt_start(enrollment=enrollment)
    assert submit(attempt, answer_key(attempt.questions)).passed
    with pytest.raises(Refusal, match="already passed"):
        attempt_start(enrollment=enrollment)


def test_defaults_come_from_the_strictest_accreditor(enrollment_for):
    lenient = AccreditorFactory(short_name="NBCC", pass_mark=Decimal("70"), attempts_allowed=5)
    strict = AccreditorFactory(short_name="ASWB ACE", pass_mark=Decimal("80"), attempts_allowed=2)
    enrollment = enrollment_for(accreditors=[lenient, strict])
    status = post_test_status(enrollment=enrollment)
    assert status.pass_mark == Decimal("80")
    assert status.allowed == 2
    assert attempt_start(enrollment=enrollment).pass_mark == Decimal("80")


def test_post_test_settings_override_the_accreditor_defaults(enrollment_for):
    enrollment = enrollment_for(pass_mark=Decimal("90"), attempts_allowed=4)
    status = post_test_status(enrollment=enrollment)
    assert (status.pass_mark, status.allowed) == (Decimal("90"), 4)


def test_the_wait_between_attempts_holds(enrollment_for):
    enrollment = enrollment_for(wait_minutes=30)
    attempt = attempt_start(enrollment=enrollment)
    submit(attempt, wrong_answers(attempt))
    with pytest.raises(Refusal, match="30 minutes after the last one"):
        attempt_start(enrollment=enrollment)
    assert Attempt.objects.filter(enrollment=enrollment).count() == 1
    Attempt.objects.filter(pk=attempt.pk).update(
        submitted_at=timezone.now() - timedelta(minutes=31)
    )
    assert attempt_start(enrollment=enrollment).number == 2


# --- Submitting -----------------------------------------------------------------------------


def test_a_second_submit_of_the_same_attempt_is_refused_and_changes_nothing(enrollment_for):
    enrollment = enrollment_for()
    attempt = attempt_start(enrollment=enrollment)
    submit(attempt, wrong_answers(attempt))
    before = snapshot(attempt)
    with pytest.raises(Refusal, match="graded once") as refused:
        submit(attempt, answer_key(attempt.questions))
    assert refusal_status(refused.value) == 409
    assert snapshot(attempt) == before
    assert not before[4]


def test_resubmitting_an_old_attempt_is_refused(enrollment_for):
    enrollment = enrollment_for()
    old = attempt_start(enrollment=enrollment)
    submit(old, wrong_answers(old))
    current = attempt_start(enrollment=enrollment)
    before = snapshot(old)
    with pytest.raises(Refusal, match="already closed"):
        submit(old, answer_key(old.questions))
    assert snapshot(old) == before
    assert Attempt.objects.get(pk=current.pk).is_open


def test_answers_to_questions_not_drawn_are_refused(enrollment_for):
    enrollment = enrollment_for(questions=singles(6), draw_count=3)
    attempt = attempt_start(enrollment=enrollment)
    drawn = {q["id"] for q in attempt.questions}
    pool_ids = {b.id for b in attempt.post_test.questions}
    not_drawn = next(iter(pool_ids - drawn))
    answers = answer_key(attempt.questions) | {not_drawn: ["anything"]}
    with pytest.raises(Refusal, match="not part of this attempt"):
        submit(attempt, answers)
    assert snapshot(attempt)[:2] == (Attempt.Status.IN_PROGRESS, {})


def test_a_choice_of_another_question_is_refused(enrollment_for):
    enrollment = enrollment_for(questions=singles(3))
    attempt = attempt_start(enrollment=enrollment)
    first, second = attempt.questions[0], attempt.questions[1]
    answers = answer_key(attempt.questions)
    answers[first["id"]] = [second["choices"][0]["id"]]
    with pytest.raises(Refusal, match="does not belong to that question"):
        submit(attempt, answers)
    assert snapshot(attempt)[:2] == (Attempt.Status.IN_PROGRESS, {})


def test_true_false_answers_are_not_interchangeable_between_questions(enrollment_for):
    enrollment = enrollment_for(
        questions=[q_true_false("One.", objective=1), q_true_false("Two.", objective=2)]
    )
    attempt = attempt_start(enrollment=enrollment)
    one, two = attempt.questions
    with pytest.raises(Refusal, match="does not belong"):
        submit(
            attempt, {one["id"]: [two["choices"][0]["id"]], two["id"]: [two["choices"][0]["id"]]}
        )


def test_two_answers_to_a_single_choice_question_are_refused(enrollment_for):
    enrollment = enrollment_for(questions=singles(2))
    attempt = attempt_start(enrollment=enrollment)
    answers = answer_key(attempt.questions)
    q = attempt.questions[0]
    answers[q["id"]] = [c["id"] for c in q["choices"][:2]]
    with pytest.raises(Refusal, match="one answer only"):
        submit(attempt, answers)
    assert snapshot(attempt)[0] == Attempt.Status.IN_PROGRESS


def test_unanswered_questions_are_refused_while_time_is_left(enrollment_for):
    enrollment = enrollment_for(questions=singles(3))
    attempt = attempt_start(enrollment=enrollment)
    answers = answer_key(attempt.questions)
    answers.pop(attempt.questions[2]["id"])
    with pytest.raises(Refusal, match=r"unanswered: 3"):
        submit(attempt, answers)
    assert snapshot(attempt)[0] == Attempt.Status.IN_PROGRESS


def test_someone_elses_attempt_is_not_found(enrollment_for):
    attempt = attempt_start(enrollment=enrollment_for())
    with pytest.raises(Refusal, match="no such attempt") as refused:
        attempt_submit(
            attempt_id=attempt.pk, user=UserFactory(), answers=answer_key(attempt.questions)
        )
    assert refusal_status(refused.value) == 404
    assert snapshot(attempt)[0] == Attempt.Status.IN_PROGRESS


def test_an_attempt_cannot_be_submitted_after_unenrolling_until_enrolled_again(enrollment_for):
    enrollment = enrollment_for()
    attempt = attempt_start(enrollment=enrollment)
    enrollment_unenroll(enrollment=enrollment)
    with pytest.raises(Refusal, match="unenrolled") as refused:
        submit(attempt, answer_key(attempt.questions))
    assert refusal_status(refused.value) == 403
    assert snapshot(attempt)[:2] == (Attempt.Status.IN_PROGRESS, {})
    assert not CourseCompletion.objects.filter(enrollment=enrollment).exists()

    enrollment_create(user=enrollment.user, course=enrollment.course)
    assert submit(attempt, answer_key(attempt.questions)).passed


def test_a_pass_records_score_results_and_answers(enrollment_for):
    enrollment = enrollment_for()
    attempt = attempt_start(enrollment=enrollment)
    graded = submit(attempt, answer_key(attempt.questions))
    assert (graded.status, graded.score, graded.passed) == (
        Attempt.Status.SUBMITTED,
        Decimal("100.00"),
        True,
    )
    assert set(graded.results.values()) == {"1.0"}
    assert set(graded.answers) == {q["id"] for q in attempt.questions}


def test_partial_credit_is_recorded_per_question(enrollment_for):
    enrollment = enrollment_for(
        questions=[
            q_single("A?", objective=1),
            q_multiple("B?", correct=(0, 1), partial_credit=True, objective=2),
        ],
        shuffle_choices=False,
        shuffle_questions=False,
    )
    attempt = attempt_start(enrollment=enrollment)
    a, b = attempt.questions
    graded = submit(attempt, {a["id"]: [a["choices"][0]["id"]], b["id"]: [b["choices"][0]["id"]]})
    assert graded.results == {a["id"]: "1.0", b["id"]: "0.5"}
    assert graded.score == Decimal("75.00") and graded.passed


# --- Time limit -----------------------------------------------------------------------------


def _move_deadline(attempt, delta):
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + delta)


def test_a_time_limit_sets_the_deadline(enrollment_for):
    attempt = attempt_start(enrollment=enrollment_for(time_limit_minutes=20))
    assert attempt.deadline - attempt.started_at == timedelta(minutes=20)


def test_a_submit_in_the_grace_period_is_graded_with_blanks_as_wrong(enrollment_for):
    enrollment = enrollment_for(questions=singles(4), time_limit_minutes=10)
    attempt = attempt_start(enrollment=enrollment)
    _move_deadline(attempt, -timedelta(seconds=5))
    answers = answer_key(attempt.questions)
    for q in attempt.questions[3:]:
        answers.pop(q["id"])
    graded = submit(attempt, answers)
    assert graded.status == Attempt.Status.SUBMITTED
    assert graded.score == Decimal("75.00")


def test_the_timer_may_submit_an_incomplete_attempt_before_the_deadline(enrollment_for):
    enrollment = enrollment_for(questions=singles(4), time_limit_minutes=10)
    attempt = attempt_start(enrollment=enrollment)
    graded = submit(attempt, {}, time_up=True)
    assert graded.status == Attempt.Status.SUBMITTED and graded.score == 0


def test_a_submit_after_the_grace_period_is_not_graded(enrollment_for):
    enrollment = enrollment_for(time_limit_minutes=10)
    attempt = attempt_start(enrollment=enrollment)
    _move_deadline(attempt, -(SUBMIT_GRACE + timedelta(seconds=1)))
    closed = submit(attempt, answer_key(attempt.questions))
    assert closed.status == Attempt.Status.EXPIRED
    assert (closed.score, closed.passed, closed.answers) == (Decimal("0"), False, {})
    assert not CourseCompletion.objects.exists()
    # It counts as an attempt: the next one is number 2.
    assert attempt_start(enrollment=enrollment).number == 2


def test_an_abandoned_timed_attempt_expires_when_the_next_one_starts(enrollment_for):
    enrollment = enrollment_for(time_limit_minutes=5, attempts_allowed=1)
    attempt = attempt_start(enrollment=enrollment)
    _move_deadline(attempt, -timedelta(hours=1))
    with pytest.raises(Refusal, match="used all 1 attempts"):
        attempt_start(enrollment=enrollment)
    assert Attempt.objects.get(pk=attempt.pk).status == Attempt.Status.EXPIRED


# --- Review policy --------------------------------------------------------------------------


def _graded(enrollment_for, *, passed, **settings):
    enrollment = enrollment_for(
        questions=[q_single("A?", objective=1, rationale="Rationale A.")], **settings
    )
    attempt = attempt_start(enrollment=enrollment)
    answers = answer_key(attempt.questions) if passed else wrong_answers(attempt)
    return submit(attempt, answers)


def _level(attempt):
    return review_level(attempt=attempt, passed_any=attempt.passed)


def test_score_only_review_shows_nothing_per_question(enrollment_for):
    attempt = _graded(enrollment_for, passed=False, review_after_attempt=ReviewPolicy.SCORE)
    assert _level(attempt) == ReviewPolicy.SCORE
    assert attempt_review(attempt=attempt, level=_level(attempt)) == []


def test_which_were_wrong_review_hides_the_key_and_rationales(enrollment_for):
    attempt = _graded(enrollment_for, passed=False, review_after_attempt=ReviewPolicy.WRONG)
    [item] = attempt_review(attempt=attempt, level=_level(attempt))
    assert item["correct"] is False
    assert item["rationale"] == ""
    assert all(c["correct"] is None for c in item["choices"])
    assert sum(c["chosen"] for c in item["choices"]) == 1


def test_full_review_shows_the_key_and_rationales(enrollment_for):
    attempt = _graded(enrollment_for, passed=False, review_after_attempt=ReviewPolicy.FULL)
    [item] = attempt_review(attempt=attempt, level=_level(attempt))
    assert item["rationale"] == "Rationale A."
    assert [c["correct"] for c in item["choices"]].count(True) == 1


@pytest.mark.parametrize(
    ("full_review_after_pass", "level"),
    [(True, ReviewPolicy.FULL), (False, ReviewPolicy.SCORE)],
    ids=["full review after a pass", "the attempt's policy"],
)
def test_passing_opens_the_full_review_when_the_policy_says_so(
    enrollment_for, full_review_after_pass, level
):
    attempt = _graded(
        enrollment_for,
        passed=True,
        review_after_attempt=ReviewPolicy.SCORE,
        full_review_after_pass=full_review_after_pass,
    )
    assert _level(attempt) == level
