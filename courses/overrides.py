"""Writes: granting and ending per-learner overrides (courses.models.overrides).

Only Administrators grant or end them; every grant and end is a row in the
audit log; a grant is refused, changing nothing, when its input is bad. A new
grant for the same clinician and course ends the current one (kept on record),
and completion is evaluated again: a lowered minimum active time may be all the
clinician was waiting for. Who reads them: courses.selectors.seat_time (the
minimum time) and quizzes (attempts, time limit, wait)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal

from .models import (
    MAX_EXTRA_ATTEMPTS,
    MAX_TIME_LIMIT_MINUTES,
    CoursePage,
    Enrollment,
    LearnerOverride,
)
from .selectors import course_credits, course_time_requirement, user_may_grant_overrides
from .services import completion_evaluate

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = 2000
#: The latest expiry a grant may have, from today.
LONGEST = timedelta(days=366)


def _whole(value, *, name: str, low: int, high: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise Refusal(f"The {name} must be a whole number from {low} to {high}.")
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6 or not low <= int(text) <= high:
        raise Refusal(f"The {name} must be a whole number from {low} to {high}.")
    return int(text)


def _checked(
    *,
    user,
    course,
    extra_attempts,
    time_limit_minutes,
    no_time_limit,
    waive_wait,
    minimum_active_minutes,
    reason,
    expires_on,
) -> dict:
    if user is None or not getattr(user, "pk", None) or not user.is_active:
        raise Refusal("Choose the clinician's active account.")
    if not isinstance(course, CoursePage) or not course.live:
        raise Refusal("Choose a published course.")
    extra = _whole(extra_attempts, name="number of extra attempts", low=0, high=MAX_EXTRA_ATTEMPTS)
    limit = _whole(time_limit_minutes, name="time limit", low=1, high=MAX_TIME_LIMIT_MINUTES)
    if no_time_limit not in (True, False) or waive_wait not in (True, False):
        raise Refusal("Tick or untick “no time limit” and “waive the wait”.")
    if no_time_limit and limit:
        raise Refusal("Give either a longer time limit or no time limit, not both.")
    minimum = None
    if minimum_active_minutes not in (None, ""):
        required, _ = course_time_requirement(course=course, credits=course_credits(course=course))
        if not required:
            raise Refusal("This course asks for no minimum active time, so there is none to lower.")
        minimum = _whole(
            minimum_active_minutes,
            name="lowered minimum active time",
            low=0,
            high=max(0, required - 1),
        )
    if not (extra or limit or no_time_limit or waive_wait or minimum is not None):
        raise Refusal(
            "Grant at least one thing: extra attempts, a longer time limit or none, the wait "
            "waived, or a lower minimum active time."
        )
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason:
        raise Refusal("Give the reason for the override; the clinician's record keeps it.")
    if len(reason) > REASON_MAX_LENGTH or "\x00" in reason:
        raise Refusal(f"Keep the reason under {REASON_MAX_LENGTH:,} characters.")
    today = timezone.localdate()
    if not isinstance(expires_on, date) or not today <= expires_on <= today + LONGEST:
        raise Refusal(
            f"Give an expiry date from today to {today + LONGEST:%-d %B %Y}: an override "
            "is never open-ended."
        )
    return {
        "extra_attempts": extra or 0,
        "time_limit_minutes": limit,
        "no_time_limit": no_time_limit,
        "waive_wait": waive_wait,
        "minimum_active_minutes": minimum,
        "reason": reason,
        "expires_on": expires_on,
    }


def override_grant(
    *,
    actor,
    user,
    course: CoursePage,
    reason: str,
    expires_on: date,
    extra_attempts: int = 0,
    time_limit_minutes: int | None = None,
    no_time_limit: bool = False,
    waive_wait: bool = False,
    minimum_active_minutes: int | None = None,
    support_request_id: int | None = None,
) -> LearnerOverride:
    """Grant `user` an override for `course`, ending the current one if any."""
    if not user_may_grant_overrides(user=actor):
        raise Refusal("Only Administrators grant overrides.", kind=Refusal.Kind.NOT_ALLOWED)
    fields = _checked(
        user=user,
        course=course,
        extra_attempts=extra_attempts,
        time_limit_minutes=time_limit_minutes,
        no_time_limit=no_time_limit,
        waive_wait=waive_wait,
        minimum_active_minutes=minimum_active_minutes,
        reason=reason,
        expires_on=expires_on,
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            current = (
                LearnerOverride.objects.select_for_update()
                .filter(user=user, course=course, ended_at__isnull=True)
                .first()
            )
            if current is not None:
                current.ended_at, current.ended_by = now, actor
                current.save(update_fields=["ended_at", "ended_by"])
            override = LearnerOverride.objects.create(
                user=user,
                course=course,
                granted_at=now,
                granted_by=actor,
                support_request_id=support_request_id,
                **fields,
            )
            audit_record(
                actor=actor,
                action=AuditAction.OVERRIDE_GRANT,
                obj=override,
                reason=fields["reason"],
                data={
                    "user_id": user.pk,
                    "course_id": course.pk,
                    "grants": override.grants(),
                    "expires_on": fields["expires_on"],
                    "replaces": current.pk if current is not None else None,
                    "support_request_id": support_request_id,
                },
            )
    except IntegrityError:
        raise Refusal(
            "Another override for this clinician and course was granted at the same moment; "
            "reload and check it.",
            kind=Refusal.Kind.CONFLICT,
        ) from None
    logger.info("Override %s granted to user %s for course %s", override.pk, user.pk, course.pk)
    _evaluate(user=user, course=course)
    return override


def override_end(*, actor, override_id: int, reason: str = "") -> LearnerOverride:
    """End an override now (it stays on record, with who ended it)."""
    if not user_may_grant_overrides(user=actor):
        raise Refusal("Only Administrators end overrides.", kind=Refusal.Kind.NOT_ALLOWED)
    with transaction.atomic():
        override = LearnerOverride.objects.select_for_update().filter(pk=override_id).first()
        if override is None:
            raise Refusal("There is no such override.", kind=Refusal.Kind.NOT_FOUND)
        if override.ended_at is not None:
            raise Refusal("This override has already ended.", kind=Refusal.Kind.CONFLICT)
        override.ended_at, override.ended_by = timezone.now(), actor
        override.save(update_fields=["ended_at", "ended_by"])
        audit_record(
            actor=actor,
            action=AuditAction.OVERRIDE_END,
            obj=override,
            reason=(reason or "").strip()[:REASON_MAX_LENGTH],
            data={"user_id": override.user_id, "course_id": override.course_id},
        )
    return override


def _evaluate(*, user, course) -> None:
    enrollment = (
        Enrollment.objects.filter(user=user, course=course, status=Enrollment.Status.ACTIVE)
        .values_list("pk", flat=True)
        .first()
    )
    if enrollment is not None:
        completion_evaluate(enrollment_id=enrollment)
