"""Site-wide request and response rules that no single app owns."""

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject

from . import user_cache


class NullCharacterQueryMiddleware:
    """Refuse query strings carrying a null character, before any view sees them.

    PostgreSQL cannot store or compare text containing U+0000, so a ``%00`` in a
    filter or search parameter would otherwise end as a database error (500)
    wherever a view passes the raw value to a query. Form fields refuse it on
    their own (Django's ProhibitNullCharactersValidator); request bodies are
    left to the forms and views that read them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            response = TemplateResponse(
                request,
                "refused.html",
                {
                    "title": "That address is not valid",
                    "message": "The address contains a null character (%00), which no "
                    "search or filter accepts. Remove it and try again.",
                },
                status=400,
            )
            return response.render()
        return self.get_response(request)


class SignedInResponsesNotStoredMiddleware:
    """``Cache-Control: no-store, private`` on every response to a signed-in person.

    Pages for a signed-in person carry personal data (dashboard, profile,
    transcript, attempts, evaluations, certificate downloads, a lesson page's
    progress, the admin), and a shared or back-button cache must keep none of
    them. One rule here rather than a decorator per view: it also covers the
    pages that Wagtail and allauth serve with their own views, and every page
    added later. Cache headers a view set itself are kept and merged (``public``
    gives way to ``private``). Public pages for anonymous visitors are untouched.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response


class CachedUserAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's ``AuthenticationMiddleware`` with the user row from the shared
    cache (cms.user_cache): the same checks on every request, one query fewer."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _request_user(request))


def _request_user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = user_cache.get_user(request)
    return request._cached_user
