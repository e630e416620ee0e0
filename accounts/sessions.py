"""How long a signed-in session lasts: an idle timeout and an absolute lifetime,
both shorter for staff (settings ``SESSION_IDLE_TIMEOUT_MINUTES``,
``SESSION_ABSOLUTE_TIMEOUT_MINUTES`` and their ``STAFF_`` twins; the values and
why in docs/operations.md). ``accounts.middleware.SessionTimeoutMiddleware``
asks ``session_expiry_check`` on every request.

Two times are kept in the session: when the person signed in (set at login,
reset by every new login) and when a request last arrived. "Activity" is any
request the browser makes, including the lesson heartbeat (sent only while the
reader is active) and the page editor's presence ping.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

SIGNED_IN_AT = "practicum_signed_in_at"
SEEN_AT = "practicum_seen_at"
# The last-seen time is written at most this often, so that a page's burst of
# requests does not save the session each time.
SEEN_RESOLUTION_SECONDS = 60


@dataclass(frozen=True)
class SessionLimits:
    idle_seconds: int
    absolute_seconds: int


def user_is_staff(user) -> bool:
    """Anyone who can enter the Wagtail admin."""
    return bool(user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin"))


STAFF_FLAG = "practicum_is_staff"


def request_user_is_staff(request: HttpRequest) -> bool:
    """`user_is_staff` for the signed-in person of a request, kept in the session:
    the permission lookup costs two queries, and every request (a lesson heartbeat
    each 30 s) would ask it twice (session limits, MFA gate). It is stamped at
    sign-in and refreshed whenever the last-seen time is written (at most once a
    minute), so a role granted or removed mid-session counts within that minute."""
    session = getattr(request, "session", None)
    if session is None:
        return user_is_staff(request.user)
    # The admin asks for the permissions anyway (and a role just granted must let
    # its holder in at once): there the answer is always fresh.
    if STAFF_FLAG not in session or request.path.startswith("/admin/"):
        is_staff = user_is_staff(request.user)
        if session.get(STAFF_FLAG) != is_staff:  # a GET that changes nothing writes nothing
            session[STAFF_FLAG] = is_staff
        return is_staff
    return bool(session[STAFF_FLAG])


def session_limits(user, *, is_staff: bool | None = None) -> SessionLimits:
    if user_is_staff(user) if is_staff is None else is_staff:
        return SessionLimits(
            idle_seconds=settings.STAFF_SESSION_IDLE_TIMEOUT_MINUTES * 60,
            absolute_seconds=settings.STAFF_SESSION_ABSOLUTE_TIMEOUT_MINUTES * 60,
        )
    return SessionLimits(
        idle_seconds=settings.SESSION_IDLE_TIMEOUT_MINUTES * 60,
        absolute_seconds=settings.SESSION_ABSOLUTE_TIMEOUT_MINUTES * 60,
    )


def session_start(request: HttpRequest, user=None) -> None:
    """Stamp the start of a signed-in session."""
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[SEEN_AT] = now
    user = user if user is not None else getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        request.session[STAFF_FLAG] = user_is_staff(user)


def session_start_on_login(sender, request=None, user=None, **kwargs) -> None:
    """Every sign-in starts the clocks afresh (connected in accounts.apps)."""
    if request is not None and hasattr(request, "session"):
        session_start(request, user)


def session_expiry_check(request: HttpRequest) -> str | None:
    """For a signed-in request: the message to sign the person out with when the
    session went idle too long or reached its lifetime, else None (and the
    request counts as activity)."""
    session = request.session
    now = time.time()
    signed_in_at = session.get(SIGNED_IN_AT)
    seen_at = session.get(SEEN_AT)
    if signed_in_at is None or seen_at is None:
        # A session from before these limits existed starts its clock now.
        session_start(request)
        return None
    limits = session_limits(request.user, is_staff=request_user_is_staff(request))
    if now - signed_in_at >= limits.absolute_seconds:
        hours = limits.absolute_seconds / 3600
        return (
            f"You were signed out because a session lasts at most {hours:g} hours. "
            "Sign in again to continue."
        )
    if now - seen_at >= limits.idle_seconds:
        minutes = limits.idle_seconds // 60
        return (
            f"You were signed out after {minutes} minutes without activity. "
            "Sign in again to continue."
        )
    if now - seen_at >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now
        session[STAFF_FLAG] = user_is_staff(request.user)
    return None
