"""What every certificate service shares: the reason an administrator gives, the
certificate's own event log (and the audit log beside it), and how a task is
sent. Services refuse with cms.refusals.Refusal."""

from __future__ import annotations

import logging

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal

from ..models import Certificate, CertificateEvent

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000

#: A broker that does not take a task at once is asked twice more, quickly.
ENQUEUE_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}


def task_send(task, object_id: int, *, what: str, countdown: float | None = None) -> bool:
    """Send `task` for the row `object_id` (to run `countdown` seconds from now, if
    given). A broker that is down loses nothing and breaks no request: the failure
    is logged (`what` names the work) and the periodic sweep, which finds the row
    not done, sends it again. False then."""
    try:
        task.apply_async(
            (object_id,), countdown=countdown, retry=True, retry_policy=ENQUEUE_RETRY_POLICY
        )
    except Exception:  # the broker's errors vary by transport; none may break the request
        logger.warning("Could not enqueue %s; the sweep will retry", what, exc_info=True)
        return False
    return True


def reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Refusal("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise Refusal(f"Keep the reason under {MAX_REASON_LENGTH:,} characters.")
    return reason


def event_add(
    certificate: Certificate,
    action: str,
    *,
    reason: str = "",
    actor=None,
    data=None,
    clinician_reason: str = "",
):
    return CertificateEvent.objects.create(
        certificate=certificate,
        action=action,
        reason=reason,
        actor=actor,
        data=data or {},
        clinician_reason=clinician_reason,
    )


def action_record(
    certificate: Certificate,
    event_action: str,
    audit_action: AuditAction,
    *,
    actor,
    reason: str = "",
    data: dict | None = None,
    event_data: dict | None = None,
    clinician_reason: str = "",
) -> CertificateEvent:
    """Record an action on a certificate twice: a line of its own history and a
    row of the audit log. Both carry the actor, the reason and `data`;
    `event_data` goes into the certificate's line only. The reason shared with
    the clinician is a column of the line and, when there is one, part of the
    audit row's data. Returns the line."""
    event = event_add(
        certificate,
        event_action,
        reason=reason,
        actor=actor,
        data={**(data or {}), **(event_data or {})},
        clinician_reason=clinician_reason,
    )
    shared = {"clinician_reason": clinician_reason} if clinician_reason else {}
    audit_record(
        actor=actor,
        action=audit_action,
        obj=certificate,
        reason=reason,
        data={**(data or {}), **shared},
    )
    return event
