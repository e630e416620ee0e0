"""The per-course report: how a course did in a period, in aggregates only (no
names), for its Administrators and its own instructors.

- enrollments and completions per month;
- pass rate and first-attempt pass rate of the post-test;
- the distribution of post-test scores;
- active time against the credited hours of each completion, and how many
  completions each accreditor's seat-time share flags;
- evaluation averages per rated item (objectives, instructors, the course).

A constant number of queries whatever the number of participants."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Avg, Count, Max
from django.db.models.functions import TruncMonth

from courses.models import CourseCompletion, CoursePage, Enrollment
from quizzes.models import Attempt, Evaluation, EvaluationRating

from .common import Period
from .seat_time import SeatTimeCount, accreditor_policies, seat_time_counts

#: Score buckets of the distribution: 0-9 ... 80-89, 90-100.
SCORE_BUCKETS = [(low, low + 9 if low < 90 else 100) for low in range(0, 100, 10)]
#: Active time as a share of the credited time, in these bands (percent, upper bound excluded).
TIME_BANDS = [(0, 50), (50, 75), (75, 100), (100, 150), (150, None)]


@dataclass
class CourseStats:
    course: CoursePage
    period: Period
    months: list[tuple[date, int, int]]  # (first day, enrollments, completions)
    takers: int  # participants with a graded attempt in the period
    passed: int  # of them, those who passed
    first_attempts: int
    first_attempts_passed: int
    score_buckets: list[tuple[str, int]]
    time_bands: list[tuple[str, int]]
    median_active_minutes: int | None
    median_credited_minutes: int | None
    evaluations: int
    evaluation_items: list[tuple[str, Decimal, int]] = field(default_factory=list)
    # Per accreditor: its seat-time policy and how many completions it flags.
    seat_time: list[SeatTimeCount] = field(default_factory=list)

    @staticmethod
    def _rate(part: int, whole: int) -> Decimal | None:
        return (Decimal(100 * part) / whole).quantize(Decimal("0.1")) if whole else None

    @property
    def pass_rate(self) -> Decimal | None:
        return self._rate(self.passed, self.takers)

    @property
    def first_attempt_pass_rate(self) -> Decimal | None:
        return self._rate(self.first_attempts_passed, self.first_attempts)

    @property
    def enrollments(self) -> int:
        return sum(e for _, e, _ in self.months)

    @property
    def completions(self) -> int:
        return sum(c for _, _, c in self.months)


def _months(period: Period) -> list[date]:
    month, months = period.start.replace(day=1), []
    while month <= period.end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _per_month(queryset, field_name: str) -> dict[date, int]:
    rows = (
        queryset.annotate(month=TruncMonth(field_name))
        .order_by()
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    return {(m.date() if hasattr(m, "date") else m): n for m, n in rows}


def _credited_minutes(credits: list[dict]) -> int:
    """The most hours one accreditor grants (a completion earns each accreditor's
    credit; the time it represents is the largest), in minutes."""
    by_accreditor: dict = defaultdict(Decimal)
    for credit in credits or []:
        by_accreditor[credit.get("accreditor_id")] += Decimal(str(credit.get("hours") or "0"))
    return round(max(by_accreditor.values(), default=Decimal(0)) * 60)


def _median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return round((ordered[middle - 1] + ordered[middle]) / 2)


def _band_label(low: int, high: int | None) -> str:
    return f"{low}% or more" if high is None else f"{low}–{high - 1}%"


def course_stats(*, course: CoursePage, period: Period) -> CourseStats:
    enrollments = Enrollment.objects.filter(
        course=course, enrolled_at__gte=period.since, enrolled_at__lt=period.until
    )
    completions = CourseCompletion.objects.filter(
        enrollment__course=course, completed_at__gte=period.since, completed_at__lt=period.until
    )
    enrolled, completed = (
        _per_month(enrollments, "enrolled_at"),
        _per_month(completions, "completed_at"),
    )
    months = [(m, enrolled.get(m, 0), completed.get(m, 0)) for m in _months(period)]

    graded = Attempt.objects.filter(
        enrollment__course=course,
        score__isnull=False,
        submitted_at__gte=period.since,
        submitted_at__lt=period.until,
    )
    takers = graded.order_by().values("enrollment_id").distinct().count()
    passed = graded.filter(passed=True).order_by().values("enrollment_id").distinct().count()
    first = graded.filter(number=1)
    counts = [0] * len(SCORE_BUCKETS)
    for score in graded.values_list("score", flat=True):
        counts[min(int(score) // 10, len(SCORE_BUCKETS) - 1)] += 1

    ratios, active, credited = [], [], []
    frozen = list(
        completions.values_list("active_seconds", "snapshot__credits", "participant__accreditors")
    )
    for seconds, credits, _ in frozen:
        minutes = _credited_minutes(credits)
        active.append(round(seconds / 60))
        if minutes:
            credited.append(minutes)
            ratios.append(100 * seconds / 60 / minutes)
    bands = [
        (_band_label(low, high), sum(1 for r in ratios if r >= low and (high is None or r < high)))
        for low, high in TIME_BANDS
    ]

    evaluations = Evaluation.objects.filter(
        enrollment__course=course, submitted_at__gte=period.since, submitted_at__lt=period.until
    )
    items = []
    prefixes = {
        EvaluationRating.Kind.OBJECTIVE: "Objective {n} met",
        EvaluationRating.Kind.INSTRUCTOR: "Instructor {n}",
    }
    for kind, position, label, average, n in (
        EvaluationRating.objects.filter(evaluation__in=evaluations)
        .order_by()
        .values("kind", "position")
        .annotate(average=Avg("rating"), n=Count("pk"), label=Max("label"))
        .values_list("kind", "position", "label", "average", "n")
        .order_by("kind", "position")
    ):
        name = prefixes.get(kind, "{n}").format(n=position)
        items.append((f"{name}: {label}", Decimal(average).quantize(Decimal("0.01")), n))
    course_wide = evaluations.aggregate(
        relevance=Avg("relevance"), quality=Avg("content_quality"), n=Count("pk")
    )
    for key, label in (("relevance", "Relevant to practice"), ("quality", "Content quality")):
        if course_wide[key] is not None:
            items.append(
                (label, Decimal(course_wide[key]).quantize(Decimal("0.01")), course_wide["n"])
            )
    return CourseStats(
        course=course,
        period=period,
        months=months,
        takers=takers,
        passed=passed,
        first_attempts=first.count(),
        first_attempts_passed=first.filter(passed=True).count(),
        score_buckets=[
            (f"{low}–{high}", n) for (low, high), n in zip(SCORE_BUCKETS, counts, strict=True)
        ],
        time_bands=bands,
        median_active_minutes=_median(active),
        median_credited_minutes=_median(credited),
        evaluations=course_wide["n"],
        evaluation_items=items,
        seat_time=seat_time_counts(completions=frozen, policies=accreditor_policies()),
    )
