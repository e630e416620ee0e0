"""Taking a post-test: where an enrollment stands, attempts, and their review."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from courses.models import (
    Enrollment,
    LearnerOverride,
)
from courses.selectors import lessons_complete_ids, override_in_force

from ..models import (
    DEFAULT_ATTEMPTS,
    DEFAULT_PASS_MARK,
    Attempt,
    PostTestPage,
    ReviewPolicy,
)
from .authoring import post_test_for_course

# A submit may arrive this long after the deadline (network, a slow click) and
# still be graded; later ones are not (see docs/quizzes.md).
SUBMIT_GRACE = timedelta(seconds=30)

# --- Taking ---------------------------------------------------------------------------------


def lessons_complete(*, enrollment: Enrollment) -> bool:
    return enrollment.pk in lessons_complete_ids(enrollments=[enrollment])


def attempts_regular(*, base: int, attempts: list[Attempt], override) -> int:
    """Attempts that need no extra one from the override in force: the post-test's
    own, plus the extra ones already spent under earlier or expired overrides
    (they stay spent). An attempt started once these are used is an extra one."""
    current = override.pk if override is not None else None
    spent = sum(1 for a in attempts if a.override_extra and a.override_id != current)
    return base + spent


def attempts_allowed(*, base: int, attempts: list[Attempt], override) -> int:
    """Every attempt the enrollment may make: `base` (the post-test's or its
    accreditors'), the extra ones spent under earlier overrides, and the extra
    ones of the override in force. Grading and the pass mark never change."""
    extra = override.extra_attempts if override is not None else 0
    return attempts_regular(base=base, attempts=attempts, override=override) + extra


@dataclass
class PostTestStatus:
    """Where an enrollment stands with a post-test, and whether it may start an attempt."""

    post_test: PostTestPage | None
    attempts: list[Attempt]
    allowed: int
    pass_mark: Decimal
    unlocked: bool
    now: datetime
    base_allowed: int = 0
    # The per-learner override in force (courses.LearnerOverride), if any.
    override: LearnerOverride | None = None

    @property
    def used(self) -> int:
        return len(self.attempts)

    @property
    def next_is_extra(self) -> bool:
        """The next attempt would be one of the override's extra attempts."""
        regular = attempts_regular(
            base=self.base_allowed, attempts=self.attempts, override=self.override
        )
        return self.used >= regular

    @property
    def extra_left(self) -> int:
        """Extra attempts of the override in force not used yet."""
        if self.override is None:
            return 0
        spent = sum(
            1 for a in self.attempts if a.override_extra and a.override_id == self.override.pk
        )
        return max(0, self.override.extra_attempts - spent)

    @property
    def time_limit_minutes(self) -> int | None:
        """The limit of the next attempt: the post-test's, longer or none under an override."""
        limit = self.post_test.time_limit_minutes if self.post_test is not None else None
        override = self.override
        if limit is None or override is None:
            return limit
        if override.no_time_limit:
            return None
        return max(limit, override.time_limit_minutes or 0)

    @property
    def wait_minutes(self) -> int:
        if self.post_test is None or (self.override is not None and self.override.waive_wait):
            return 0
        return self.post_test.wait_minutes

    @property
    def override_words(self) -> str:
        """What the override in force gives this post-test, in words for the clinician
        ("1 extra attempt (1 not used yet), a time limit of 90 minutes"); "" for none."""
        override = self.override
        if override is None:
            return ""
        parts = []
        if override.extra_attempts:
            parts.append(
                f"{override.extra_attempts} extra attempt{'s' * (override.extra_attempts != 1)}"
                f" ({self.extra_left} not used yet)"
            )
        own = self.post_test.time_limit_minutes if self.post_test is not None else None
        if own and self.time_limit_minutes != own:
            limit = self.time_limit_minutes
            parts.append(f"a time limit of {limit} minutes" if limit else "no time limit")
        if override.waive_wait and self.post_test is not None and self.post_test.wait_minutes:
            parts.append("no wait between attempts")
        return ", ".join(parts)

    @property
    def override_applies(self) -> bool:
        """The override in force changes the next attempt (so it is recorded on it)."""
        override = self.override
        if override is None:
            return False
        return bool(
            (override.extra_attempts and self.next_is_extra)
            or self.time_limit_minutes
            != (self.post_test.time_limit_minutes if self.post_test else None)
            or (override.waive_wait and self.post_test is not None and self.post_test.wait_minutes)
        )

    @property
    def left(self) -> int:
        return max(0, self.allowed - self.used)

    @property
    def passed_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.passed), None)

    @property
    def open_attempt(self) -> Attempt | None:
        return next((a for a in self.attempts if a.is_open), None)

    @property
    def best_score(self) -> Decimal | None:
        scores = [a.score for a in self.attempts if a.score is not None]
        return max(scores, default=None)

    @property
    def next_start_at(self) -> datetime | None:
        """When the wait after the last attempt is over (None: no wait pending)."""
        if not self.wait_minutes:
            return None
        closed = [a.submitted_at for a in self.attempts if a.submitted_at]
        if not closed:
            return None
        ready = max(closed) + timedelta(minutes=self.wait_minutes)
        return ready if ready > self.now else None

    @property
    def refusal(self) -> str:
        """Why a new attempt cannot start now ('' when it can)."""
        if self.post_test is None or not self.post_test.live:
            return "This course's post-test is not open yet."
        if not self.unlocked:
            return "The post-test unlocks when every lesson is marked complete."
        if self.passed_attempt is not None:
            return "You have already passed this post-test."
        if self.open_attempt is not None:
            return ""
        if self.left <= 0:
            return (
                f"You have used all {self.allowed} attempts at this post-test. "
                "Please contact the CE administrator if you need another."
            )
        if self.next_start_at is not None:
            when = timezone.localtime(self.next_start_at)
            return (
                f"You can start your next attempt at {when:%H:%M} on {when:%-d %B %Y} "
                f"({self.wait_minutes} minutes after the last one)."
            )
        return ""


def post_test_status(
    *, enrollment: Enrollment, post_test: PostTestPage | None = None
) -> PostTestStatus:
    course = enrollment.course
    post_test = post_test or post_test_for_course(course=course)
    attempts = list(attempt_list(enrollment=enrollment))
    base = post_test.effective_attempts_allowed(course) if post_test else DEFAULT_ATTEMPTS
    override = override_in_force(user_id=enrollment.user_id, course_id=enrollment.course_id)
    return PostTestStatus(
        post_test=post_test,
        attempts=attempts,
        allowed=attempts_allowed(base=base, attempts=attempts, override=override),
        pass_mark=post_test.effective_pass_mark(course) if post_test else DEFAULT_PASS_MARK,
        unlocked=lessons_complete(enrollment=enrollment),
        now=timezone.now(),
        base_allowed=base,
        override=override,
    )


def attempt_list(*, enrollment: Enrollment):
    return Attempt.objects.filter(enrollment=enrollment).order_by("number")


def attempt_get_for_user(*, attempt_id: int, user) -> Attempt | None:
    return (
        Attempt.objects.select_related("enrollment__course", "post_test")
        .filter(pk=attempt_id, enrollment__user=user)
        .first()
    )


def attempt_is_overdue(*, attempt: Attempt, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return attempt.deadline is not None and now > attempt.deadline + SUBMIT_GRACE


def attempt_questions_public(*, attempt: Attempt) -> list[dict]:
    """What the browser may see while an attempt is open: stems and choice
    texts in the drawn order. Never the key, never the rationales."""
    return [
        {
            "number": number,
            "id": q["id"],
            "kind": q["kind"],
            "stem": q["stem"],
            "multiple": q["kind"] == "multiple",
            "choices": [{"id": c["id"], "text": c["text"]} for c in q["choices"]],
        }
        for number, q in enumerate(attempt.questions, start=1)
    ]


def review_level(*, attempt: Attempt, passed_any: bool) -> str:
    """How much of a graded attempt its owner may see."""
    post_test = attempt.post_test
    if post_test is None:
        return ReviewPolicy.WRONG
    if passed_any and post_test.full_review_after_pass:
        return ReviewPolicy.FULL
    return post_test.review_after_attempt


def attempt_review(*, attempt: Attempt, level: str) -> list[dict]:
    """The review of a graded attempt at `level` (ReviewPolicy). Score-only
    returns nothing; "wrong" says which were wrong but not what is right."""
    if attempt.is_open or level == ReviewPolicy.SCORE:
        return []
    full = level == ReviewPolicy.FULL
    items = []
    for number, q in enumerate(attempt.questions, start=1):
        chosen = set(attempt.answers.get(q["id"], []))
        credit = Decimal(str(attempt.results.get(q["id"], "0")))
        items.append(
            {
                "number": number,
                "stem": q["stem"],
                "credit": credit,
                "correct": credit == 1,
                "partial": 0 < credit < 1,
                "choices": [
                    {
                        "text": c["text"],
                        "chosen": c["id"] in chosen,
                        "correct": c["correct"] if full else None,
                    }
                    for c in q["choices"]
                ],
                "rationale": q["rationale"] if full else "",
            }
        )
    return items
