"""The dashboard's course structure (each course's live lessons, its post-test
page, its credit rows) comes from the site cache once read, as in production
with Redis; the clinician's own records never do. Every change an author or an
Administrator can make to that structure shows on the next dashboard."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.services import enrollment_create
from quizzes.models import PostTestPage
from quizzes.services import attempt_start
from tests.courses.conftest import client_for
from tests.factories import (
    AccreditorFactory,
    clinician,
    course_build,
    course_completed_by,
    lessons_complete,
)
from tests.queries import queries_read

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_cache_on")]

STRUCTURE_TABLES = ('"courses_lessonpage"', '"quizzes_posttestpage"', '"courses_coursecredit"')


def _dashboard(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode(), queries_read(captured)


def _without_tokens(page: str) -> str:
    """The page without what differs on every response (CSRF token, CSP nonce)."""
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", page)


def _structure_reads(sql: list[str]) -> list[str]:
    return [q for q in sql if any(f"FROM {table}" in q for table in STRUCTURE_TABLES)]


def test_a_warm_dashboard_reads_no_course_structure_and_the_clinicians_records_each_time():
    apa = AccreditorFactory()
    user = clinician()
    client = client_for(user)
    testing = course_build(title="Testing course", accreditors=[apa])
    enrollment = enrollment_create(user=user, course=testing)
    lessons_complete(enrollment=enrollment)
    attempt_start(enrollment=enrollment)
    course_completed_by(user=user, course=course_build(title="Done course", accreditors=[apa]))

    cold_page, cold = _dashboard(client)
    assert len(_structure_reads(cold)) == 3
    warm_page, warm = _dashboard(client)
    assert _structure_reads(warm) == []
    # What is left: the session and the user, the clinician's enrollments, lesson
    # progress, attempts, overrides, evaluations with attestations, certificates
    # and licenses. The site for the page links is kept too (cms.routing).
    assert not any('FROM "wagtailcore_site"' in q for q in warm)
    assert len(warm) <= 9
    assert _without_tokens(warm_page) == _without_tokens(cold_page)
    # The clinician's own records are read every time.
    for table in ("courses_enrollment", "courses_lessonprogress", "quizzes_attempt"):
        assert any(f'FROM "{table}"' in q for q in warm), table


def test_the_evaluation_step_says_which_accreditors_were_claimed_in_one_read():
    apa = AccreditorFactory(short_name="APA")
    aswb = AccreditorFactory(
        short_name="ASWB", name="Association of Social Work Boards", professions=["social_worker"]
    )
    user = clinician(professions=("psychologist", "social_worker"))
    course = course_build(title="Claimed course", accreditors=[apa, aswb])
    course_completed_by(user=user, course=course, accreditors=[apa, aswb])
    attendance = course_build(title="Attendance course", accreditors=[apa])
    course_completed_by(user=user, course=attendance, accreditors=[])

    page, sql = _dashboard(client_for(user))
    assert "credit claimed under APA, ASWB" in page
    assert "certificate of attendance (no credit claimed)" in page
    reads = [q for q in sql if "quizzes_evaluation" in q or "quizzes_attestation" in q]
    assert len(reads) == 1


def test_a_lesson_published_later_shows_on_the_next_dashboard():
    user = clinician()
    client = client_for(user)
    course = course_build(title="Growing course", lessons=2)
    enrollment_create(user=user, course=course)
    page, _ = _dashboard(client)
    assert "0 of 2 lessons complete" in page

    from courses.models import LessonPage

    lesson = LessonPage.objects.child_of(course).first()
    extra = lesson.copy(update_attrs={"slug": "a-third-lesson", "title": "A third lesson"})
    extra.save_revision().publish()
    page, _ = _dashboard(client)
    assert "0 of 3 lessons complete" in page

    extra.unpublish()
    page, _ = _dashboard(client)
    assert "0 of 2 lessons complete" in page


def test_an_unpublished_post_test_and_a_changed_accreditor_show_on_the_next_dashboard():
    apa = AccreditorFactory(attempts_allowed=3)
    user = clinician()
    client = client_for(user)
    course = course_build(title="Changing course", accreditors=[apa])
    enrollment = enrollment_create(user=user, course=course)
    lessons_complete(enrollment=enrollment)
    page, _ = _dashboard(client)
    assert "3 of 3 attempts left" in page

    apa.attempts_allowed = 2
    apa.save()
    page, _ = _dashboard(client)
    assert "2 of 2 attempts left" in page

    PostTestPage.objects.child_of(course).get().unpublish()
    page, _ = _dashboard(client)
    assert "The post-test is not open yet" in page


def test_a_site_saved_is_read_again_and_its_links_follow_it():
    from wagtail.models import Site

    user = clinician()
    client = client_for(user)
    enrollment_create(user=user, course=course_build(title="Linked course"))
    _dashboard(client)
    _, warm = _dashboard(client)
    assert not any('FROM "wagtailcore_site"' in q for q in warm)

    site = Site.objects.get(is_default_site=True)
    site.site_name = "Practicum renamed"
    site.save()
    _, after = _dashboard(client)
    assert any('FROM "wagtailcore_site"' in q for q in after)


def test_a_warm_dashboard_reads_no_course_row_and_a_renamed_course_shows_at_once(settings):
    from django.core.cache import cache

    from cms import user_cache

    settings.USER_CACHE_SECONDS = 300
    user = clinician()
    client = client_for(user)
    cache.delete(user_cache._key(user.pk))  # the sign-in's tombstone, as after TOMBSTONE_SECONDS
    course = course_build(title="First title")
    enrollment_create(user=user, course=course)
    _dashboard(client)
    page, warm = _dashboard(client)
    assert "First title" in page
    assert not any('"wagtailcore_page"' in q or '"courses_coursepage"' in q for q in warm)
    # Without the session (from Redis in production): the enrollments, lesson
    # progress, attempts, overrides, evaluations, certificates and licenses.
    assert len([q for q in warm if "django_session" not in q]) <= 7

    course.title = "Second title"
    course.save_revision().publish()
    page, _ = _dashboard(client)
    assert "Second title" in page and "First title" not in page
