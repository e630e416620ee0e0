"""Reading the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import AuditEvent


def user_may_view_audit_log(*, user) -> bool:
    """Administrators (the group holds audit.view_auditevent) and superusers."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.has_perm("audit.view_auditevent"))
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_events(
    *,
    actor: str = "",
    actions: list[str] | None = None,
    object_type: str = "",
    object_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Rows, newest first: `actor` matches the email (part of it) or the id;
    `since` and `until` are calendar days in the site's time zone, both included."""
    events = AuditEvent.objects.all()
    if actor:
        match = Q(actor_label__icontains=actor)
        if actor.isdigit() and len(actor) < 19:
            match |= Q(actor_id=int(actor))
        events = events.filter(match)
    if actions:
        events = events.filter(action__in=actions)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if since:
        events = events.filter(created_at__gte=_day_start(since))
    if until:
        events = events.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return events.order_by("-created_at", "-pk")


def audit_events_for_object(*, object_type: str, object_id) -> QuerySet[AuditEvent]:
    return audit_events(object_type=object_type, object_id=str(object_id))


def audit_object_types() -> list[str]:
    return list(
        AuditEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
