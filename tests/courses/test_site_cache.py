"""The site's content caches (cms.site_cache, cms.routing, cms.page_cache):
anonymous pages served whole, routes and the footer from the cache, and every
one of them invalidated by the change that would make it wrong. With
SITE_CACHE_SECONDS on, as in production with Redis (the test settings keep it
off: their cache is per process)."""

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cms.models import ProviderSettings
from courses.services import enrollment_create
from tests.courses.conftest import client_for
from tests.factories import (
    UserFactory,
    catalog_get,
    course_build,
    lesson_done,
    lessons_of,
    staff_user,
)
from tests.queries import queries_read

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("isolated_registry", "site_cache_on"),
]


def _get(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, len(captured.captured_queries)


def _reader_of(course) -> Client:
    """A signed-in client of a new clinician enrolled in `course`."""
    user = UserFactory()
    enrollment_create(user=user, course=course)
    return client_for(user)


def test_anonymous_course_page_is_served_from_the_cache_until_it_is_published_again():
    course = course_build(title="Stuck treatments")
    first, _ = _get(Client(), course.url)
    assert first["X-Site-Cache"] == "miss"
    again, queries = _get(Client(), course.url)
    assert again["X-Site-Cache"] == "hit" and queries == 0
    assert again.content == first.content
    assert "Cookie" in again["Vary"]

    course.title = "Unstuck treatments"
    course.save_revision().publish()
    fresh, _ = _get(Client(), course.url)
    assert fresh["X-Site-Cache"] == "miss"
    assert "Unstuck treatments" in fresh.content.decode()


def test_an_unpublished_page_is_gone_from_the_cache_and_the_routes():
    course = course_build()
    lesson = lessons_of(course)[0]
    client = _reader_of(course)
    assert _get(Client(), course.url)[0].status_code == 200
    assert client.get(lesson.url).status_code == 200
    assert client.get(lesson.url).status_code == 200  # routed from the cache

    lesson.unpublish()
    assert client.get(lesson.url).status_code == 404
    course.refresh_from_db()
    course.unpublish()
    assert Client().get(course.url).status_code == 404


def test_a_moved_page_routes_at_its_new_address_only():
    catalog = catalog_get()
    course = course_build(slug="old-place")
    old_url = course.url
    assert Client().get(old_url).status_code == 200
    assert Client().get(old_url)["X-Site-Cache"] == "hit"
    course.slug = "new-place"
    course.save_revision().publish()
    assert Client().get(old_url).status_code == 404
    course.refresh_from_db()
    assert course.url != old_url
    assert Client().get(course.url).status_code == 200
    assert catalog  # the course stays in the catalog


def test_a_signed_in_page_is_never_stored_or_served_from_the_cache():
    course = course_build()
    user = UserFactory(full_name="Quinn Marlowe")
    client = client_for(user)
    assert Client().get(course.url)["X-Site-Cache"] == "miss"  # the anonymous page is kept
    signed_in = client.get(course.url)
    assert "X-Site-Cache" not in signed_in
    assert "Quinn" in signed_in.content.decode()
    anonymous = Client().get(course.url)
    assert anonymous["X-Site-Cache"] == "hit"
    assert "Quinn" not in anonymous.content.decode()


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page():
    course = course_build()
    Client().get(course.url)
    visitor = Client()
    storage = CookieStorage(HttpRequest())
    storage.add(constants.INFO, "You have signed out.")
    response = HttpResponse()
    storage.update(response)
    visitor.cookies["messages"] = response.cookies["messages"].value
    page = visitor.get(course.url)
    assert "X-Site-Cache" not in page
    assert "You have signed out." in page.content.decode()


def test_provider_settings_and_policy_pages_change_the_footer_at_once():
    course = course_build()
    user = UserFactory()
    client = client_for(user)
    client.get("/dashboard/")
    Client().get(course.url)
    provider = ProviderSettings.load()
    provider.name = "Northwind Clinical Education"
    provider.save()
    assert "Northwind Clinical Education" in client.get("/dashboard/").content.decode()
    assert "Northwind Clinical Education" in Client().get(course.url).content.decode()

    policy = provider.refund_policy_page
    assert policy is not None and policy.url in client.get("/dashboard/").content.decode()
    policy.specific.unpublish()
    assert 'href="' + policy.url + '"' not in client.get("/dashboard/").content.decode()


def test_the_footer_and_route_cost_no_queries_once_cached():
    course = course_build()
    client = _reader_of(course)
    lesson = lessons_of(course)[1]
    client.get(lesson.url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(lesson.url).status_code == 200
    sql = "\n".join(queries_read(captured))
    assert "cms_providersettings" not in sql
    assert "wagtailcore_site" not in sql
    assert "wagtailcore_pageviewrestriction" not in sql
    assert "auth_permission" not in sql  # no user bar for a clinician


def test_the_user_bar_is_shown_to_staff_only():
    course = course_build()
    clinician = UserFactory()
    enrollment_create(user=clinician, course=course)
    editor = staff_user(group="Instructors")
    assert "wagtail-userbar" in client_for(editor).get(course.url).content.decode()
    assert "wagtail-userbar" not in client_for(clinician).get(course.url).content.decode()
    assert "wagtail-userbar" not in Client().get(course.url).content.decode()


def test_with_the_cache_off_nothing_is_kept(settings):
    settings.SITE_CACHE_SECONDS = 0
    course = course_build()
    Client().get(course.url)
    assert "X-Site-Cache" not in Client().get(course.url)


def test_a_lesson_body_is_rendered_once_per_revision_and_each_reader_keeps_their_own_journal():
    from unittest import mock

    from courses.services import journal_save
    from courses.templatetags import courses_blocks

    course = course_build()
    lesson = lessons_of(course)[0]
    prompt_id = next(b.id for b in lesson.body if b.block_type == "reflection_prompt")
    readers = [UserFactory(), UserFactory()]
    for i, reader in enumerate(readers):
        enrollment_create(user=reader, course=course)
        journal_save(user=reader, lesson=lesson, prompt_id=prompt_id, text=f"Only reader {i} wrote")

    spy = mock.patch.object(
        courses_blocks, "_lesson_body_parts", wraps=courses_blocks._lesson_body_parts
    )
    with spy as render:
        pages = [client_for(reader).get(lesson.url).content.decode() for reader in readers]
        assert render.call_count == 1
    for i, page in enumerate(pages):
        assert f"Only reader {i} wrote" in page
        assert f"Only reader {1 - i} wrote" not in page
        assert "word word word" in page

    lesson.body = [
        {"type": "paragraph", "value": "<p>Rewritten after review</p>"},
        {"type": "reflection_prompt", "value": {"prompt": "What now?"}, "id": prompt_id},
    ]
    lesson.save_revision().publish()
    with spy as render:
        page = client_for(readers[0]).get(lesson.url).content.decode()
        assert render.call_count == 1
    assert "Rewritten after review" in page and "word word word" not in page
    assert "Only reader 0 wrote" in page


def test_a_preview_shows_the_draft_body_and_leaves_the_cached_one_alone():
    course = course_build()
    lesson = lessons_of(course)[0]
    reader_client = _reader_of(course)
    assert "word word word" in reader_client.get(lesson.url).content.decode()

    draft = lesson.get_latest_revision_as_object()
    draft.body = [{"type": "paragraph", "value": "<p>A draft nobody has approved</p>"}]
    preview = draft.make_preview_request().content.decode()
    assert "A draft nobody has approved" in preview and "word word word" not in preview

    live = reader_client.get(lesson.url).content.decode()
    assert "word word word" in live and "A draft nobody has approved" not in live


# --- Signed-in lesson pages: kept rows, fresh per-user parts (issue 19) ---------------------


@pytest.fixture
def user_cache_on(settings):
    settings.USER_CACHE_SECONDS = 300


def test_a_signed_in_lesson_reads_only_the_readers_own_rows_once_cached(user_cache_on):
    from cms import user_cache

    course = course_build(lessons=3)
    lesson = lessons_of(course)[1]
    user = UserFactory()
    enrollment_create(user=user, course=course)
    client = client_for(user)
    client.get(lesson.url)
    cache_key = user_cache._key(user.pk)
    cache.delete(cache_key)  # the sign-in's tombstone, as after TOMBSTONE_SECONDS
    client.get(lesson.url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(lesson.url).status_code == 200
    # The enrollment, the lessons completed and the journal: the page, its
    # course, the course's lessons and the user come from the cache (and the
    # session from Redis in production: the test settings read it from the database).
    sql = [q for q in queries_read(captured) if "django_session" not in q]
    assert len(sql) <= 3, "\n".join(sql)
    assert "wagtailcore_page" not in "\n".join(sql) and "accounts_user" not in "\n".join(sql)


def test_page_links_take_the_sites_root_paths_from_the_process_copy(monkeypatch):
    """Wagtail reads the sites' root paths from the shared cache (a Redis round
    trip) once per request that makes a page link; once kept, a lesson, the
    dashboard and the catalog make theirs from this process's copy, and a site
    saved moves them on like every other kept entry."""
    from wagtail.models import Site

    course = course_build(lessons=2)
    client = _reader_of(course)
    pages = [lessons_of(course)[1].url, "/dashboard/", catalog_get().url]
    course_url = course.url
    for url in pages:
        assert client.get(url).status_code == 200
    asked = []
    original = Site.get_site_root_paths
    monkeypatch.setattr(Site, "get_site_root_paths", lambda: asked.append(1) or original())
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200 and course_url in response.content.decode()
    assert asked == []
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Renamed"
    site.save()
    client.get(pages[0])
    assert asked, "a site saved: the kept root paths are read again"


def test_the_outline_shows_each_readers_own_progress_after_every_change():
    course = course_build(lessons=3)
    first, second = lessons_of(course)[:2]
    readers = [UserFactory(), UserFactory()]
    for reader in readers:
        enrollment_create(user=reader, course=course)
    clients = [client_for(reader) for reader in readers]
    for client in clients:
        assert "(complete)" not in client.get(second.url).content.decode()

    lesson_done(user=readers[0], lesson=first)
    pages = [client.get(second.url).content.decode() for client in clients]
    assert pages[0].count("(complete)") == 1
    assert "(complete)" not in pages[1]


def test_a_published_change_to_a_lesson_shows_to_a_signed_in_reader():
    course = course_build()
    lesson = lessons_of(course)[0]
    user = UserFactory()
    enrollment_create(user=user, course=course)
    client = client_for(user)
    client.get(lesson.url)
    assert "Renamed after review" not in client.get(lesson.url).content.decode()
    lesson.title = "Renamed after review"
    lesson.save_revision().publish()
    assert "Renamed after review" in client.get(lesson.url).content.decode()
    course.refresh_from_db()
    course.title = "A course renamed too"
    course.save_revision().publish()
    assert "A course renamed too" in client.get(lesson.url).content.decode()


def test_a_kept_page_row_makes_the_same_page():
    from cms.site_cache import page_from_row, page_row
    from courses.models import LessonPage

    lesson = LessonPage.objects.get(pk=lessons_of(course_build())[0].pk)
    made = page_from_row(page_row(lesson))
    assert type(made) is LessonPage and not made._state.adding
    for field in LessonPage._meta.concrete_fields:
        if field.name != "body":
            assert getattr(made, field.attname) == getattr(lesson, field.attname), field.name
    assert list(made.body.raw_data) == list(lesson.body.raw_data)
    assert str(made.body) == str(lesson.body)


def test_a_process_copy_ends_when_another_process_moves_the_generation_on():
    from cms import site_cache

    made = []

    def make():
        made.append(1)
        return ["kept"]

    with site_cache.request_scope():
        assert site_cache.cached("probe", (1,), make) == ["kept"]
    with site_cache.request_scope():
        value = site_cache.cached("probe", (1,), make)
        value.append("changed by one reader")  # each reader has its own copy
    with site_cache.request_scope():
        assert site_cache.cached("probe", (1,), make) == ["kept"]
    assert len(made) == 1
    # Another process publishes: only the shared generation moves, not this
    # process's copy, which the next request no longer reaches.
    cache.set(site_cache.GENERATION_KEY, "another-process", timeout=None)
    with site_cache.request_scope():
        assert site_cache.cached("probe", (1,), make) == ["kept"]
    assert len(made) == 2


def test_a_lessons_links_follow_a_renamed_slug_at_once():
    """The outline's and the pager's addresses are made once per process and
    content generation (cms.site_cache.memo): a publish that moves a lesson
    changes them on the next page."""
    course = course_build(lessons=2)
    first, second = lessons_of(course)
    client = _reader_of(course)
    old_url = second.url
    assert f'href="{old_url}"' in client.get(first.url).content.decode()
    second.slug = "a-new-place"
    second.save_revision().publish()
    second.refresh_from_db()

    page = client.get(first.url).content.decode()

    assert second.url != old_url
    assert f'href="{second.url}"' in page and f'href="{old_url}"' not in page


def test_the_dashboards_links_follow_a_renamed_slug_at_once():
    """The dashboard's step links (resume a lesson, the post-test) are made once
    per process and content generation (cms.site_cache.page_url)."""
    course = course_build(lessons=2)
    first, _ = lessons_of(course)
    client = _reader_of(course)
    old_url = first.url
    assert f'href="{old_url}"' in client.get("/dashboard/").content.decode()
    first.slug = "begin-here"
    first.save_revision().publish()
    first.refresh_from_db()

    page = client.get("/dashboard/").content.decode()

    assert first.url != old_url and first.url.endswith("/begin-here/")
    assert f'href="{first.url}"' in page and f'href="{old_url}"' not in page
