"""Caches of what every page shows and no page changes: which page a path
routes to, the footer's provider facts and policy links, and anonymous
visitors' pages whole (docs/operations.md, "Caching").

All of it is keyed by one *content generation*, a counter in the shared cache
that any change to the site's content moves on: a page saved, published,
unpublished, moved or deleted, a site, view restriction, redirect, image or
the provider settings saved, and each model named in
``SITE_CACHE_INVALIDATED_BY`` (the course layer's instructors and accreditors).
A new generation makes every key of the old one unreachable at once, on every
web process, and the old entries expire by themselves. Entries also expire
after ``SITE_CACHE_SECONDS``, so what depends on the date (an approval period
ending) is at most that old. ``SITE_CACHE_SECONDS = 0`` turns all of it off
(the default with a cache that is not shared between processes).

Nothing here ever caches what a signed-in person sees as a whole page.
"""

from __future__ import annotations

import pickle
import threading
import time
import uuid
from collections import OrderedDict
from contextvars import ContextVar

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save
from django.urls import get_script_prefix
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

GENERATION_KEY = "site-cache:generation"
ALWAYS_INVALIDATED_BY = (
    "wagtailcore.Site",
    "wagtailcore.PageViewRestriction",
    "wagtailredirects.Redirect",
    "wagtailimages.Image",
    "cms.ProviderSettings",
    "taggit.Tag",
)


def site_cache_seconds() -> int:
    return int(getattr(settings, "SITE_CACHE_SECONDS", 0) or 0)


# Within a request the generation is read once (request_scope); outside one,
# each time it is asked for.
_OUTSIDE = "outside"
_request_generation: ContextVar[str | None] = ContextVar("site_cache_generation", default=_OUTSIDE)


def generation() -> str:
    """The current content generation (made on first use)."""
    known = _request_generation.get()
    if known is not None and known != _OUTSIDE:
        return known
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = uuid.uuid4().hex[:12]
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY) or value
    if known is None:
        _request_generation.set(value)
    return value


def get_with_generation(name: str):
    """``cache.get(name)``; and when this request has not read the content
    generation yet, the generation too, in the same round trip (one MGET), kept
    for the rest of the request. The signed-in person's row is read this way
    (cms.user_cache): one round trip to the cache fewer on every signed-in page."""
    if site_cache_seconds() > 0 and _request_generation.get() is None:
        found = cache.get_many([name, GENERATION_KEY])
        if found.get(GENERATION_KEY) is not None:
            _request_generation.set(found[GENERATION_KEY])
        return found.get(name)
    return cache.get(name)


def generation_advance() -> None:
    """Every cached route, footer and anonymous page is stale from now on."""
    value = uuid.uuid4().hex[:12]
    cache.set(GENERATION_KEY, value, timeout=None)
    if _request_generation.get() != _OUTSIDE:
        _request_generation.set(value)


class request_scope:
    """Read the generation at most once while serving one request
    (cms.page_cache.AnonymousPageCacheMiddleware wraps every request in it)."""

    def __enter__(self):
        self._token = _request_generation.set(None)

    def __exit__(self, *exc):
        _request_generation.reset(self._token)


# Part of every key: a release that changes how entries are kept ignores the old ones.
KEY_FORMAT = "2"


def key(kind: str, *parts: object) -> str:
    return ":".join(["site-cache", KEY_FORMAT, kind, generation(), *map(str, parts)])


# --- A process's own copy ---------------------------------------------------------------
#
# What a process read from the shared cache lately, by key, so that a page asks
# Redis only for the generation and not again for each route, course, lesson
# list or body it already read. Every key holds the content generation, which
# each request reads afresh from the shared cache, so a change on any process
# makes these copies unreachable as it does the shared entries; a copy ends
# when the shared entry does (its time is kept with it). Copies are kept pickled,
# so each reader gets objects of its own, never one another request changed.
LOCAL_ENTRIES = 512
_local: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(name: str):
    found = _local.get(name)
    if found is None:
        return None
    ends, data = found
    if ends <= time.time():
        with _local_lock:
            _local.pop(name, None)
        return None
    return pickle.loads(data)  # noqa: S301 - written by this process, below


def _local_put(name: str, value, ends: float) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    with _local_lock:
        _local[name] = (ends, data)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def shared_get_many(names: list[str]) -> dict:
    """The values kept under ``names`` (those found): from this process's copy,
    else from the shared cache (and then copied)."""
    found = {}
    for name in names:
        value = _local_get(name)
        if value is not None:
            found[name] = value
    asked = [name for name in names if name not in found]
    if asked:
        for name, (ends, value) in cache.get_many(asked).items():
            _local_put(name, value, ends)
            found[name] = value
    return found


def shared_get(name: str):
    return shared_get_many([name]).get(name)


def shared_set_many(values: dict, seconds: int) -> None:
    ends = time.time() + seconds
    cache.set_many({name: (ends, value) for name, value in values.items()}, timeout=seconds)
    for name, value in values.items():
        _local_put(name, value, ends)


def shared_set(name: str, value, seconds: int) -> None:
    shared_set_many({name: value}, seconds)


def cached(kind: str, parts: tuple, make):
    """``make()``'s value, kept under this generation for SITE_CACHE_SECONDS."""
    seconds = site_cache_seconds()
    if seconds <= 0:
        return make()
    name = key(kind, *parts)
    value = shared_get(name)
    if value is None:
        value = make()
        shared_set(name, value, seconds)
    return value


def memo(kind: str, parts: tuple, make, *, entries: int = LOCAL_ENTRIES) -> str:
    """``make()``'s text, kept in this process only, under this generation: for
    small strings many pages compute alike (a page's address for a site), where
    even the process's pickled copy costs more than making them. A change of
    content moves the generation on, and with it every key. Each kind keeps at
    most `entries` texts, those used last, so one kind never crowds out another
    and a text asked for often stays."""
    if site_cache_seconds() <= 0:
        return make()
    name = (generation(), *parts)
    kept = _memos.setdefault(kind, OrderedDict())
    with _local_lock:
        value = kept.get(name)
        if value is not None:
            kept.move_to_end(name)
            return value
    value = make()
    with _local_lock:
        kept[name] = value
        while len(kept) > entries:
            kept.popitem(last=False)
    return value


def memo_kept(kind: str) -> int:
    """How many texts of `kind` this process keeps."""
    return len(_memos.get(kind, ()))


_memos: dict[str, OrderedDict[tuple, str]] = {}


def cached_by_id(kind: str, ids, make) -> dict:
    """``make(ids)``'s values by id, each kept under this generation for
    SITE_CACHE_SECONDS: one cache round trip for the ids already kept, and
    ``make`` asked only for the others. ``make`` returns a dict; an id it leaves
    out has no value, and that is kept too (so it is not asked again)."""
    ids = list(dict.fromkeys(ids))
    seconds = site_cache_seconds()
    if seconds <= 0 or not ids:
        return make(ids)
    names = {key(kind, i): i for i in ids}
    # Kept as (found, value), so "nothing" is a value the cache can hold.
    values = {names[name]: kept for name, kept in shared_get_many(list(names)).items()}
    missing = [i for i in ids if i not in values]
    if missing:
        made = make(missing)
        fresh = {i: (i in made, made.get(i)) for i in missing}
        shared_set_many({key(kind, i): kept for i, kept in fresh.items()}, seconds)
        values.update(fresh)
    return {i: value for i, (found, value) in values.items() if found}


def page_row(page) -> tuple[int, list[str], list]:
    """A page's own row as plain values (its type, field names and values), to
    keep in the cache under the content generation and make the page again with
    ``page_from_row``, without a query: what a page save, publish or move
    changes moves the generation on, so a kept row is the live one."""
    fields = page._meta.concrete_fields
    return (
        page.content_type_id,
        [field.attname for field in fields],
        # Prepared values: a StreamField's is its raw JSON data, not the StreamValue.
        [field.get_prep_value(getattr(page, field.attname)) for field in fields],
    )


def page_from_row(row) -> Page | None:
    """The page ``page_row`` kept, as its specific type (None if the type is gone)."""
    content_type_id, names, values = row
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    if model is None or [f.attname for f in model._meta.concrete_fields] != names:
        return None
    page = model.from_db(DEFAULT_DB_ALIAS, names, values)
    with_site_root_paths([page])
    return page


def with_site_root_paths(pages) -> None:
    """Tell the pages the sites' root paths for their URLs, read once for all of
    them: Wagtail asks the cache for them once per page object that makes a URL
    without a request (a round trip to Redis for each course and lesson link of a
    dashboard). They are kept under the generation, which a site saved or a page
    moved moves on."""
    if site_cache_seconds() <= 0:
        return
    paths = _site_root_paths()
    for page in pages:
        page._wagtail_cached_site_root_paths = paths


def page_url(page, request=None) -> str:
    """``page.get_url(request)`` (relative for the request's site; without a
    request, relative while the site is the only one), once per process, site
    and content generation (``memo``): a page's address moves only with a change
    that moves the generation on (a publish, a move, a site saved)."""
    site = Site.find_for_request(request) if request is not None else None
    return memo(
        "page-url",
        (page.pk, page.url_path, site.pk if site else None, get_script_prefix()),
        lambda: page.get_url(request),
        entries=LOCAL_ENTRIES * 4,
    )


def request_with_site_root_paths(request) -> None:
    """The same for a request: a page link made with the request (``{% pageurl %}``,
    ``page.get_url(request)``) reads the root paths from the request, which
    Wagtail fills from the shared cache (a Redis round trip on every page that
    shows a link); here they come from this process's copy instead."""
    if site_cache_seconds() > 0 and not hasattr(request, "_wagtail_cached_site_root_paths"):
        request._wagtail_cached_site_root_paths = _site_root_paths()


def _site_root_paths():
    return cached("site-root-paths", (), Site.get_site_root_paths)


_labels: frozenset[str] = frozenset(ALWAYS_INVALIDATED_BY)


def _content_changed(sender, instance=None, **kwargs) -> None:
    if isinstance(instance, Page) or sender._meta.label in _labels:
        # After the commit too: a process that read the old content between the
        # change and its commit must not keep it under the new generation.
        generation_advance()
        transaction.on_commit(generation_advance)


def _page_moved(sender, **kwargs) -> None:
    generation_advance()
    transaction.on_commit(generation_advance)


def site_cache_connect() -> None:
    """Called from CmsConfig.ready(): every save and delete is looked at (a page's
    sender is its own class, not Page), and moves, which save no instance."""
    global _labels
    extra = tuple(getattr(settings, "SITE_CACHE_INVALIDATED_BY", ()))
    for label in extra:
        apps.get_model(label)  # a misspelt label fails at start-up, not silently
    _labels = frozenset((*ALWAYS_INVALIDATED_BY, *extra))
    post_save.connect(_content_changed, dispatch_uid="site_cache_save")
    post_delete.connect(_content_changed, dispatch_uid="site_cache_delete")
    page_published.connect(_content_changed, dispatch_uid="site_cache_publish")
    page_unpublished.connect(_content_changed, dispatch_uid="site_cache_unpublish")
    post_page_move.connect(_page_moved, dispatch_uid="site_cache_move")
