"""What a lesson page reads for its reader (courses.selectors.lesson_reading): with
the site cache on, PostgreSQL answers it in one statement; with it off, the ORM in
a few. Both give the same answer: the reader's enrollment, the lessons they
completed in this course only, and their own journal on this lesson only."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.selectors import lesson_reading
from courses.services import enrollment_create, enrollment_unenroll, journal_save
from tests.factories import UserFactory, course_build, lesson_done, lessons_of

pytestmark = pytest.mark.django_db


def _prompt_id(lesson) -> str:
    return next(b.id for b in lesson.body if b.block_type == "reflection_prompt")


@pytest.fixture
def reading_world():
    """A reader two lessons into a three-lesson course, with a reflection on the
    first; another reader's reflection on it; progress in another course."""
    course, other_course = course_build(lessons=3), course_build(lessons=2)
    first, second, third = lessons_of(course)
    reader, neighbour = UserFactory(), UserFactory()
    enrollment_create(user=reader, course=course)
    enrollment_create(user=neighbour, course=course)
    for lesson in (first, second):
        lesson_done(user=reader, lesson=lesson)
    lesson_done(user=neighbour, lesson=third)
    enrollment_create(user=reader, course=other_course)
    lesson_done(user=reader, lesson=lessons_of(other_course)[0])
    journal_save(user=reader, lesson=first, prompt_id=_prompt_id(first), text="Mine")
    journal_save(user=neighbour, lesson=first, prompt_id=_prompt_id(first), text="Theirs")
    return {"course": course, "lessons": (first, second, third), "reader": reader}


def _facts(reading):
    enrollment = reading.enrollment
    return (
        reading.course.pk,
        enrollment and (enrollment.pk, enrollment.user_id, enrollment.status),
        reading.done_ids,
        reading.journal,
    )


@pytest.mark.parametrize("cache", ["one statement", "the ORM"])
def test_the_reader_gets_their_enrollment_their_progress_and_their_own_journal(
    cache, reading_world, settings
):
    settings.SITE_CACHE_SECONDS = 300 if cache == "one statement" else 0
    course, (first, second, third) = reading_world["course"], reading_world["lessons"]
    reader = reading_world["reader"]

    reading = lesson_reading(user=reader, lesson=first)

    enrollment = reader.enrollments.get(course=course)
    assert _facts(reading) == (
        course.pk,
        (enrollment.pk, reader.pk, "active"),
        frozenset({first.pk, second.pk}),
        {_prompt_id(first): "Mine"},
    )
    assert reading.enrollment.is_active and reading.enrollment.course == course
    assert lesson_reading(user=reader, lesson=third).journal == {}


@pytest.mark.parametrize("cache", ["one statement", "the ORM"])
def test_a_visitor_someone_not_enrolled_and_someone_who_left_read_nothing_personal(
    cache, reading_world, settings
):
    settings.SITE_CACHE_SECONDS = 300 if cache == "one statement" else 0
    course, second = reading_world["course"], reading_world["lessons"][1]

    for user in (AnonymousUser(), UserFactory()):
        assert _facts(lesson_reading(user=user, lesson=second)) == (
            course.pk, None, frozenset(), {}
        )  # fmt: skip
    reader = reading_world["reader"]
    enrollment_unenroll(enrollment=reader.enrollments.get(course=course))
    assert not lesson_reading(user=reader, lesson=second).enrollment.is_active


def test_with_the_site_cache_the_reading_is_one_query(reading_world, site_cache_on):
    first = reading_world["lessons"][0]
    lesson_reading(user=reading_world["reader"], lesson=first)  # the course into the cache

    with CaptureQueriesContext(connection) as queries:
        reading = lesson_reading(user=reading_world["reader"], lesson=first)

    assert len(queries) == 1 and reading.journal
