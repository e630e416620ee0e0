"""The clinician is told when an administrator revokes, reissues or restores one
of their certificates, with the reason the administrator chose to share (kept
apart from the internal reason in the audit history).

Revocation and restoration each send one notice email, from the event that
records them, by the retried `certificates.notice` task: the event's
`notified_at`, set under a row lock in the transaction that sends, makes a
second run (a redelivered task, the sweep) send nothing. A reissue's notice is
the new certificate's own delivery email, which carries the reason and says
which certificate it replaces (delivery.certificate_email_send); the old
certificate's REISSUED event is marked notified when that email goes out.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from cms.emails import email_from_templates
from cms.refusals import Refusal

from ..models import Certificate, CertificateEvent
from .base import MAX_REASON_LENGTH, task_send
from .snapshot import hours_text, verify_url

#: The changes a notice email is sent for by the notice task.
NOTICE_ACTIONS = (CertificateEvent.Action.REVOKED, CertificateEvent.Action.RESTORED)
#: The sweep stops re-sending a notice this long after the change.
NOTICE_SWEEP_WINDOW = timedelta(days=7)


def clinician_reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise Refusal(f"Keep the reason for the clinician under {MAX_REASON_LENGTH:,} characters.")
    return reason


def notice_enqueue_after_commit(event_id: int) -> None:
    transaction.on_commit(lambda: certificate_notice_enqueue(event_id=event_id))


def certificate_notice_enqueue(*, event_id: int) -> bool:
    """Send the notice task; a broker that is down loses nothing (the sweep)."""
    from ..tasks import certificate_notice  # tasks import the services: a cycle

    return task_send(certificate_notice, event_id, what=f"notice {event_id}")


def certificate_notice_send(*, event_id: int) -> str:
    """Email the clinician about one revocation or restoration, once. Returns
    "sent", "already sent" or "skipped" (not an event that has a notice)."""
    with transaction.atomic():
        event = (
            CertificateEvent.objects.select_for_update(of=("self",))
            .select_related("certificate__user")
            .filter(pk=event_id, action__in=NOTICE_ACTIONS)
            .first()
        )
        if event is None:
            return "skipped"
        if event.notified_at is not None:
            return "already sent"
        _notice_email(event).send()
        event.notified_at = timezone.now()
        event.save(update_fields=["notified_at"])
    return "sent"


def _notice_email(event: CertificateEvent) -> EmailMultiAlternatives:
    certificate = event.certificate
    snapshot = certificate.snapshot
    context = {
        "event": event,
        "revoked": event.action == CertificateEvent.Action.REVOKED,
        "certificate": certificate,
        "snapshot": snapshot,
        "provider": snapshot.get("provider") or {},
        "clinician_reason": event.clinician_reason,
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "verify_url": verify_url(certificate.number),
        "hours": hours_text(certificate.total_hours),
    }
    return email_from_templates("certificate_status", context, to=[certificate.user.email])


def reissue_notice_mark_sent(*, certificate: Certificate) -> None:
    """The new certificate's delivery email told the clinician about the reissue:
    the old certificate's REISSUED event is notified (in the caller's transaction)."""
    if certificate.supersedes_id:
        CertificateEvent.objects.filter(
            certificate_id=certificate.supersedes_id,
            action=CertificateEvent.Action.REISSUED,
            data__new_number=certificate.number,
            notified_at__isnull=True,
        ).update(notified_at=timezone.now())


def notices_sweep(*, min_age: timedelta, limit: int = 500) -> int:
    """Enqueue again the notices not sent after min_age (a broker or mail server
    that was down), for changes made within the last week."""
    now = timezone.now()
    ids = list(
        CertificateEvent.objects.filter(
            action__in=NOTICE_ACTIONS,
            notified_at__isnull=True,
            created_at__lt=now - min_age,
            created_at__gte=now - NOTICE_SWEEP_WINDOW,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in ids:
        certificate_notice_enqueue(event_id=event_id)
    return len(ids)
