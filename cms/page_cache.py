"""Anonymous visitors' pages served whole from the cache.

The home page, the catalog, course pages and policy pages look the same to
every visitor who is not signed in, so the first such visitor's response is
kept (cms.site_cache: under the content generation, for SITE_CACHE_SECONDS)
and the next ones get it without routing, queries or rendering.

What is never cached or served from the cache:

- a request carrying a session or a messages cookie (someone signed in, or
  anyone with a message waiting to be shown): such a request always gets a
  fresh page, which is also what makes a signed-in page impossible to cache;
- anything but a GET, and anything under /admin/;
- a response that is not a 200, that sets a cookie (a form's CSRF token sets
  one, so a page with a form is never cached), that says private, no-cache or
  no-store, or that is streamed;
- pages of a type not listed in SITE_CACHE_ANONYMOUS_PAGES (lessons and
  post-tests never are).

Both a stored and a served response say ``Vary: Cookie``, so a shared cache in
front of the site keeps the same rule. ``X-Site-Cache`` says hit or miss.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers

from .site_cache import key, request_scope, site_cache_seconds

MAX_PATH = 500
REFUSING_CACHE_CONTROL = ("private", "no-cache", "no-store")


def _request_cacheable(request) -> bool:
    return (
        request.method == "GET"
        and site_cache_seconds() > 0
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and getattr(settings, "MESSAGE_COOKIE_NAME", "messages") not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith("/admin/")
        and len(request.get_full_path()) <= MAX_PATH
    )


def _response_cacheable(request, response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        getattr(request, "_site_cache_anonymous_page", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in control for word in REFUSING_CACHE_CONTROL)
    )


def _page_key(request) -> str:
    scheme = "https" if request.is_secure() else "http"
    return key("page", scheme, request.get_host(), request.get_full_path())


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self._serve(request)

    def _serve(self, request):
        if not _request_cacheable(request):
            return self.get_response(request)
        name = _page_key(request)
        stored = cache.get(name)
        if stored is not None:
            status, headers, content = stored
            response = HttpResponse(content, status=status)
            for header, value in headers:
                response[header] = value
            response["X-Site-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _response_cacheable(request, response):
            patch_vary_headers(response, ("Cookie",))
            headers = [(h, v) for h, v in response.items() if h.lower() != "x-site-cache"]
            cache.set(name, (response.status_code, headers, response.content), site_cache_seconds())
            response["X-Site-Cache"] = "miss"
        return response


def mark_cacheable_page_type(page, request, args, kwargs):
    """Wagtail's before_serve_page hook (cms.wagtail_hooks): only the page types
    SITE_CACHE_ANONYMOUS_PAGES names are kept."""
    if page._meta.label in getattr(settings, "SITE_CACHE_ANONYMOUS_PAGES", ()):
        request._site_cache_anonymous_page = True
