"""The evaluation and attestation after passing, and their aggregates for staff."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from courses.models import (
    CourseInstructor,
    CoursePage,
    Enrollment,
)

from ..models import (
    Attempt,
    Attestation,
    Evaluation,
    EvaluationRating,
    HoursAccuracy,
    RatingScale,
)

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
