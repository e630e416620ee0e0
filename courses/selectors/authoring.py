"""What authors and staff are told about a course: the credit check and the warnings.

The credit rules themselves are pure, in `courses.credit_rules`; this module reads the
course's lessons and credit rows for them."""

from django.utils import timezone

from ..credit_rules import CreditCheck, LessonWords, credit_check
from ..models import Accreditor, CourseCredit, CoursePage
from ..wordcount import stream_media_minutes, stream_word_count
from .drafts import latest_versions
from .learning import lesson_list

# --- Authoring checks ----------------------------------------------------------------------


def lesson_versions(*, course: CoursePage) -> list:
    """The course's lessons in order, each as its latest revision has it: an author's
    drafts count (one review round publishes them with the course). Two queries."""
    return latest_versions(list(lesson_list(course=course, live_only=False)))


def course_credit_check(
    *,
    course: CoursePage,
    credits: list[CourseCredit] | None = None,
    method: str | None = None,
    words_per_hour: int | None = None,
    estimated_minutes: int | None = None,
    lessons: list | None = None,
) -> CreditCheck:
    """The credit check of a course (`courses.credit_rules.credit_check`), on its lessons'
    latest versions and its credit rows; the arguments given replace what is read.
    `lessons` (from `lesson_versions`) saves reading them again."""
    if lessons is None:
        lessons = lesson_versions(course=course) if course.pk else []
    counted = []
    for lesson in lessons:
        raw = lesson.body.raw_data
        counted.append(
            LessonWords(
                title=lesson.title,
                category=lesson.credit_category,
                words=stream_word_count(raw),
                media_minutes=stream_media_minutes(raw),
            )
        )
    return credit_check(
        lessons=counted,
        credits=(
            credits
            if credits is not None
            else list(course.credits.all().select_related("accreditor"))
        ),
        method=method or course.credit_method,
        words_per_hour=words_per_hour or course.words_per_credit_hour,
        estimated_minutes=course.estimated_minutes
        if estimated_minutes is None
        else estimated_minutes,
    )


def accreditor_warnings(
    *, course: CoursePage | None = None, credits: list[CourseCredit] | None = None
) -> list[str]:
    """What an administrator must fix in the accreditor records before credit is offered:
    placeholder provider numbers and approval periods that end soon. Not publishing
    problems (the demo content publishes with placeholders), but shown wherever staff look."""
    if course is None and credits is None:
        accreditors = list(Accreditor.objects.all())
    else:
        if credits is None:
            credits = list(course.credits.all().select_related("accreditor"))
        accreditors = list({c.accreditor.pk: c.accreditor for c in credits}.values())
    today = timezone.localdate()
    warnings = []
    for accreditor in sorted(accreditors, key=lambda a: a.short_name):
        if accreditor.has_placeholder_number:
            warnings.append(
                f"{accreditor.short_name}: the provider number is still the placeholder "
                f"“{accreditor.provider_number}”. Enter the number the accreditor issued before "
                "offering credit under it."
            )
        days_left = (accreditor.approval_end - today).days
        if 0 <= days_left <= 60:
            warnings.append(
                f"{accreditor.short_name}: the approval period ends on "
                f"{accreditor.approval_end:%Y-%m-%d} ({days_left} days)."
            )
    return warnings


# What an accreditor needs from a real author, said wherever a sample instructor appears.
REAL_AUTHOR_NEEDS = (
    "credentials and a CV; a conflict-of-interest and commercial-support disclosure; for ethics "
    "credit, a professional license (ASWB ACE: a licensed social worker); APA: a doctoral "
    "psychologist involved in planning; NASW: a social worker with a social work degree in "
    "planning and evaluation; NBCC: an assessment author with an advanced degree"
)


def course_warnings(
    *,
    course: CoursePage,
    check: CreditCheck | None = None,
    credits: list[CourseCredit] | None = None,
    instructors: list | None = None,
) -> list[str]:
    """Everything staff should fix before credit is really offered that does not block
    publishing: the accreditor records, fictional sample instructors, and an estimated
    time that disagrees with the credit. `check`, `credits` (with their accreditors)
    and `instructors`, when the caller has read them, are not read again."""
    warnings = accreditor_warnings(course=course, credits=credits)
    if instructors is None:
        instructors = [
            ci.instructor for ci in course.course_instructors.all().select_related("instructor")
        ]
    for instructor in instructors:
        if instructor.is_sample:
            warnings.append(
                f"{instructor.name} is a fictional sample instructor: the course page says it "
                f"is a sample course. Before offering credit, name a real author with "
                f"{REAL_AUTHOR_NEEDS}."
            )
    if course.pk:
        warnings.extend((check or course_credit_check(course=course)).warnings)
    return warnings


# --- Learning objectives ------------------------------------------------------------------


def course_objectives(*, course: CoursePage, draft: bool = True) -> list:
    """The course's learning objectives in their order, each with its stable `key`.
    `draft`: as the latest revision has them (what the course editor shows, an
    objective added in a draft included), else as published (the saved rows)."""
    if not course.pk:
        return []
    if draft and course.latest_revision_id:
        objectives = course.get_latest_revision_as_object().objectives.all()
        # As PostgreSQL orders them: sort_order, unset last.
        return sorted(objectives, key=lambda o: (o.sort_order is None, o.sort_order or 0))
    return list(course.objectives.order_by("sort_order", "pk"))
