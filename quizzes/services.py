"""Writes: starting and submitting attempts, the evaluation and the attestation.

Every refusal raises cms.refusals.Refusal with a message for the clinician and changes
nothing. Attempt limits and waits hold under concurrency: start and submit
both lock the enrollment row first (then the attempt), so two requests of the
same clinician run one after the other on PostgreSQL.
"""

import logging
import random
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags
from wagtail.log_actions import log

from cms.refusals import Refusal
from courses.models import Accreditor, Enrollment
from courses.services import completion_evaluate

from . import selectors
from .grading import ONE_ANSWER_KINDS, attempt_grade, question_freeze, questions_draw
from .models import (
    ATTESTATION_STATEMENT,
    Attempt,
    Attestation,
    Evaluation,
    EvaluationRating,
    HoursAccuracy,
    PostTestPage,
    RatingScale,
)

logger = logging.getLogger(__name__)

_rng = random.SystemRandom()

MAX_TEXT = {"bias_details": 2000, "comments": 5000}


def _lock_enrollment(enrollment_id: int) -> Enrollment:
    # of=self: lock the enrollment only, never the course row every participant shares.
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("course")
        .get(pk=enrollment_id)
    )


def _expire(attempt: Attempt, *, now) -> None:
    """Close an open attempt whose time ran out (deadline + grace) without grading
    its answers: it scores 0 and counts as an attempt."""
    attempt.status = Attempt.Status.EXPIRED
    attempt.submitted_at = now
    attempt.score = Decimal("0")
    attempt.passed = False
    attempt.results = {q["id"]: "0" for q in attempt.questions}
    attempt.save(update_fields=["status", "submitted_at", "score", "passed", "results"])
    logger.info("Attempt %s expired unsubmitted", attempt.pk)


def attempts_expire_overdue(*, enrollment: Enrollment) -> int:
    """Close the enrollment's open attempt if its time ran out. Returns how many closed."""
    now = timezone.now()
    closed = 0
    with transaction.atomic():
        _lock_enrollment(enrollment.pk)
        for attempt in Attempt.objects.select_for_update().filter(
            enrollment=enrollment, status=Attempt.Status.IN_PROGRESS, deadline__isnull=False
        ):
            if selectors.attempt_is_overdue(attempt=attempt, now=now):
                _expire(attempt, now=now)
                closed += 1
    return closed


def attempt_start(*, enrollment: Enrollment) -> Attempt:
    """Start an attempt, or return the one already open.

    The draw (questions, their order, the order of their choices) is made here,
    from the live revision of the post-test, and stored with its answer key.
    """
    # Expiry is a fact of time, kept even when the start below is refused.
    attempts_expire_overdue(enrollment=enrollment)
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment.pk)
        if not enrollment.is_active:
            raise Refusal("Enroll in the course first.", kind=Refusal.Kind.NOT_ALLOWED)
        post_test = selectors.post_test_for_course(course=enrollment.course)
        now = timezone.now()
        status = selectors.post_test_status(enrollment=enrollment, post_test=post_test)
        if status.open_attempt is not None:
            return status.open_attempt
        if status.refusal:
            raise Refusal(
                status.refusal,
                kind=Refusal.Kind.CONFLICT if status.unlocked else Refusal.Kind.NOT_ALLOWED,
            )
        pool = [question_freeze(block) for block in post_test.questions]
        drawn = questions_draw(
            pool,
            count=post_test.draw_count,
            shuffle_questions=post_test.shuffle_questions,
            shuffle_choices=post_test.shuffle_choices,
            rng=_rng,
        )
        # A per-learner override may allow this attempt, lengthen or lift its time
        # limit, or have waived the wait before it; it is recorded on the attempt.
        limit = status.time_limit_minutes
        applies = status.override_applies
        attempt = Attempt.objects.create(
            enrollment=enrollment,
            post_test=post_test,
            revision_id=post_test.live_revision_id,
            number=status.used + 1,
            questions=drawn,
            pass_mark=status.pass_mark,
            started_at=now,
            deadline=now + timedelta(minutes=limit) if limit else None,
            override=status.override if applies else None,
            override_extra=applies and status.next_is_extra,
        )
    logger.info("Attempt %s started (enrollment %s)", attempt.pk, enrollment.pk)
    return attempt


def _validated_answers(attempt: Attempt, answers: dict, *, allow_missing: bool) -> dict:
    """Answers as {question id: [choice ids]}, checked against this attempt's draw."""
    if not isinstance(answers, dict):
        raise Refusal("The answers could not be read.")
    questions = {q["id"]: q for q in attempt.questions}
    numbers = {q["id"]: n for n, q in enumerate(attempt.questions, start=1)}
    foreign = [key for key in answers if key not in questions]
    if foreign:
        raise Refusal(
            "The submission answers a question that is not part of this attempt. "
            "Nothing was recorded; reload the attempt and submit again."
        )
    clean: dict[str, list[str]] = {}
    for qid, chosen in answers.items():
        question = questions[qid]
        if isinstance(chosen, str):
            chosen = [chosen]
        if not isinstance(chosen, list | tuple) or not all(isinstance(c, str) for c in chosen):
            raise Refusal(f"The answer to question {numbers[qid]} could not be read.")
        chosen = list(dict.fromkeys(chosen))
        valid = {c["id"] for c in question["choices"]}
        if any(c not in valid for c in chosen):
            raise Refusal(
                f"The answer to question {numbers[qid]} names a choice that does not belong to "
                "that question. Nothing was recorded."
            )
        if question["kind"] in ONE_ANSWER_KINDS and len(chosen) > 1:
            raise Refusal(f"Question {numbers[qid]} takes one answer only.")
        if chosen:
            clean[qid] = chosen
    missing = [numbers[qid] for qid in questions if qid not in clean]
    if missing and not allow_missing:
        listed = ", ".join(str(n) for n in missing)
        raise Refusal(
            f"Please answer every question before submitting (unanswered: {listed}). "
            "Your attempt is still open."
        )
    return clean


def _own_attempt_enrollment_id(*, attempt_id: int, user) -> int:
    """The enrollment of the clinician's own attempt; another's is not found."""
    found = Attempt.objects.filter(pk=attempt_id, enrollment__user=user).values_list(
        "enrollment_id", flat=True
    )
    if not found:
        raise Refusal("There is no such attempt.", kind=Refusal.Kind.NOT_FOUND)
    return found[0]


def attempt_answer_save(
    *, attempt_id: int, user, question_id: str, choice_ids: list[str]
) -> Attempt:
    """Save one answer of an open attempt as the clinician chooses it, so that a
    reload or another device shows it again. Never graded: the submit sends every
    answer and only the submit is graded. No choice: the answer is cleared.

    Refused, changing nothing: someone else's attempt, an attempt of a course the
    clinician has unenrolled from, an attempt already closed (submitted, or its
    time ran out: the server's deadline, not the page's timer, decides), a question
    not drawn for this attempt, a choice of another question.
    """
    enrollment_id = _own_attempt_enrollment_id(attempt_id=attempt_id, user=user)
    # Expiry is a fact of time, kept although the save below is refused.
    attempts_expire_overdue(enrollment=Enrollment(pk=enrollment_id))
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment_id)
        if not enrollment.is_active:
            raise Refusal(
                "You have unenrolled from this course, so answers are no longer saved.",
                kind=Refusal.Kind.NOT_ALLOWED,
            )
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        now = timezone.now()
        if not attempt.is_open:
            raise Refusal(
                "This attempt is closed, so answers are no longer saved."
                + (" Time ran out." if attempt.status == Attempt.Status.EXPIRED else ""),
                kind=Refusal.Kind.CONFLICT,
            )
        if attempt.deadline is not None and now > attempt.deadline:
            raise Refusal(
                "The time limit has passed, so answers are no longer saved. "
                "Submit the attempt now.",
                kind=Refusal.Kind.CONFLICT,
            )
        if not any(q["id"] == question_id for q in attempt.questions):
            raise Refusal(
                "That question is not part of this attempt; nothing was saved. "
                "Reload the attempt and answer again."
            )
        clean = _validated_answers(attempt, {question_id: choice_ids}, allow_missing=True)
        draft = {qid: ids for qid, ids in attempt.draft.items() if qid != question_id}
        if question_id in clean:
            draft[question_id] = clean[question_id]
        attempt.draft = draft
        attempt.draft_saved_at = now
        attempt.save(update_fields=["draft", "draft_saved_at"])
    return attempt


def attempt_submit(*, attempt_id: int, user, answers: dict, time_up: bool = False) -> Attempt:
    """Grade an open attempt, once.

    Refused, changing nothing: someone else's attempt, an attempt of a
    course the clinician has unenrolled from, an attempt already
    graded (a double or replayed submit), answers to questions not drawn for
    it, choices of another question, unanswered questions (while time is
    left). Unanswered questions count 0 when the timer ran out (`time_up`, sent
    by the page's timer) or the deadline has passed; a submit later than the
    deadline plus the grace period is not graded: the attempt is closed as
    expired with 0 (see docs/quizzes.md).
    """
    enrollment_id = _own_attempt_enrollment_id(attempt_id=attempt_id, user=user)
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment_id)
        if not enrollment.is_active:
            raise Refusal(
                "You have unenrolled from this course, so this attempt cannot be submitted. "
                "Enroll again to continue; your open attempt is kept.",
                kind=Refusal.Kind.NOT_ALLOWED,
            )
        attempt = Attempt.objects.select_for_update().get(pk=attempt_id)
        if not attempt.is_open:
            when = timezone.localtime(attempt.submitted_at)
            raise Refusal(
                f"This attempt was already closed at {when:%H:%M} on {when:%-d %B %Y}; "
                "it is graded once and cannot be submitted again.",
                kind=Refusal.Kind.CONFLICT,
            )
        now = timezone.now()
        if selectors.attempt_is_overdue(attempt=attempt, now=now):
            _expire(attempt, now=now)
            return attempt
        past_deadline = attempt.deadline is not None and now > attempt.deadline
        # Letting the timer submit an incomplete attempt gains nothing: blanks score 0.
        clean = _validated_answers(attempt, answers, allow_missing=past_deadline or time_up)
        grade = attempt_grade(attempt.questions, clean, pass_mark=attempt.pass_mark)
        attempt.answers = clean
        attempt.results = {qid: str(float(credit)) for qid, credit in grade.credits.items()}
        attempt.score = grade.score
        attempt.passed = grade.passed
        attempt.status = Attempt.Status.SUBMITTED
        attempt.submitted_at = now
        attempt.save(
            update_fields=["answers", "results", "score", "passed", "status", "submitted_at"]
        )
    logger.info("Attempt %s graded: %s%%, passed=%s", attempt.pk, attempt.score, attempt.passed)
    if attempt.passed:
        completion_evaluate(enrollment_id=attempt.enrollment_id)
    return attempt


# --- Evaluation and attestation --------------------------------------------------------------


def _require_passed(enrollment: Enrollment) -> None:
    if not enrollment.is_active:
        raise Refusal("Enroll in the course first.", kind=Refusal.Kind.NOT_ALLOWED)
    if not Attempt.objects.filter(enrollment=enrollment, passed=True).exists():
        raise Refusal(
            "The evaluation opens once you pass the post-test.", kind=Refusal.Kind.NOT_ALLOWED
        )


def _rating(value, what: str) -> int:
    if value not in RatingScale.values:
        raise Refusal(f"The rating for {what} must be a whole number from 1 to 5.")
    return int(value)


def evaluation_submit(
    *,
    enrollment: Enrollment,
    objective_ratings: dict[int, int],
    instructor_ratings: dict[int, int],
    relevance: int,
    content_quality: int,
    hours_accurate: str,
    bias_noticed: bool,
    bias_details: str = "",
    comments: str = "",
) -> Evaluation:
    """Record the participant's evaluation (one per enrollment). Ratings are keyed
    by objective number and instructor position (1-based), and every item of
    the course must be rated."""
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment.pk)
        _require_passed(enrollment)
        if Evaluation.objects.filter(enrollment=enrollment).exists():
            raise Refusal("You have already evaluated this course.", kind=Refusal.Kind.CONFLICT)
        items = selectors.evaluation_items(course=enrollment.course)
        given = {
            "objective": dict(objective_ratings or {}),
            "instructor": dict(instructor_ratings or {}),
        }
        expected = {kind: {i.position for i in items if i.kind == kind} for kind in given}
        for kind, ratings in given.items():
            if set(ratings) != expected[kind]:
                raise Refusal(f"Rate each {kind} of this course, and only those.")
        if hours_accurate not in HoursAccuracy.values:
            raise Refusal("Say whether the stated hours were accurate.")
        if not isinstance(bias_noticed, bool):
            raise Refusal("Say whether you noticed commercial bias.")
        for label, text, limit in (
            ("description of the bias", bias_details, MAX_TEXT["bias_details"]),
            ("comments", comments, MAX_TEXT["comments"]),
        ):
            if len(text or "") > limit:
                raise Refusal(f"The {label} can hold up to {limit:,} characters.")
        evaluation = Evaluation(
            enrollment=enrollment,
            submitted_at=timezone.now(),
            relevance=_rating(relevance, "relevance to practice"),
            content_quality=_rating(content_quality, "content quality"),
            hours_accurate=hours_accurate,
            bias_noticed=bias_noticed,
            bias_details=(bias_details or "").strip() if bias_noticed else "",
            comments=(comments or "").strip(),
        )
        ratings = [
            EvaluationRating(
                kind=item.kind,
                position=item.position,
                label=item.label[:400],
                rating=_rating(given[item.kind][item.position], item.label),
            )
            for item in items
        ]
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError:
            raise Refusal(
                "You have already evaluated this course.", kind=Refusal.Kind.CONFLICT
            ) from None
        for rating in ratings:
            rating.evaluation = evaluation
        EvaluationRating.objects.bulk_create(ratings)
    completion_evaluate(enrollment_id=enrollment.pk)
    return evaluation


def claim_unmatched_message(short_names: list[str]) -> str:
    return (
        f"{', '.join(short_names)} credit is for the professions that accreditor serves, and "
        "none of the licenses on your profile is one of them. Add your license to your "
        "profile to claim it; with no credit claimed you receive a certificate of attendance."
    )


def attestation_submit(
    *, enrollment: Enrollment, confirmed: bool, accreditors: list[Accreditor]
) -> Attestation:
    """The clinician attests they completed the course themselves, and claims
    credit under some of the course's accreditors that match their licensed
    professions (none: attendance only). The evaluation comes first."""
    with transaction.atomic():
        enrollment = _lock_enrollment(enrollment.pk)
        _require_passed(enrollment)
        if confirmed is not True:
            raise Refusal("Confirm that you completed this course yourself.")
        if not Evaluation.objects.filter(enrollment=enrollment).exists():
            raise Refusal(
                "Complete the evaluation before the attestation.", kind=Refusal.Kind.CONFLICT
            )
        if Attestation.objects.filter(enrollment=enrollment).exists():
            raise Refusal(
                "You have already signed the attestation for this course.",
                kind=Refusal.Kind.CONFLICT,
            )
        options = {o.accreditor.pk: o for o in selectors.claim_options(enrollment=enrollment)}
        chosen = {a.pk for a in accreditors}
        if not chosen <= set(options):
            raise Refusal("Credit can only be claimed under this course's accreditors.")
        unmatched = sorted(
            options[pk].accreditor.short_name for pk in chosen if not options[pk].matches_license
        )
        if unmatched:
            raise Refusal(claim_unmatched_message(unmatched))
        try:
            with transaction.atomic():
                attestation = Attestation.objects.create(
                    enrollment=enrollment,
                    statement=ATTESTATION_STATEMENT,
                    attested_at=timezone.now(),
                )
        except IntegrityError:
            raise Refusal(
                "You have already signed the attestation for this course.",
                kind=Refusal.Kind.CONFLICT,
            ) from None
        attestation.accreditors.set(chosen)
    completion_evaluate(enrollment_id=enrollment.pk)
    return attestation


def post_test_publish(*, post_test: PostTestPage, user=None) -> None:
    """Publish the latest revision of a post-test (seed data and factories)."""
    post_test.save_revision(user=user).publish(user=user)


# --- Importing questions -------------------------------------------------------------------

#: The page history's name for an import (registered in wagtail_hooks).
QUESTIONS_IMPORT_ACTION = "practicum.questions_import"


def post_test_questions_import(
    *, post_test_id: int, user, blocks: list[dict], base_revision_id: int | None, source: str
):
    """Add `blocks` (quizzes.question_import.question_blocks) after the post-test's
    questions as they stand in its latest revision, as a new draft revision by `user`
    (nothing is published: the import is reviewed like any edit). Refused, changing
    nothing, when the post-test changed since the preview that `base_revision_id`
    names (another import, an edit, or the same import sent twice), or when it is
    locked for `user` (by another person, or by its review). Returns the new revision."""
    if not blocks:
        raise Refusal("Nothing to import.", kind="invalid")
    with transaction.atomic():
        page = PostTestPage.objects.select_for_update().filter(pk=post_test_id).first()
        if page is None:
            raise Refusal("This post-test does not exist.", kind="not_found")
        if page.latest_revision_id != base_revision_id:
            raise Refusal(
                "The post-test changed since this preview (an edit, or this import already "
                "done): nothing was imported. Check its questions, then preview again.",
                kind="conflict",
            )
        lock = page.get_lock()
        if lock is not None and lock.for_user(user):
            # Locked by another person, or in review where this person may not edit.
            raise Refusal(
                f"The post-test cannot be edited now ({strip_tags(lock.get_message(user))}): "
                "nothing was imported.",
                kind="conflict",
            )
        draft = page.get_latest_revision_as_object()
        draft.questions = [*draft.questions.raw_data, *blocks]
        if not page.live:
            # As the editor does for a page never published: its row holds the draft too.
            PostTestPage.objects.filter(pk=page.pk).update(questions=draft.questions)
        revision = draft.save_revision(user=user, log_action=True)
        log(
            instance=page,
            action=QUESTIONS_IMPORT_ACTION,
            user=user,
            revision=revision,
            data={"questions": len(blocks), "format": source},
        )
    return revision
