"""Records that need a file (cms.media's seam)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from wagtail.documents import get_document_model

from ..models import (
    CoursePage,
    Instructor,
)

# --- Records that need a file (cms.media's seam) -------------------------------------------


def instructor_cv_holds(obj) -> list[str]:
    """An instructor's CV is kept while the instructor teaches a live course, and
    for RECORD_RETENTION_YEARS after the last completion of a course they teach."""
    if not isinstance(obj, get_document_model()) or obj.pk is None:
        return []
    years = settings.RECORD_RETENTION_YEARS
    since = timezone.now() - timedelta(days=round(365.25 * years))
    reasons = []
    for instructor in Instructor.objects.filter(cv=obj).order_by("name"):
        courses = CoursePage.objects.filter(course_instructors__instructor=instructor)
        if courses.filter(live=True).exists():
            reasons.append(f"it is the CV of {instructor.name}, who teaches a live course")
        elif courses.filter(enrollments__completion__completed_at__gte=since).exists():
            reasons.append(
                f"it is the CV of {instructor.name}, whose course completions are kept "
                f"{years} years"
            )
    return reasons
