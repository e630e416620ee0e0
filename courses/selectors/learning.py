"""Reads of a clinician's learning: an enrollment, lesson reading, the outline,
progress and where to resume (the dashboard's reads: dashboard.py)."""

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
    CourseCredit,
    CourseInstructor,
    CoursePage,
    Enrollment,
    Instructor,
    JournalEntry,
    LessonPage,
    LessonProgress,
)
from ..registry import BatchStatement, batch_read
from .batch import batch_enrollment_ids


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
    return resume_point(
        [(item.lesson, item.done) for item in outline],
        last_lesson_id=enrollment.last_lesson_id if enrollment else None,
    )


def resume_point(
    lessons: list[tuple[LessonPage, bool]], *, last_lesson_id: int | None
) -> LessonPage | None:
    """Of lessons in order with whether each is done: the last one visited if
    unfinished, else the first unfinished one, else None."""
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


def _children_of_paths(paths) -> Q:
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    return query


def enrollment_active_seconds(*, enrollment: Enrollment) -> int:
    return (
        LessonProgress.objects.filter(enrollment=enrollment).aggregate(total=Sum("active_seconds"))[
            "total"
        ]
        or 0
    )
