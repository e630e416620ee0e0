"""Query budgets: the course page, a lesson, the catalog and the dashboard run a
constant number of SQL queries whatever the number of lessons, courses or
enrollments. Each is measured at two sizes (the counts must be equal) and held
under a stated budget."""

import pytest
from django.test import Client

from courses.services import enrollment_create
from tests.courses.conftest import client_for
from tests.factories import (
    AccreditorFactory,
    UserFactory,
    catalog_get,
    course_build,
    lesson_done,
    lessons_of,
)
from tests.queries import assert_constant, page_queries

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

# About half of each budget is Wagtail's routing (a query per level of the page
# tree, view restrictions), the session and user, and the footer's policy links.
COURSE_PAGE_BUDGET = 27
LESSON_PAGE_BUDGET = 28
CATALOG_BUDGET = 22
DASHBOARD_BUDGET = 15


def _course_with_progress(*, lessons: int, user):
    course = course_build(lessons=lessons, words_per_lesson=2600, hours="0.5")
    enrollment_create(user=user, course=course)
    lesson_done(user=user, lesson=lessons_of(course)[0])
    return course


def _reader_of_two_courses():
    """A signed-in reader's client, and two courses they read (the first lesson
    done): one of 2 lessons, one of 8."""
    user = UserFactory()
    client = client_for(user)
    small = _course_with_progress(lessons=2, user=user)
    large = _course_with_progress(lessons=8, user=user)
    return client, small, large


def test_course_page_is_constant_in_lessons():
    client, small, large = _reader_of_two_courses()
    assert_constant(
        page_queries(client, small.url), page_queries(client, large.url), COURSE_PAGE_BUDGET
    )
    anonymous = Client()
    assert_constant(
        page_queries(anonymous, small.url), page_queries(anonymous, large.url), COURSE_PAGE_BUDGET
    )


def test_lesson_page_is_constant_in_lessons():
    client, small, large = _reader_of_two_courses()
    assert_constant(
        page_queries(client, lessons_of(small)[1].url),
        page_queries(client, lessons_of(large)[4].url),
        LESSON_PAGE_BUDGET,
    )


def _catalog_queries(courses: int, *, query: str = "") -> list[str]:
    catalog = catalog_get()
    apa = AccreditorFactory()
    for i in range(courses):
        course_build(title=f"Course {i}", lessons=1, hours="0.25", accreditors=[apa])
    return page_queries(Client(), catalog.url + query)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?profession=psychologist&hours=1&topic=&category=general&level=intermediate&format=self_paced_reading",
        "?q=course&profession=psychologist",
    ],
)
def test_catalog_is_constant_in_courses(query, django_db_blocker):
    small = _catalog_queries(1, query=query)
    large = _catalog_queries(5, query=query)  # six courses in all
    assert_constant(small, large, CATALOG_BUDGET)


def test_dashboard_is_constant_in_enrollments():
    user = UserFactory()
    client = client_for(user)
    _course_with_progress(lessons=2, user=user)
    small = page_queries(client, "/dashboard/")
    for _ in range(5):
        _course_with_progress(lessons=3, user=user)
    large = page_queries(client, "/dashboard/")
    assert_constant(small, large, DASHBOARD_BUDGET)


def test_with_the_site_cache_a_lesson_costs_one_query_of_its_own_and_writes_nothing(
    site_cache_on,
):
    """As in production (a Redis cache): routes, the course, its outline, the
    footer and the view restrictions from the cache. The session row and the user
    (production keeps both in the cache too), then one statement for the reader:
    the enrollment, the lessons done and the journal (courses.selectors.lesson_reading)."""
    client, small, large = _reader_of_two_courses()
    small_sql = page_queries(client, lessons_of(small)[1].url)
    large_sql = page_queries(client, lessons_of(large)[4].url)
    assert_constant(small_sql, large_sql, 3)
    assert not [q for q in large_sql if q.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


# The course editor (Wagtail's page editor with the checklist and credit panels):
# most of it is Wagtail's; the panels read the course, its lessons (latest
# revisions) and the policies once for both (courses.publishing.course_editor_report).
COURSE_EDITOR_BUDGET = 55


def test_the_course_editor_reads_the_course_once_whatever_its_lessons(instructor_user):
    small = course_build(lessons=2, words_per_lesson=2600, owner=instructor_user)
    large = course_build(lessons=6, words_per_lesson=900, owner=instructor_user)
    client = client_for(instructor_user)
    assert_constant(
        page_queries(client, f"/admin/pages/{small.pk}/edit/"),
        page_queries(client, f"/admin/pages/{large.pk}/edit/"),
        COURSE_EDITOR_BUDGET,
    )
