"""The credit terms of many enrollments' courses at once (the step providers and
the seat-time requirement read them for the same page)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import NamedTuple

from cms import site_cache

from ..models import CourseCredit, Enrollment
from ..registry import batch_read


class CreditTerms(NamedTuple):
    """What a course's credit under one accreditor asks of the learner: the post-test
    attempts it allows and the active time it enforces. Plain values, not the model
    rows: kept in the site cache, a page copies them in microseconds, where a course's
    CourseCredit rows with their accreditors took about 0.2 ms to unpickle."""

    short_name: str
    hours: Decimal
    attempts_allowed: int
    enforces_seat_time: bool
    minimum_time_percent: int

    @classmethod
    def of(cls, credit: CourseCredit) -> CreditTerms:
        a = credit.accreditor  # in the order of the fields above
        return cls(
            a.short_name, credit.hours, a.attempts_allowed, a.enforces_seat_time,
            a.minimum_time_percent,
        )  # fmt: skip


def course_credit_terms(*, enrollments: list[Enrollment]) -> dict[int, list[CreditTerms]]:
    """The credit terms of each enrollment's course, by course id, in the order of
    the accreditors' short names: one query for the courses not in the site cache
    (read once per page: courses.registry.batch_read). Credit rows change when
    their course is published and accreditors when saved; both move the cache on
    (cms.site_cache)."""

    def read_courses(course_ids: list[int]) -> dict[int, list[CreditTerms]]:
        terms: dict[int, list[CreditTerms]] = {pk: [] for pk in course_ids}
        for credit in (
            CourseCredit.objects.filter(page_id__in=course_ids)
            .select_related("accreditor")
            .order_by("accreditor__short_name", "pk")
        ):
            terms[credit.page_id].append(CreditTerms.of(credit))
        return terms

    def read():
        course_ids = {e.course_id for e in enrollments}
        return defaultdict(
            list, site_cache.cached_by_id("course-credit-terms", course_ids, read_courses)
        )

    return batch_read("course_credit_terms", enrollments, read)
