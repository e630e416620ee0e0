"""The signed-in person's user row from the shared cache (issue 19).

Django reads the user row for every signed-in request (``auth.get_user``: one
query), though the row changes rarely. Here it is kept in the cache by user id
for ``USER_CACHE_SECONDS`` (the default with Redis; 0, off, with a cache that is
not shared between processes) and read from there instead. Everything Django
checks about the row is still checked on each request, on the cached copy: the
backend's ``user_can_authenticate`` (an inactive person is signed out) and the
session's hash of the password (a password changed elsewhere ends the session).

Any save or delete of a user ends its entry at once, on every process: the
entry is replaced by a short-lived *tombstone*, set again after the commit, and
a request only ever *adds* an entry, so one that read the row before the change
committed cannot put the old row back. Writes that save no instance (a
queryset's ``update()``) are seen within ``USER_CACHE_SECONDS``.

The entry is keyed by the id the session holds, so it can only ever be that
person's row; what a request later sets on ``request.user`` is never written
back to the cache. The password hash is not kept: the entry holds the session
hash made from it instead (under the current SECRET_KEY, which is part of the
key), and a cached user whose password is asked for reads it from the database.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    _get_user_session_key,
    get_user_model,
    load_backend,
)
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.crypto import constant_time_compare

from . import site_cache

# Part of the key: a release that changes what an entry holds ignores the old ones.
ENTRY_FORMAT = 1
# How long a changed user's entry stays refused: longer than any request takes
# between reading the row and keeping it (the next two statements), and short,
# since every request of that person reads the row meanwhile (a sign-in saves it).
TOMBSTONE_SECONDS = 5
_TOMBSTONE = "changed"


def user_cache_seconds() -> int:
    return int(getattr(settings, "USER_CACHE_SECONDS", 0) or 0)


@functools.cache
def _secret_tag(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:12]


def _key(pk) -> str:
    return f"user-cache:{ENTRY_FORMAT}:{_secret_tag(settings.SECRET_KEY)}:{pk}"


def _row(user) -> tuple[list[str], list, str]:
    """The row without the password (deferred on the copy), and the session hash."""
    fields = [f for f in user._meta.concrete_fields if f.attname != "password"]
    return (
        [f.attname for f in fields],
        [getattr(user, f.attname) for f in fields],
        user.get_session_auth_hash(),
    )


def cached_backend_user(backend, user_id) -> tuple[object | None, str | None]:
    """``backend.get_user(user_id)``, the row from the cache when it is kept
    there, and then its session hash too (None when read from the database)."""
    seconds = user_cache_seconds()
    if seconds <= 0:
        return backend.get_user(user_id), None
    model = get_user_model()
    try:
        pk = model._meta.pk.to_python(user_id)
    except ValidationError:
        return None, None
    # With the content generation, when the request has not read it yet.
    entry = site_cache.get_with_generation(_key(pk))
    if entry is not None and entry != _TOMBSTONE:
        names, values, session_hash = entry
        user = model.from_db(DEFAULT_DB_ALIAS, names, values)
        can = getattr(backend, "user_can_authenticate", None)
        return (user if can is None or can(user) else None), session_hash
    user = backend.get_user(pk)
    if user is not None and entry is None and type(user) is model:
        cache.add(_key(pk), _row(user), timeout=seconds)  # never over a tombstone
    return user, None


def get_user(request):
    """django.contrib.auth.get_user, with the row from ``cached_backend_user``."""
    user = None
    try:
        user_id = _get_user_session_key(request)
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        pass
    else:
        if backend_path in settings.AUTHENTICATION_BACKENDS:
            user, kept_hash = cached_backend_user(load_backend(backend_path), user_id)
            if hasattr(user, "get_session_auth_hash"):
                session_hash = request.session.get(HASH_SESSION_KEY)
                verified = bool(session_hash) and constant_time_compare(
                    session_hash, kept_hash or user.get_session_auth_hash()
                )
                if not verified:
                    # A session signed with a fallback secret is moved to the
                    # current one, as Django does; any other is ended.
                    if session_hash and any(
                        constant_time_compare(session_hash, fallback)
                        for fallback in user.get_session_auth_fallback_hash()
                    ):
                        request.session.cycle_key()
                        request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                    else:
                        request.session.flush()
                        user = None
    return user or AnonymousUser()


def user_forget(pk) -> None:
    """The user's entry is stale: refuse it for a while (the next request reads
    the row again)."""
    cache.set(_key(pk), _TOMBSTONE, timeout=TOMBSTONE_SECONDS)


def _user_changed(sender, instance=None, **kwargs) -> None:
    if instance is None or instance.pk is None:
        return
    pk = instance.pk
    user_forget(pk)
    # After the commit too: the tombstone outlives every request that read the
    # row before the change committed.
    transaction.on_commit(lambda: user_forget(pk))


def user_cache_connect() -> None:
    """Called from CmsConfig.ready(), in every process that may save a user."""
    model = get_user_model()
    post_save.connect(_user_changed, sender=model, dispatch_uid="user_cache_save")
    post_delete.connect(_user_changed, sender=model, dispatch_uid="user_cache_delete")
