"""Reads. Bulk selectors run a constant number of queries, whatever the size."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from wagtail.models import WorkflowState

from accounts.models import ClinicianLicense
from courses.models import (
    Accreditor,
    CourseCredit,
    CourseInstructor,
    CoursePage,
    Enrollment,
    LessonPage,
    LessonProgress,
)

from .grading import TRUE_FALSE
from .item_quality import ItemStats, item_stats
from .models import (
    DEFAULT_ATTEMPTS,
    DEFAULT_PASS_MARK,
    Attempt,
    Attestation,
    Evaluation,
    EvaluationRating,
    HoursAccuracy,
    PostTestPage,
    RatingScale,
    ReviewPolicy,
)

# A submit may arrive this long after the deadline (network, a slow click) and
# still be graded; later ones are not (see docs/quizzes.md).
SUBMIT_GRACE = timedelta(seconds=30)

# --- Credit claims (the seam certificates builds on) -----------------------------------------


def claimed_accreditors(*, enrollment: Enrollment) -> list[Accreditor]:
    """The accreditors the clinician claimed credit under in their attestation.
    Empty: no attestation yet, or no credit claimed (a certificate of attendance)."""
    return list(
        Accreditor.objects.filter(claimed_in_attestations__enrollment_id=enrollment.pk).order_by(
            "short_name"
        )
    )


@dataclass
class ClaimOption:
    accreditor: Accreditor
    matches_license: bool


def claim_options(*, enrollment: Enrollment) -> list[ClaimOption]:
    """The course's accreditors, each marked when one of the clinician's licenses
    is of a profession that accreditor serves (those are pre-checked)."""
    professions = set(
        ClinicianLicense.objects.filter(user_id=enrollment.user_id).values_list(
            "profession", flat=True
        )
    )
    return [
        ClaimOption(
            accreditor=accreditor,
            matches_license=bool(professions & set(accreditor.professions or [])),
        )
        for accreditor in course_accreditors(course_id=enrollment.course_id)
    ]


def course_accreditors(*, course_id: int) -> list[Accreditor]:
    return list(
        Accreditor.objects.filter(
            pk__in=CourseCredit.objects.filter(page_id=course_id).values("accreditor_id")
        ).order_by("short_name")
    )


# --- The post-test of a course -------------------------------------------------------------


def post_test_for_course(*, course: CoursePage, live_only: bool = True) -> PostTestPage | None:
    qs = PostTestPage.objects.child_of(course)
    if live_only:
        qs = qs.live()
    return qs.first()


def course_post_test_problems(course: CoursePage, *, for_publish: bool = True) -> list[str]:
    """Publishing check (courses.registry): a self-paced CE course needs a post-test
    with questions, and a live one to publish. Sending the course for approval
    (`for_publish=False`) accepts a post-test that is still a draft or awaiting
    approval, as it accepts draft lessons: the post-test goes through approval too, so
    one round of review covers the course and everything under it. Rule shortfalls are
    warnings in the editor, not here."""
    post_test = post_test_for_course(course=course, live_only=False) if course.pk else None
    if post_test is None:
        return ["Post-test: the course has none (add a post-test page under the course)"]
    if not for_publish:
        if post_test.live and len(post_test.questions):
            return []
        # The version that will be approved: the latest revision (a draft's own row
        # keeps what it was created with).
        if len(post_test.get_latest_revision_as_object().questions) == 0:
            return [f"Post-test: “{post_test.draft_title}” has no questions"]
        return []
    if not post_test.live:
        workflow_state = post_test.current_workflow_state
        if workflow_state is None:
            state = "it is a draft (submit it for approval, or publish it, first)"
        elif workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
            state = "it is awaiting approval (approve it first)"
        else:
            state = "changes to it were requested (approve it once it is resubmitted)"
        return [f"Post-test: “{post_test.draft_title}” is not published yet: {state}"]
    if len(post_test.questions) == 0:
        return [f"Post-test: “{post_test.title}” has no questions"]
    return []


@dataclass
class AccreditorCheck:
    accreditor: Accreditor
    hours: Decimal
    minimum_questions: int
    questions_per_attempt: int
    true_false_percent: Decimal
    max_true_false_percent: int
    #: The accreditor's question rules bind (NASW) rather than advise (APA).
    required: bool = True

    @property
    def size_ok(self) -> bool:
        return self.questions_per_attempt >= self.minimum_questions

    @property
    def true_false_ok(self) -> bool:
        return self.true_false_percent <= self.max_true_false_percent


@dataclass
class PostTestCheck:
    questions_total: int
    questions_per_attempt: int
    true_false_total: int
    objectives: list[str]
    questions_by_objective: dict[int, int]
    rows: list[AccreditorCheck]
    pass_mark: Decimal
    attempts_allowed: int
    warnings: list[str] = field(default_factory=list)
    #: Item-writing advice (quizzes.item_quality): longest-option keys, unbalanced
    #: true/false keys, a pool too small for a retake to differ.
    item_warnings: list[str] = field(default_factory=list)
    item_stats: ItemStats | None = None

    @property
    def ok(self) -> bool:
        return not self.warnings and not self.item_warnings

    @property
    def objective_rows(self) -> list[tuple[int, str, int]]:
        """(number, text, questions measuring it) for each course objective."""
        return [
            (number, text, self.questions_by_objective.get(number, 0))
            for number, text in enumerate(self.objectives, start=1)
        ]


def post_test_check(*, post_test: PostTestPage, course: CoursePage) -> PostTestCheck:
    """The post-test against the rules of each accreditor the course is offered
    under. The size rule applies to the questions a participant gets (the
    draw); the true/false share is the worst a draw can hold."""
    questions = list(post_test.questions)
    total = len(questions)
    per_attempt = min(post_test.draw_count, total) if post_test.draw_count else total
    true_false = sum(1 for q in questions if q.block_type == TRUE_FALSE)
    worst_tf = min(true_false, per_attempt)
    tf_percent = (
        (Decimal(worst_tf) * 100 / per_attempt).quantize(Decimal("0.1"))
        if per_attempt
        else Decimal("0")
    )
    objectives = [o.text for o in course.objectives.all()] if course.pk else []
    by_objective: dict[int, int] = defaultdict(int)
    for q in questions:
        by_objective[int(q.value.get("objective") or 0)] += 1
    hours = course.hours_by_accreditor() if course.pk else {}
    accreditors = Accreditor.objects.in_bulk(list(hours))
    rows = [
        AccreditorCheck(
            accreditor=accreditors[accreditor_id],
            hours=hours[accreditor_id],
            minimum_questions=accreditors[accreditor_id].minimum_questions(hours[accreditor_id]),
            questions_per_attempt=per_attempt,
            true_false_percent=tf_percent,
            max_true_false_percent=accreditors[accreditor_id].max_true_false_percent,
            required=accreditors[accreditor_id].post_test_rules_required,
        )
        for accreditor_id in sorted(hours, key=lambda i: accreditors[i].short_name)
    ]
    check = PostTestCheck(
        questions_total=total,
        questions_per_attempt=per_attempt,
        true_false_total=true_false,
        objectives=objectives,
        questions_by_objective=dict(by_objective),
        rows=rows,
        pass_mark=(
            post_test.pass_mark
            if post_test.pass_mark is not None
            else max((r.accreditor.pass_mark for r in rows), default=DEFAULT_PASS_MARK)
        ),
        attempts_allowed=post_test.attempts_allowed
        or min((r.accreditor.attempts_allowed for r in rows), default=DEFAULT_ATTEMPTS),
    )
    if total == 0:
        check.warnings.append("The post-test has no questions yet.")
    for row in rows:
        name = row.accreditor.short_name
        verb = "requires" if row.required else "recommends"
        if not row.size_ok:
            check.warnings.append(
                f"{name} {verb} at least {row.minimum_questions} questions per attempt for "
                f"{row.hours} credit hours; this post-test gives {per_attempt}."
            )
        if not row.true_false_ok:
            check.warnings.append(
                f"{name} {verb} that true/false items be at most {row.max_true_false_percent} % "
                f"of a post-test; an attempt here can hold {row.true_false_percent} % "
                f"({worst_tf} of {per_attempt})."
            )
    for number, text in enumerate(objectives, start=1):
        if not by_objective.get(number):
            check.warnings.append(f"Objective {number} has no question: “{text}”.")
    for position, q in enumerate(questions, start=1):
        objective = int(q.value.get("objective") or 0)
        if objective > len(objectives):
            check.warnings.append(
                f"Question {position} measures objective {objective}, which the course does not have."
            )
        if not str(q.value.get("rationale") or "").strip():
            check.warnings.append(f"Question {position} has no rationale.")
    if per_attempt and len(objectives) > per_attempt:
        check.warnings.append(
            f"An attempt draws {per_attempt} questions, fewer than the {len(objectives)} "
            "objectives: some attempts cannot measure every objective."
        )
    check.item_stats = item_stats(post_test.questions.raw_data)
    check.item_warnings = check.item_stats.warnings(
        per_attempt=per_attempt, retakes=check.attempts_allowed > 1
    )
    return check


# --- Taking ---------------------------------------------------------------------------------


def lessons_complete(*, enrollment: Enrollment) -> bool:
    return enrollment.pk in lessons_complete_ids(enrollments=[enrollment])


def lessons_complete_ids(*, enrollments: list[Enrollment]) -> set[int]:
    """Enrollments whose every live lesson is complete (two queries).

    Mirrors the lessons step of courses.selectors.enrollment_summaries, which
    cannot be called from a step provider (it calls the providers)."""
    if not enrollments:
        return set()
    course_paths = {e.course.path: e.course_id for e in enrollments}
    lessons: dict[int, set[int]] = defaultdict(set)
    for lesson_id, path in (
        LessonPage.objects.live()
        .filter(path__regex=r"^(" + "|".join(course_paths) + r")[0-9A-Z]{4}$")
        .values_list("id", "path")
    ):
        lessons[course_paths[path[: -CoursePage.steplen]]].add(lesson_id)
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, lesson_id in LessonProgress.objects.filter(
        enrollment__in=[e.pk for e in enrollments], completed_at__isnull=False
    ).values_list("enrollment_id", "lesson_id"):
        done[enrollment_id].add(lesson_id)
    return {
        e.pk for e in enrollments if lessons.get(e.course_id) and lessons[e.course_id] <= done[e.pk]
    }


@dataclass
class PostTestStatus:
    """Where an enrollment stands with a post-test, and whether it may start an attempt."""

    post_test: PostTestPage | None
    attempts: list[Attempt]
    allowed: int
    pass_mark: Decimal
    unlocked: bool
    now: datetime

    @property
    def used(self) -> int:
        return len(self.attempts)

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
        if self.post_test is None or not self.post_test.wait_minutes:
            return None
        closed = [a.submitted_at for a in self.attempts if a.submitted_at]
        if not closed:
            return None
        ready = max(closed) + timedelta(minutes=self.post_test.wait_minutes)
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
                f"({self.post_test.wait_minutes} minutes after the last one)."
            )
        return ""


def post_test_status(
    *, enrollment: Enrollment, post_test: PostTestPage | None = None
) -> PostTestStatus:
    course = enrollment.course
    post_test = post_test or post_test_for_course(course=course)
    attempts = list(attempt_list(enrollment=enrollment))
    return PostTestStatus(
        post_test=post_test,
        attempts=attempts,
        allowed=post_test.effective_attempts_allowed(course) if post_test else DEFAULT_ATTEMPTS,
        pass_mark=post_test.effective_pass_mark(course) if post_test else DEFAULT_PASS_MARK,
        unlocked=lessons_complete(enrollment=enrollment),
        now=timezone.now(),
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


# --- Evaluation -----------------------------------------------------------------------------


@dataclass
class EvaluationItem:
    kind: str
    position: int
    label: str


def evaluation_items(*, course: CoursePage) -> list[EvaluationItem]:
    """The statements an evaluation rates: each objective, each instructor."""
    items = [
        EvaluationItem(kind=EvaluationRating.Kind.OBJECTIVE, position=number, label=o.text)
        for number, o in enumerate(course.objectives.all(), start=1)
    ]
    items += [
        EvaluationItem(
            kind=EvaluationRating.Kind.INSTRUCTOR,
            position=number,
            label=f"{ci.instructor.name}, {ci.instructor.credentials}",
        )
        for number, ci in enumerate(
            CourseInstructor.objects.filter(page=course).select_related("instructor"), start=1
        )
    ]
    return items


def evaluation_get(*, enrollment: Enrollment) -> Evaluation | None:
    return Evaluation.objects.filter(enrollment=enrollment).first()


def attestation_get(*, enrollment: Enrollment) -> Attestation | None:
    return Attestation.objects.filter(enrollment=enrollment).first()


def enrollment_has_passed(*, enrollment: Enrollment) -> bool:
    return Attempt.objects.filter(enrollment=enrollment, passed=True).exists()


# --- Aggregates (admin) ---------------------------------------------------------------------


def courses_for_aggregates(*, user):
    """Courses whose evaluations `user` may read: every course for holders of
    quizzes.view_evaluation (administrators); otherwise the courses the user
    teaches (an Instructor linked to the account) or owns."""
    qs = CoursePage.objects.order_by("title")
    if user.is_superuser or user.has_perm("quizzes.view_evaluation"):
        return qs
    return qs.filter(Q(owner=user) | Q(course_instructors__instructor__user=user)).distinct()


def evaluation_counts(*, courses: list[CoursePage]) -> dict[int, int]:
    return dict(
        Evaluation.objects.filter(enrollment__course__in=courses)
        .values("enrollment__course")
        .annotate(n=Count("id"))
        .values_list("enrollment__course", "n")
    )


@dataclass
class RatingAggregate:
    label: str
    kind: str
    count: int
    average: Decimal | None
    distribution: list[int]  # counts for ratings 1..5

    @property
    def bars(self) -> list[tuple[int, str, int, int]]:
        """(rating, rating label, count, percent of the largest bar) for the chart."""
        top = max(self.distribution) or 1
        return [
            (value, label, n, round(100 * n / top))
            for (value, label), n in zip(RatingScale.choices, self.distribution, strict=True)
        ]


@dataclass
class EvaluationAggregate:
    course: CoursePage
    count: int
    items: list[RatingAggregate]
    hours: list[tuple[str, int]]
    bias_noticed: int
    comments: list[dict]
    attempts: int
    passed: int
    average_score: Decimal | None


def _rating_aggregate(label: str, kind: str, values: list[int]) -> RatingAggregate:
    distribution = [0] * 5
    for v in values:
        distribution[v - 1] += 1
    average = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01")) if values else None
    return RatingAggregate(
        label=label, kind=kind, count=len(values), average=average, distribution=distribution
    )


def evaluation_aggregate(*, course: CoursePage) -> EvaluationAggregate:
    evaluations = list(
        Evaluation.objects.filter(enrollment__course=course).order_by("submitted_at")
    )
    ratings: dict[tuple[str, int], list[int]] = defaultdict(list)
    labels: dict[tuple[str, int], str] = {}
    for r in EvaluationRating.objects.filter(evaluation__in=evaluations).order_by("id"):
        ratings[(r.kind, r.position)].append(r.rating)
        labels[(r.kind, r.position)] = r.label  # the latest wording rated
    items = []
    for kind, prefix in (
        (EvaluationRating.Kind.OBJECTIVE, "Objective {n} met: "),
        (EvaluationRating.Kind.INSTRUCTOR, "Instructor: "),
    ):
        for key in sorted(k for k in ratings if k[0] == kind):
            items.append(
                _rating_aggregate(prefix.format(n=key[1]) + labels[key], kind, ratings[key])
            )
    items.append(
        _rating_aggregate("Relevant to practice", "course", [e.relevance for e in evaluations])
    )
    items.append(
        _rating_aggregate("Content quality", "course", [e.content_quality for e in evaluations])
    )
    hours = [
        (label, sum(1 for e in evaluations if e.hours_accurate == value))
        for value, label in HoursAccuracy.choices
    ]
    comments = [
        {
            "date": e.submitted_at,
            "comments": e.comments,
            "bias_details": e.bias_details if e.bias_noticed else "",
        }
        for e in evaluations
        if e.comments.strip() or (e.bias_noticed and e.bias_details.strip())
    ]
    graded = Attempt.objects.filter(enrollment__course=course, score__isnull=False)
    scores = list(graded.values_list("score", flat=True))
    return EvaluationAggregate(
        course=course,
        count=len(evaluations),
        items=items,
        hours=hours,
        bias_noticed=sum(1 for e in evaluations if e.bias_noticed),
        comments=comments,
        attempts=len(scores),
        passed=graded.filter(passed=True).count(),
        average_score=(
            (sum(scores, Decimal("0")) / len(scores)).quantize(Decimal("0.01")) if scores else None
        ),
    )


def evaluation_csv_rows(*, course: CoursePage):
    """One row per evaluation, anonymous (no names, no emails): instructors
    read these, and candid answers need that."""
    items = evaluation_items(course=course)
    header = [
        "submitted_at",
        *[
            f"objective_{i.position}_met" if i.kind == "objective" else f"instructor_{i.position}"
            for i in items
        ],
        "relevance",
        "content_quality",
        "hours",
        "bias_noticed",
        "bias_details",
        "comments",
    ]
    yield header
    evaluations = Evaluation.objects.filter(enrollment__course=course).order_by("submitted_at")
    ratings: dict[int, dict[tuple[str, int], int]] = defaultdict(dict)
    for r in EvaluationRating.objects.filter(evaluation__in=evaluations):
        ratings[r.evaluation_id][(r.kind, r.position)] = r.rating
    for e in evaluations:
        yield [
            timezone.localtime(e.submitted_at).isoformat(timespec="seconds"),
            *[ratings[e.pk].get((i.kind, i.position), "") for i in items],
            e.relevance,
            e.content_quality,
            e.hours_accurate,
            "yes" if e.bias_noticed else "no",
            e.bias_details,
            e.comments,
        ]


def objectives_moved_under_questions(*, course) -> str:
    """A warning when the course's last edit moved objectives that post-test
    questions measure (questions name objectives by number), else "".

    Compares the objectives of the course's two latest revisions: an objective
    whose text now stands at another number, or a number that no longer exists,
    is "moved"; a reworded objective at the same number is not."""
    if course.specific_class is not CoursePage:
        return ""
    latest = list(course.revisions.order_by("-created_at", "-pk")[:2])
    post_test = PostTestPage.objects.child_of(course).first()
    if len(latest) < 2 or post_test is None:
        return ""
    after, before = (
        [
            o.text
            for o in sorted(  # as PostgreSQL orders them: sort_order, unset last
                revision.as_object().objectives.all(),
                key=lambda o: (o.sort_order is None, o.sort_order or 0),
            )
        ]
        for revision in latest
    )
    moved = {
        number
        for number, text in enumerate(before, start=1)
        if number > len(after) or (text in after and after.index(text) + 1 != number)
    }
    questions = post_test.specific.get_latest_revision_as_object().questions
    affected = [
        (position, block.value["objective"])
        for position, block in enumerate(questions, start=1)
        if block.value.get("objective") in moved
    ]
    if not affected:
        return ""
    listed = ", ".join(f"question {q} (objective {o})" for q, o in affected)
    return (
        f"The learning objectives changed places: in “{post_test.title}”, {listed} now "
        "point at a different objective (questions name objectives by number). Check the "
        "objective number of each."
    )
