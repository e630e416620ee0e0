"""The credit rows of many enrollments' courses at once (the step providers and
the seat-time requirement read them for the same page)."""

from __future__ import annotations

from collections import defaultdict

from ..models import CourseCredit, Enrollment
from ..registry import batch_read


def course_credit_rows(*, enrollments: list[Enrollment]) -> dict[int, list[CourseCredit]]:
    """The credit rows of each enrollment's course, with their accreditors, by
    course id: one query (read once per page: courses.registry.batch_read)."""

    def read():
        rows: dict[int, list[CourseCredit]] = defaultdict(list)
        for credit in (
            CourseCredit.objects.filter(page_id__in={e.course_id for e in enrollments})
            .select_related("accreditor")
            .order_by("accreditor__short_name", "pk")
        ):
            rows[credit.page_id].append(credit)
        return rows

    return batch_read("course_credit_rows", enrollments, read)
