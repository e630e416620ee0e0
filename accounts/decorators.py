"""Re-authentication before sensitive staff actions (revoking, reissuing or issuing
certificates, bulk jobs, user and group edits, MFA resets).

allauth keeps, in the session, a record of each authentication step with its
time; a person counts as freshly re-authenticated for
``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds after confirming their password (or
an MFA code) on allauth's re-authentication page. Every sensitive view asks
``reauthentication_response`` through one of the wrappers below: outside that
window it answers with allauth's own redirect, which keeps a POST's data and
replays it once the person has re-authenticated, so nothing typed is lost.
"""

from __future__ import annotations

from functools import wraps

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows import reauthentication
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import urlencode


def reauthentication_response(request: HttpRequest) -> HttpResponse | None:
    """None when the signed-in person re-authenticated recently; otherwise the
    redirect to allauth's re-authentication page (GET and POST alike: the form
    of a sensitive action is only shown to someone who just proved who they are)."""
    if not request.user.is_authenticated:
        # The view's own login check answers anonymous requests.
        return None
    if reauthentication.did_recently_reauthenticate(request):
        return None
    methods = get_adapter().get_reauthentication_methods(request.user)
    if not methods:
        # No password and no MFA device: nothing to re-authenticate with.
        raise PermissionDenied("Re-authentication is not available for this account.")
    response = reauthentication.suspend_request(request, methods[0]["url"])
    if request.method == "POST" and request.GET:
        # allauth replays a suspended POST only when `next` is the request's path
        # without its query string (resume_request compares it with request.path);
        # the query string is kept with the stored request. With the full path in
        # `next`, a POST to a URL with a query (the accreditor report's "mark
        # reported", Wagtail's bulk actions) came back as a GET: a 405, or a form
        # emptied of what was typed.
        query = urlencode({REDIRECT_FIELD_NAME: request.path})
        response = HttpResponseRedirect(f"{methods[0]['url']}?{query}")
    return response


def staff_reauth_required(view_func):
    """Decorator for function views: re-authenticate before the view runs."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        return reauthentication_response(request) or view_func(request, *args, **kwargs)

    return wrapper


class StaffReauthRequiredMixin:
    """The same for class-based views. Put it after the mixin that answers 403 to
    people without the permission, so they are refused before being asked for a
    password."""

    def dispatch(self, request, *args, **kwargs):
        return reauthentication_response(request) or super().dispatch(request, *args, **kwargs)
