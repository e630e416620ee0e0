"""The signed-in person's user row from the shared cache (cms.user_cache): no
query for it once kept, and never a row that is stale or someone else's: a
save or delete of the user ends the entry at once, and every check Django
makes on the row (active, the session's password hash) still runs on each
request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms import site_cache, user_cache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/"


@pytest.fixture(autouse=True)
def user_cache_on(settings):
    """As in production with Redis (the test settings keep it off)."""
    settings.USER_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def _signed_in(user):
    """A client signed in as ``user``, once the sign-in's own save (the last
    login) has stopped refusing the entry (TOMBSTONE_SECONDS later)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cache.delete(user_cache._key(user.pk))
    return client


def _user_queries(client, url=PAGE) -> tuple[object, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    table = get_user_model()._meta.db_table
    return response, sum(f'FROM "{table}"' in q["sql"] for q in captured.captured_queries)


def test_the_user_row_is_read_once_then_from_the_cache():
    client = _signed_in(UserFactory(full_name="Dana Reyes"))
    first, reads = _user_queries(client)
    assert first.status_code == 200 and reads == 1
    again, reads = _user_queries(client)
    assert again.status_code == 200 and reads == 0
    assert "Dana" in again.content.decode()


def test_each_person_gets_their_own_row():
    clients = [_signed_in(UserFactory(full_name=f"Reader{i} Example")) for i in range(2)]
    for _ in range(2):
        pages = [c.get(PAGE).content.decode() for c in clients]
        assert "Reader0" in pages[0] and "Reader1" not in pages[0]
        assert "Reader1" in pages[1] and "Reader0" not in pages[1]


def test_a_saved_change_shows_on_the_next_request():
    user = UserFactory(full_name="Old Name")
    client = _signed_in(user)
    client.get(PAGE)
    assert _user_queries(client)[1] == 0
    user.full_name = "Newer Name"
    user.save()
    page = client.get(PAGE).content.decode()
    assert "Newer" in page and "Old" not in page


def test_a_deactivated_person_is_signed_out_at_once():
    user = UserFactory()
    client = _signed_in(user)
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # from the cache
    user.is_active = False
    user.save()
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_password_changed_elsewhere_ends_the_session():
    user = UserFactory()
    client = _signed_in(user)
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # from the cache
    user.set_password("a completely new secret phrase")
    user.save()
    assert client.get(PAGE).status_code == 302


def test_an_inactive_row_in_the_cache_is_still_refused():
    """The check Django's backend makes runs on the cached copy too."""
    user = UserFactory()
    client = _signed_in(user)
    client.get(PAGE)
    names, values, session_hash = cache.get(user_cache._key(user.pk))
    values[names.index("is_active")] = False
    cache.set(user_cache._key(user.pk), (names, values, session_hash))
    assert client.get(PAGE).status_code == 302


def test_a_row_read_before_a_change_is_never_kept_after_it():
    """A request that read the row, then saw it saved by someone else before
    keeping it, keeps nothing: the save left a tombstone that ``add`` cannot
    overwrite, and the next request reads the row afresh."""
    from django.contrib.auth.backends import ModelBackend

    user = UserFactory(full_name="Before Change")
    backend = ModelBackend()
    stale = get_user_model().objects.get(pk=user.pk)
    get_user_model().objects.filter(pk=user.pk).update(full_name="After Change")
    user.refresh_from_db()
    user.save()  # the change as another process commits it: a tombstone
    cache.add(user_cache._key(user.pk), user_cache._row(stale))  # the late request
    assert user_cache.cached_backend_user(backend, user.pk)[0].full_name == "After Change"
    assert cache.get(user_cache._key(user.pk)) == user_cache._TOMBSTONE


def test_a_deleted_person_is_signed_out():
    user = UserFactory()
    client = _signed_in(user)
    client.get(PAGE)
    user.delete()
    assert client.get(PAGE).status_code == 302


def test_with_the_cache_off_the_row_is_read_each_time(settings):
    settings.USER_CACHE_SECONDS = 0
    client = _signed_in(UserFactory())
    client.get(PAGE)
    assert _user_queries(client)[1] == 1


def test_the_password_hash_is_never_kept_and_is_read_when_asked_for():
    user = UserFactory()
    user.set_password("a long enough secret phrase")
    user.save()
    client = _signed_in(user)
    client.get(PAGE)
    names, values, _ = cache.get(user_cache._key(user.pk))
    assert "password" not in names and user.password not in map(str, values)
    from django.contrib.auth.backends import ModelBackend

    cached, _ = user_cache.cached_backend_user(ModelBackend(), user.pk)
    assert cached.check_password("a long enough secret phrase")  # read from the database


def test_a_new_secret_key_ignores_the_kept_rows(settings):
    user = UserFactory()
    client = _signed_in(user)
    client.get(PAGE)
    assert cache.get(user_cache._key(user.pk)) is not None
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert cache.get(user_cache._key(user.pk)) is None


def test_the_row_and_the_content_generation_come_in_one_round_trip(site_cache_on, monkeypatch):
    user = UserFactory()
    client = _signed_in(user)
    assert client.get(PAGE).status_code == 200  # the row is kept from here on
    reads, inside_many = [], []
    get, get_many = cache.get, cache.get_many

    def counted_get(key, *args, **kwargs):
        if not inside_many:  # the test cache's get_many asks get() for each key
            reads.append((key,))
        return get(key, *args, **kwargs)

    def counted_get_many(keys, *args, **kwargs):
        reads.append(tuple(keys))
        inside_many.append(True)
        try:
            return get_many(keys, *args, **kwargs)
        finally:
            inside_many.pop()

    monkeypatch.setattr(cache, "get", counted_get)
    monkeypatch.setattr(cache, "get_many", counted_get_many)
    response = client.get(PAGE)

    assert response.status_code == 200 and user.get_short_name() in response.content.decode()
    together = (user_cache._key(user.pk), site_cache.GENERATION_KEY)
    assert [r for r in reads if site_cache.GENERATION_KEY in r] == [together]
    assert [r for r in reads if user_cache._key(user.pk) in r] == [together]
