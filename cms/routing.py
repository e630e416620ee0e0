"""Wagtail's page view with routing from the cache.

Wagtail finds the page for a path by walking down the tree from the site's
root, fetching each level's page as its specific type: a query per level (a
lesson is five levels down), on every request. The answer depends only on the
site, the path and the published tree, so it is kept in the cache under the
content generation (cms.site_cache), which every save, publish, unpublish,
move or delete of a page moves on. The page's own row is kept with the route
(cms.site_cache.page_row: a save, publish or move of the page moves the
generation on), so a hit costs no query. The site (Site.find_for_request, one
query) is kept with it. Everything after routing (view restrictions, the page's own serve) is
Wagtail's ``serve``, unchanged.
"""

from __future__ import annotations

from django.http.request import split_domain_port
from wagtail import views as wagtail_views
from wagtail.models import Page, Site
from wagtail.url_routing import RouteResult

from .site_cache import (
    cached,
    key,
    page_from_row,
    page_row,
    request_with_site_root_paths,
    shared_get,
    shared_set,
    site_cache_seconds,
)

# Part of the key: a release that changes what an entry holds ignores the old ones.
ENTRY_FORMAT = 3


def _route_key(request, path: str) -> str:
    hostname = split_domain_port(request._get_raw_host())[0]
    return key("route", ENTRY_FORMAT, hostname, request.get_port(), path)


def route_from_cache(request, path: str) -> bool:
    """Put the cached route (site and page) on the request; False on a miss."""
    entry = shared_get(_route_key(request, path))
    if entry is None:
        return False
    site_fields, row, restrictions = entry
    page = page_from_row(row)
    if page is None or not page.live:
        return False  # a page type gone since: route afresh
    _restrictions_known(page, restrictions)
    request._wagtail_site = Site(**site_fields)
    request._wagtail_route_for_request = RouteResult(page)
    return True


def _restrictions_known(page, restrictions: list) -> None:
    """The page's view restrictions (its own and its ancestors': two queries),
    known with the route, for Wagtail's check before serving (the only caller of
    ``get_view_restrictions`` on the way to a page). A restriction saved or
    deleted moves the content generation on (cms.site_cache)."""
    page.get_view_restrictions = lambda: restrictions


def _site_fields(site: Site) -> dict:
    names = ("id", "hostname", "port", "site_name", "root_page_id", "is_default_site")
    return {name: getattr(site, name) for name in names}


def route_remember(request, path: str) -> None:
    """Keep a route Wagtail just found, when it is a plain page (no arguments)."""
    result = getattr(request, "_wagtail_route_for_request", None)
    site = getattr(request, "_wagtail_site", None)
    if result is None or site is None:
        return
    page, args, kwargs = result
    if args or kwargs or not page.live:
        return
    restrictions = list(page.get_view_restrictions())
    _restrictions_known(page, restrictions)
    shared_set(
        _route_key(request, path),
        (_site_fields(site), page_row(page), restrictions),
        site_cache_seconds(),
    )


def site_for_request(request) -> Site | None:
    """Wagtail's ``Site.find_for_request`` (one query on every request that shows
    a page link or the footer) from the cache, kept per host and port under the
    content generation: a site saved or deleted moves it on (cms.site_cache)."""
    if hasattr(request, "_wagtail_site") or site_cache_seconds() <= 0:
        return Site.find_for_request(request)
    hostname = split_domain_port(request._get_raw_host())[0]

    def find() -> dict:
        site = Site._find_for_request(request)
        return {"fields": _site_fields(site) if site is not None else None}

    fields = cached("site", (ENTRY_FORMAT, hostname, request.get_port()), find)["fields"]
    request._wagtail_site = Site(**fields) if fields is not None else None
    request_with_site_root_paths(request)
    return request._wagtail_site


def serve(request, path):
    if site_cache_seconds() <= 0:
        return wagtail_views.serve(request, path)
    if not route_from_cache(request, path):
        Page.route_for_request(request, path)
        Site.find_for_request(request)
        route_remember(request, path)
    request_with_site_root_paths(request)
    return wagtail_views.serve(request, path)
