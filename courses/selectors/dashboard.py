"""The dashboard's reads: a person's enrollments with their courses and
completions, and each enrollment's progress and steps (every registered step
provider's, read together: courses.registry)."""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from cms import site_cache
from cms.prepared import PreparedStatement

from ..models import CourseCompletion, CoursePage, Enrollment, LessonPage
from ..registry import Step, step_batch, step_providers
from ..seat_time import TimeRequirement
from .batch import batch_prefetch
from .learning import lesson_progress, resume_point
from .seat_time import time_requirements

# Where the reading-time step stands among the registered steps (their `order`):
# after the post-test (20) and the evaluation (30), before the certificate (900),
# so "Next step" points at the post-test first and reading time is what is left.
TIME_STEP_ORDER = 800


@dataclass
class EnrollmentSummary:
    enrollment: Enrollment
    lessons_total: int
    lessons_done: int
    steps: list[Step]
    completed: bool
    resume: LessonPage | None = None

    @property
    def lesson_percent(self) -> int:
        return round(100 * self.lessons_done / self.lessons_total) if self.lessons_total else 0

    @property
    def next_step(self) -> Step | None:
        for step in self.steps:
            if not step.done and step.available:
                return step
        return None

    @property
    def steps_done(self) -> int:
        return sum(1 for s in self.steps if s.done)


def enrollment_summaries(*, enrollments: list[Enrollment]) -> list[EnrollmentSummary]:
    """Progress and every step for many enrollments at once: two queries, plus a
    constant number per registered step provider. Enrollments need `course` loaded."""
    if not enrollments:
        return []
    provided: dict[int, list[tuple[int, Step]]] = defaultdict(list)
    # The providers ask for some of the same things (which enrollments finished
    # their lessons, the attempts, the credit rows): each is read once.
    with step_batch():
        batch_prefetch(enrollments)  # on PostgreSQL, every provider's read in one statement
        progress = lesson_progress(enrollments=enrollments)
        for provider in step_providers():
            for enrollment_id, steps in provider.steps_for(enrollments=enrollments).items():
                provided[enrollment_id].extend((provider.order, step) for step in steps)
        times = time_requirements(enrollments=enrollments)

    summaries = []
    for enrollment in enrollments:
        course_lessons, done_ids = progress[enrollment.pk]
        done_count = sum(1 for lesson in course_lessons if lesson.pk in done_ids)
        resume = resume_point(
            [(lesson, lesson.pk in done_ids) for lesson in course_lessons],
            last_lesson_id=enrollment.last_lesson_id,
        )
        all_done = bool(course_lessons) and done_count == len(course_lessons)
        lessons_step = Step(
            key="lessons",
            label="Lessons",
            done=all_done,
            detail=f"{done_count} of {len(course_lessons)} lessons complete",
            url=site_cache.page_url(resume if resume is not None else enrollment.course),
            action_label=(
                f"Resume: {resume.title}"
                if resume is not None and done_count
                else f"Start: {resume.title}"
                if resume is not None
                else "Review the course"
            ),
        )
        ordered = list(provided[enrollment.pk])
        time = times.get(enrollment.pk)
        if time is not None:
            first = course_lessons[0] if course_lessons else None
            ordered.append((TIME_STEP_ORDER, _time_step(time, resume or first, enrollment)))
        ordered.sort(key=lambda pair: pair[0])  # stable: providers keep their order
        steps = [lessons_step, *(step for _, step in ordered)]
        summaries.append(
            EnrollmentSummary(
                enrollment=enrollment,
                lessons_total=len(course_lessons),
                lessons_done=done_count,
                steps=steps,
                completed=_completed(enrollment),
                resume=resume,
            )
        )
    return summaries


def _time_step(time: TimeRequirement, lesson: LessonPage | None, enrollment: Enrollment) -> Step:
    """The minimum active time as a step of its own: required, and said in words
    while it is open (the requirement is the course's total, not a lesson's)."""
    minutes = time.required_minutes
    asked = f"{time.asked_by} credit needs at least {minutes} minute{'s' * (minutes != 1)}"
    if time.lowered:
        asked = (
            f"lowered for you to {minutes} minute{'s' * (minutes != 1)} on "
            f"{time.override.granted_on}, until {time.override.expires_on:%-d %b %Y}; "
            f"{time.asked_by} credit asks {time.standard_minutes}"
        )
    if time.met:
        detail = f"{time.active_minutes} minutes of active reading recorded; {asked}"
    else:
        left = time.remaining_minutes
        detail = (
            f"{left} more minute{'s' * (left != 1)} of active reading in this course "
            f"({asked}; {time.active_minutes} recorded so far). Time counts while a lesson "
            "is open and you are reading it."
        )
    return Step(
        key="time",
        label="Active reading time",
        done=time.met,
        available=not time.met,
        detail=detail,
        url=site_cache.page_url(lesson if lesson is not None else enrollment.course),
        action_label=f"Read on: {lesson.title}" if lesson is not None else "Back to the course",
    )


def _completed(enrollment: Enrollment) -> bool:
    try:
        return enrollment.completion is not None
    except Enrollment.completion.RelatedObjectDoesNotExist:
        return False


def dashboard_enrollments(*, user) -> list[Enrollment]:
    """The user's enrollments with their completions (one query), each with its
    course from the site cache (courses_by_id), or in the same query when the
    site cache is off. On PostgreSQL with the cache on, the completion is read
    for its date only (its snapshot and participant facts stay in the database
    until asked for), from a statement made once per process."""
    kept = site_cache.site_cache_seconds() > 0
    if kept and connection.vendor == "postgresql":  # psycopg gives each column its Python type
        enrollments = _enrollments_with_completion_dates(user_id=user.pk)
    else:
        enrollments = list(
            Enrollment.objects.filter(user=user)
            .select_related("completion", *(() if kept else ("course",)))
            .order_by("status", "-last_activity_at", "-enrolled_at")
        )
    if not kept:
        return enrollments
    courses = courses_by_id(ids=[e.course_id for e in enrollments])
    for enrollment in enrollments:
        if enrollment.course_id in courses:
            enrollment.course = courses[enrollment.course_id]
    return enrollments


def _enrollments_with_completion_dates(*, user_id: int) -> list[Enrollment]:
    statement, enrollment_fields = _enrollments_statement()
    with connection.cursor() as cursor:
        statement.execute(cursor, [user_id])  # planned once per database session
        rows = cursor.fetchall()
    width = len(enrollment_fields)
    cached = Enrollment.completion.related
    enrollments = []
    for row in rows:
        enrollment = Enrollment.from_db(connection.alias, enrollment_fields, row[:width])
        completion = None
        if row[width] is not None:
            completion = CourseCompletion.from_db(
                connection.alias,
                _COMPLETION_DATE_FIELDS,
                (row[width], enrollment.pk, row[width + 1]),
            )
        cached.set_cached_value(enrollment, completion)
        enrollments.append(enrollment)
    return enrollments


# In the model's order of fields, as Model.from_db takes them.
_COMPLETION_DATE_FIELDS = ["id", "enrollment_id", "completed_at"]


_ENROLLMENTS_SQL = """
SELECT {columns}, c.id, c.completed_at FROM {enrollment} e
LEFT JOIN {completion} c ON c.enrollment_id = e.id
WHERE e.user_id = %s
ORDER BY e.status, e.last_activity_at DESC, e.enrolled_at DESC
"""


@lru_cache(maxsize=1)
def _enrollments_statement() -> tuple[PreparedStatement, list[str]]:
    """A person's enrollments, in the dashboard's order, with each completion's id
    and date: the statement (made once; the ORM's select_related compiles it on
    every request) and the enrollment's field names in the order of its first columns."""
    fields = Enrollment._meta.concrete_fields
    sql = _ENROLLMENTS_SQL.format(
        columns=", ".join(f'e."{f.column}"' for f in fields),
        enrollment=Enrollment._meta.db_table,
        completion=CourseCompletion._meta.db_table,
    )
    return PreparedStatement(sql), [f.attname for f in fields]


def courses_by_id(*, ids) -> dict[int, CoursePage]:
    """Courses by id, made from their rows kept in the site cache (one query for
    those not kept): a course's row changes only with a save, publish or move,
    which moves the cache on."""

    def read(missing: list[int]) -> dict[int, tuple]:
        return {c.pk: site_cache.page_row(c) for c in CoursePage.objects.filter(pk__in=missing)}

    courses = {}
    for pk, row in site_cache.cached_by_id("course-row", ids, read).items():
        course = site_cache.page_from_row(row)
        if course is not None:
            courses[pk] = course
    return courses
