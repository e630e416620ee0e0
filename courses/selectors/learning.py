"""Reads of a clinician's learning: enrollments, the outline, progress and steps."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Q, QuerySet, Sum

from cms import site_cache
from cms.prepared import PreparedStatement

from ..models import (
    Accreditor,
    CourseCompletion,
    CourseCredit,
    CourseInstructor,
    CoursePage,
    Enrollment,
    Instructor,
    JournalEntry,
    LessonPage,
    LessonProgress,
)
from ..registry import BatchStatement, Step, batch_read, step_batch, step_providers
from ..seat_time import TimeRequirement
from .batch import batch_enrollment_ids, batch_prefetch
from .seat_time import time_requirements

# Where the reading-time step stands among the registered steps (their `order`):
# after the post-test (20) and the evaluation (30), before the certificate (900),
# so "Next step" points at the post-test first and reading time is what is left.
TIME_STEP_ORDER = 800


def lesson_list(*, course: CoursePage, live_only: bool = True) -> QuerySet[LessonPage]:
    qs = LessonPage.objects.child_of(course).order_by("path")
    return qs.live() if live_only else qs


# --- Learning --------------------------------------------------------------------------------

_LESSON_LINK_FIELDS = ("id", "title", "slug", "url_path", "path", "depth", "live")


def enrollment_get(*, user, course: CoursePage) -> Enrollment | None:
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(user=user, course=course).select_related("completion").first()


@dataclass(frozen=True)
class LessonReading:
    """What a lesson page reads for the person reading it: the course, their
    enrollment in it (None for a visitor or someone not enrolled), the lessons of
    the course they have completed, and their own reflections on this lesson by
    prompt id (nobody else's, ever)."""

    course: CoursePage
    enrollment: Enrollment | None
    done_ids: frozenset[int]
    journal: dict[str, str]


def lesson_reading(*, user, lesson: LessonPage) -> LessonReading:
    """Everything personal a lesson page shows, in one query: the course comes
    from the site cache (course_at); the enrollment, the completed lessons and
    the journal from one statement on PostgreSQL (three ORM reads elsewhere, and
    with the site cache off)."""
    course_path = lesson.path[: -CoursePage.steplen]
    if not user.is_authenticated:
        return LessonReading(course_at(path=course_path), None, frozenset(), {})
    if site_cache.site_cache_seconds() > 0:
        course = course_at(path=course_path)
        if connection.vendor == "postgresql":
            return _reading_in_one_statement(user=user, course=course, lesson=lesson)
        enrollment = Enrollment.objects.filter(user=user, course_id=course.pk).first()
    else:
        enrollment = (
            Enrollment.objects.filter(user=user, course__path=course_path)
            .select_related("course")
            .first()
        )
        course = enrollment.course if enrollment else CoursePage.objects.get(path=course_path)
    return _reading_with_the_orm(user=user, course=course, enrollment=enrollment, lesson=lesson)


def _reading_in_one_statement(*, user, course: CoursePage, lesson: LessonPage) -> LessonReading:
    statement, fields = _reading_statement()
    with connection.cursor() as cursor:
        statement.execute(cursor, {"user": user.pk, "course": course.pk, "lesson": lesson.pk})
        row = cursor.fetchone()
    if row is None:
        return LessonReading(course, None, frozenset(), {})
    enrollment = Enrollment.from_db(connection.alias, fields, row[: len(fields)])
    enrollment.course = course
    done_ids, journal = row[len(fields)], row[len(fields) + 1]
    return LessonReading(course, enrollment, frozenset(done_ids), journal or {})


def _reading_with_the_orm(*, user, course, enrollment, lesson) -> LessonReading:
    if enrollment is None:
        return LessonReading(course, None, frozenset(), {})
    enrollment.course = course
    return LessonReading(
        course,
        enrollment,
        _done_lesson_ids(enrollment),
        journal_entries(user=user, lesson=lesson),
    )


# The reader's enrollment in the course, the ids of the lessons they completed in
# it, and their own reflections on the lesson as {prompt id: text}.
_READING_SQL = """
SELECT {columns},
    ARRAY(SELECT p.lesson_id FROM {progress} p
          WHERE p.enrollment_id = e.id AND p.completed_at IS NOT NULL),
    (SELECT json_object_agg(j.prompt_id, j.text) FROM {journal} j
     WHERE j.user_id = e.user_id AND j.lesson_id = %(lesson)s)
FROM {enrollment} e
WHERE e.user_id = %(user)s AND e.course_id = %(course)s
"""


@lru_cache(maxsize=1)
def _reading_statement() -> tuple[PreparedStatement, list[str]]:
    """_READING_SQL for these tables, and the enrollment's field names in the
    order of its first columns (for Enrollment.from_db)."""
    fields = Enrollment._meta.concrete_fields
    sql = _READING_SQL.format(
        columns=", ".join(f'e."{f.column}"' for f in fields),
        progress=LessonProgress._meta.db_table,
        journal=JournalEntry._meta.db_table,
        enrollment=Enrollment._meta.db_table,
    )
    return PreparedStatement(sql), [f.attname for f in fields]


def course_at(*, path: str) -> CoursePage:
    """The course at ``path`` (a lesson's parent), kept in the site cache: its row
    changes only with a save, publish or move, which moves the cache on (with
    the cache off: one query)."""
    row = site_cache.cached(
        "course-row-at", (path,), lambda: site_cache.page_row(CoursePage.objects.get(path=path))
    )
    course = site_cache.page_from_row(row)
    return course if course is not None else CoursePage.objects.get(path=path)


@dataclass
class OutlineItem:
    lesson: LessonPage
    done: bool
    current: bool = False


def course_outline(
    *,
    course: CoursePage,
    enrollment: Enrollment | None,
    current: LessonPage | None = None,
    done_ids: frozenset[int] | None = None,
) -> list[OutlineItem]:
    """The published lessons in order, with check marks for the enrollment: one
    query (the lessons come from the site cache, courses.selectors.live_lessons_by_course),
    none when the completed lessons' ids are given (`done_ids`, as lesson_reading reads them)."""
    lessons = live_lessons_by_course(courses=[course])[course.pk]
    if done_ids is None:
        done_ids = _done_lesson_ids(enrollment) if enrollment is not None else frozenset()
    return [
        OutlineItem(
            lesson=lesson,
            done=lesson.pk in done_ids,
            current=current is not None and lesson.pk == current.pk,
        )
        for lesson in lessons
    ]


def _done_lesson_ids(enrollment: Enrollment) -> frozenset[int]:
    return frozenset(
        LessonProgress.objects.filter(
            enrollment=enrollment, completed_at__isnull=False
        ).values_list("lesson_id", flat=True)
    )


def resume_lesson(
    *, outline: list[OutlineItem], enrollment: Enrollment | None
) -> LessonPage | None:
    """Where to pick up: the last lesson visited if unfinished, else the first unfinished one."""
    return _resume(
        [(item.lesson, item.done) for item in outline],
        last_lesson_id=enrollment.last_lesson_id if enrollment else None,
    )


def _resume(lessons: list[tuple[LessonPage, bool]], *, last_lesson_id: int | None):
    for lesson, done in lessons:
        if lesson.pk == last_lesson_id and not done:
            return lesson
    for lesson, done in lessons:
        if not done:
            return lesson
    return None


def course_instructors(*, course: CoursePage) -> list[Instructor]:
    return [
        ci.instructor
        for ci in CourseInstructor.objects.filter(page=course)
        .select_related("instructor", "instructor__photo", "instructor__cv")
        .order_by("sort_order")
    ]


def course_credits(*, course: CoursePage) -> list[CourseCredit]:
    return list(
        CourseCredit.objects.filter(page=course)
        .select_related("accreditor")
        .order_by("accreditor__short_name", "category")
    )


def course_statements(*, credits: list[CourseCredit], provider_name: str) -> list[tuple[str, str]]:
    """Each accreditor's approval statement, with the hours the course earns under it."""
    totals: dict[int, Decimal] = {}
    accreditors: dict[int, Accreditor] = {}
    for credit in credits:
        accreditors[credit.accreditor_id] = credit.accreditor
        totals[credit.accreditor_id] = totals.get(credit.accreditor_id, Decimal("0")) + credit.hours
    return [
        (
            accreditor.name,
            accreditor.render_statement(provider=provider_name, credits=totals[pk]),
        )
        for pk, accreditor in accreditors.items()
    ]


def journal_entries(*, user, lesson: LessonPage) -> dict[str, str]:
    """The user's own reflections on this lesson, by prompt id. Nobody else's, ever."""
    if not user.is_authenticated:
        return {}
    return dict(
        JournalEntry.objects.filter(user=user, lesson=lesson).values_list("prompt_id", "text")
    )


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


def lesson_progress(
    *, enrollments: list[Enrollment]
) -> dict[int, tuple[list[LessonPage], set[int]]]:
    """Each enrollment's live lessons in order and the ids of those it completed
    (two queries for any number of enrollments; they need `course` loaded; read
    once for all the step providers of a page: courses.registry.batch_read)."""
    return batch_read("lesson_progress", enrollments, lambda: _lesson_progress(enrollments))


def _lesson_progress(enrollments: list[Enrollment]) -> dict[int, tuple[list[LessonPage], set[int]]]:
    if not enrollments:
        return {}
    lessons_by_course = live_lessons_by_course(courses=[e.course for e in enrollments])
    done = batch_read(
        "lessons_done",
        enrollments,
        lambda: _done_by_enrollment(
            LessonProgress.objects.filter(
                enrollment__in=enrollments, completed_at__isnull=False
            ).values_list("enrollment_id", "lesson_id")
        ),
    )
    return {e.pk: (lessons_by_course.get(e.course_id, []), done[e.pk]) for e in enrollments}


def _done_by_enrollment(pairs) -> dict[int, set[int]]:
    done: dict[int, set[int]] = defaultdict(set)
    for enrollment_id, lesson_id in pairs:
        done[enrollment_id].add(lesson_id)
    return done


# The lessons completed, as a part of the step providers' one statement (.batch).
LESSONS_DONE = BatchStatement(
    name="lessons_done",
    query=lambda: LessonProgress.objects.filter(
        enrollment_id__in=batch_enrollment_ids(), completed_at__isnull=False
    ).values_list("enrollment_id", "lesson_id"),
    parse=lambda rows, enrollments: _done_by_enrollment(rows),
)


def live_lessons_by_course(*, courses: list[CoursePage]) -> dict[int, list[LessonPage]]:
    """Each course's live lessons in order (link fields only), by course id: one
    query for the courses not in the site cache. They change only when a page is
    published, moved or deleted, which moves the cache on (cms.site_cache)."""
    by_id = {course.pk: course for course in courses}

    def read(course_ids: list[int]) -> dict[int, list[LessonPage]]:
        course_paths = {by_id[pk].path: pk for pk in course_ids}
        found: dict[int, list[LessonPage]] = {pk: [] for pk in course_ids}
        for lesson in (
            LessonPage.objects.live()
            .filter(depth__in={by_id[pk].depth + 1 for pk in course_ids})
            .filter(_children_of_paths(course_paths))
            .order_by("path")
            .only(*_LESSON_LINK_FIELDS)
        ):
            course_id = course_paths.get(lesson.path[: -CoursePage.steplen])
            if course_id is not None:
                found[course_id].append(lesson)
        return found

    found = site_cache.cached_by_id("course-lessons", by_id, read)
    site_cache.with_site_root_paths(lesson for lessons in found.values() for lesson in lessons)
    return found


def lessons_complete_ids(*, enrollments: list[Enrollment]) -> set[int]:
    """Enrollments whose every live lesson is complete (the lessons step done)."""
    return {
        pk
        for pk, (lessons, done_ids) in lesson_progress(enrollments=enrollments).items()
        if lessons and all(lesson.pk in done_ids for lesson in lessons)
    }


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
        resume = _resume(
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


def _children_of_paths(paths) -> Q:
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return query


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


def enrollment_active_seconds(*, enrollment: Enrollment) -> int:
    return (
        LessonProgress.objects.filter(enrollment=enrollment).aggregate(total=Sum("active_seconds"))[
            "total"
        ]
        or 0
    )
