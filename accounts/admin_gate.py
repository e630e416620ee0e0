"""The gate between signing in and the staff's pages, on every request.

Everyone signs in through allauth (the Wagtail admin's login sends there), so
rate limits, email verification and the MFA step apply to staff as to
clinicians. This middleware then holds two rules:

1. **Staff need an authenticator app.** A signed-in person whom
   ``selectors.user_requires_mfa`` counts as staff, and who has no TOTP
   authenticator (``selectors.user_has_mfa``), is sent to allauth's TOTP setup
   page with a message saying why, from every page except allauth's own
   account pages (setting it up, re-authenticating, signing out, email and
   password) and the admin's sign-out. No admin page and no staff action
   outside the admin (reading unpublished lessons, any certificate's PDF)
   answers before that.
2. **No admin for people without admin access.** Wagtail sends a signed-in
   person who may not use the admin to its login URL, which is allauth's; that
   page sends a signed-in person back to ``next``, the admin, and round again.
   Such a request goes to the site (``LOGIN_REDIRECT_URL``) instead, with
   Wagtail's own message.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import resolve_url

from cms.paths import fixed_path

from . import selectors

MFA_REQUIRED_MESSAGE = (
    "Staff accounts need two-factor authentication. Set up an authenticator app "
    "to continue: it asks for a code from your phone when you sign in."
)
NO_ADMIN_ACCESS_MESSAGE = "You do not have permission to access the admin."


# Where cms/urls.py mounts allauth: its pages stay open (setting up MFA, signing out).
ACCOUNT_PAGES = "/accounts/"


def _is_xhr(request) -> bool:
    return request.headers.get("x-requested-with") == "XMLHttpRequest"


def _refuse(request, message: str, *, level: int, to: str):
    if _is_xhr(request):
        return HttpResponseForbidden(message)
    messages.add_message(request, level, message)
    return HttpResponseRedirect(to)


class AdminGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.path.startswith(self._open_paths()):
            return self.get_response(request)
        if selectors.user_requires_mfa(user=user, request=request) and not selectors.user_has_mfa(
            user=user
        ):
            return _refuse(
                request, MFA_REQUIRED_MESSAGE, level=messages.WARNING,
                to=fixed_path("mfa_activate_totp"),
            )  # fmt: skip
        if request.path.startswith(fixed_path("wagtailadmin_home")) and not user.has_perm(
            "wagtailadmin.access_admin"
        ):
            return _refuse(
                request, NO_ADMIN_ACCESS_MESSAGE, level=messages.ERROR,
                to=resolve_url(settings.LOGIN_REDIRECT_URL),
            )  # fmt: skip
        return self.get_response(request)

    @staticmethod
    def _open_paths() -> tuple[str, ...]:
        return (
            ACCOUNT_PAGES,
            fixed_path("wagtailadmin_login"),
            fixed_path("wagtailadmin_logout"),
            settings.STATIC_URL,
        )
