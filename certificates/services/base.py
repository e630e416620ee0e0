"""What every certificate service shares: the reason an administrator gives, and the
certificate's own event log. Services refuse with cms.refusals.Refusal."""

from __future__ import annotations

from cms.refusals import Refusal

from ..models import Certificate, CertificateEvent

MAX_REASON_LENGTH = 2000


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
