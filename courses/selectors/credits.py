"""The credit rows of many enrollments' courses at once (the step providers and
the seat-time requirement read them for the same page)."""

from __future__ import annotations

from collections import defaultdict

from cms import site_cache

from ..models import CourseCredit, Enrollment
from ..registry import batch_read


def course_credit_rows(*, enrollments: list[Enrollment]) -> dict[int, list[CourseCredit]]:
    """The credit rows of each enrollment's course, with their accreditors, by
    course id: one query for the courses not in the site cache (read once per
    page: courses.registry.batch_read). Credit rows change when their course is
    published and accreditors when saved; both move the cache on (cms.site_cache)."""

    def read_courses(course_ids: list[int]) -> dict[int, list[CourseCredit]]:
        rows: dict[int, list[CourseCredit]] = {pk: [] for pk in course_ids}
        for credit in (
            CourseCredit.objects.filter(page_id__in=course_ids)
            .select_related("accreditor")
            .order_by("accreditor__short_name", "pk")
        ):
            rows[credit.page_id].append(credit)
        return rows

    def read():
        course_ids = {e.course_id for e in enrollments}
        return defaultdict(
            list, site_cache.cached_by_id("course-credits", course_ids, read_courses)
        )

    return batch_read("course_credit_rows", enrollments, read)
