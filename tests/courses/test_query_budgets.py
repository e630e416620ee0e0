"""Query budgets: the course page, a lesson, the catalog and the dashboard run a
constant number of SQL queries whatever the number of lessons, courses or
enrollments. Each is measured at two sizes (the counts must be equal) and held
under a stated budget."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

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

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

# About half of each budget is Wagtail's routing (a query per level of the page
# tree, view restrictions), the session and user, and the footer's policy links.
COURSE_PAGE_BUDGET = 27
LESSON_PAGE_BUDGET = 28
CATALOG_BUDGET = 22
DASHBOARD_BUDGET = 15


def _queries(client, url) -> list[str]:
    assert client.get(url).status_code == 200  # warms per-process caches (site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


def _assert_constant(small: list[str], large: list[str], budget: int):
    assert len(small) == len(large), "\n".join(large)
    assert len(large) <= budget, "\n".join(large)


def _course_with_progress(*, lessons: int, user):
    course = course_build(lessons=lessons, words_per_lesson=2600, hours="0.5")
    enrollment_create(user=user, course=course)
    lesson_done(user=user, lesson=lessons_of(course)[0])
    return course


def test_course_page_is_constant_in_lessons():
    user = UserFactory()
    client = client_for(user)
    small = _course_with_progress(lessons=2, user=user)
    large = _course_with_progress(lessons=8, user=user)
    _assert_constant(_queries(client, small.url), _queries(client, large.url), COURSE_PAGE_BUDGET)
    anonymous = Client()
    _assert_constant(
        _queries(anonymous, small.url), _queries(anonymous, large.url), COURSE_PAGE_BUDGET
    )


def test_lesson_page_is_constant_in_lessons():
    user = UserFactory()
    client = client_for(user)
    small = _course_with_progress(lessons=2, user=user)
    large = _course_with_progress(lessons=8, user=user)
    _assert_constant(
        _queries(client, lessons_of(small)[1].url),
        _queries(client, lessons_of(large)[4].url),
        LESSON_PAGE_BUDGET,
    )


def _catalog_queries(courses: int, *, query: str = "") -> list[str]:
    catalog = catalog_get()
    apa = AccreditorFactory()
    for i in range(courses):
        course_build(title=f"Course {i}", lessons=1, hours="0.25", accreditors=[apa])
    return _queries(Client(), catalog.url + query)


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
    _assert_constant(small, large, CATALOG_BUDGET)


def test_dashboard_is_constant_in_enrollments():
    user = UserFactory()
    client = client_for(user)
    _course_with_progress(lessons=2, user=user)
    small = _queries(client, "/dashboard/")
    for _ in range(5):
        _course_with_progress(lessons=3, user=user)
    large = _queries(client, "/dashboard/")
    _assert_constant(small, large, DASHBOARD_BUDGET)


def test_with_the_site_cache_a_lesson_costs_six_queries_and_writes_nothing(site_cache_on):
    """As in production (a Redis cache): routes, the footer and the view
    restrictions from the cache. Six queries and the session row (production
    reads sessions from the cache too): the user, the page, the enrollment with
    its course, the outline, the lessons done, the journal."""
    user = UserFactory()
    client = client_for(user)
    small = _course_with_progress(lessons=2, user=user)
    large = _course_with_progress(lessons=8, user=user)
    small_sql = _queries(client, lessons_of(small)[1].url)
    large_sql = _queries(client, lessons_of(large)[4].url)
    _assert_constant(small_sql, large_sql, 7)
    assert not [q for q in large_sql if q.split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]


# The course editor (Wagtail's page editor with the checklist and credit panels):
# most of it is Wagtail's; the panels read the course, its lessons (latest
# revisions) and the policies once for both (courses.publishing.course_editor_report).
COURSE_EDITOR_BUDGET = 55


def test_the_course_editor_reads_the_course_once_whatever_its_lessons(instructor_user):
    small = course_build(lessons=2, words_per_lesson=2600, owner=instructor_user)
    large = course_build(lessons=6, words_per_lesson=900, owner=instructor_user)
    client = client_for(instructor_user)
    _assert_constant(
        _queries(client, f"/admin/pages/{small.pk}/edit/"),
        _queries(client, f"/admin/pages/{large.pk}/edit/"),
        COURSE_EDITOR_BUDGET,
    )
