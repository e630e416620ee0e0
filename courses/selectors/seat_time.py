"""Where enrollments stand with the enforced minimum active time (courses.seat_time)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from ..models import CoursePage, Enrollment, LessonProgress
from ..registry import BatchStatement, batch_read
from ..seat_time import TimeRequirement, minutes_up, required_seconds
from .batch import batch_enrollment_ids
from .credits import CreditTerms, course_credit_terms
from .overrides import overrides_in_force


def _enforcing(terms: list[CreditTerms]) -> list[tuple[str, int, Decimal]]:
    """(short name, percent, credited hours) of each accreditor whose credit
    enforces seat time, in the order of the terms."""
    hours: dict[str, tuple[int, Decimal]] = {}
    for t in terms:
        if t.enforces_seat_time:
            percent, credited = hours.get(t.short_name, (t.minimum_time_percent, Decimal(0)))
            hours[t.short_name] = (percent, credited + t.hours)
    return [(name, percent, credited) for name, (percent, credited) in hours.items()]


def course_time_requirement(*, course: CoursePage, credits) -> tuple[int, tuple[str, ...]]:
    """(required minutes, accreditors enforcing) for a course page, from its credit
    rows already loaded with their accreditors (no query): what a visitor is told
    before enrolling."""
    asking = _enforcing([CreditTerms.of(credit) for credit in credits])
    seconds = required_seconds(enforcing=[(percent, credited) for _, percent, credited in asking])
    return minutes_up(seconds), tuple(sorted(name for name, _, _ in asking))


def time_requirements(*, enrollments: list[Enrollment]) -> dict[int, TimeRequirement]:
    """The time requirement of each enrollment whose course asks for one (none
    for the others): one query, and one more when any course asks. Enrollments
    need `course` loaded. An override in force may lower it (one more query)."""
    if not enrollments:
        return {}
    enforcing = {
        course_id: asking
        for course_id, terms in course_credit_terms(enrollments=enrollments).items()
        if (asking := _enforcing(terms))
    }
    concerned = [e for e in enrollments if enforcing.get(e.course_id)]
    if not concerned:
        return {}
    active = batch_read(
        "active_seconds",
        enrollments,
        lambda: dict(_active_seconds(enrollment__in=[e.pk for e in concerned])),
    )
    overrides = overrides_in_force(enrollments=enrollments)  # the read the steps make
    result = {}
    for enrollment in concerned:
        asking = enforcing[enrollment.course_id]
        shares = [(percent, credited) for _, percent, credited in asking]
        override = overrides.get(enrollment.pk)
        lowered = override.minimum_active_minutes if override is not None else None
        result[enrollment.pk] = TimeRequirement(
            required_seconds=required_seconds(enforcing=shares, lowered_minutes=lowered),
            active_seconds=active.get(enrollment.pk) or 0,
            accreditors=tuple(name for name, _, _ in asking),
            standard_seconds=required_seconds(enforcing=shares),
            override=override if lowered is not None else None,
        )
    return result


def _active_seconds(**enrollments):
    """(enrollment id, active seconds recorded in all its lessons) pairs."""
    return (
        LessonProgress.objects.filter(**enrollments)
        .order_by()
        .values("enrollment_id")
        .annotate(total=Sum("active_seconds"))
        .values_list("enrollment_id", "total")
    )


# The active seconds as a part of the step providers' one statement (.batch).
ACTIVE_SECONDS = BatchStatement(
    name="active_seconds",
    query=lambda: _active_seconds(enrollment_id__in=batch_enrollment_ids()),
    parse=lambda rows, enrollments: dict(rows),
)
