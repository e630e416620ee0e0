"""What every certificate service shares: the refusal type, the reason an
administrator gives, and the certificate's own event log."""

from __future__ import annotations

from ..models import Certificate, CertificateEvent

MAX_REASON_LENGTH = 2000


class CertificateError(Exception):
    """A refused action, with a message for the administrator or the clinician."""


def reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise CertificateError(f"Keep the reason under {MAX_REASON_LENGTH:,} characters.")
    return reason


def event_add(certificate: Certificate, action: str, *, reason: str = "", actor=None, data=None):
    return CertificateEvent.objects.create(
        certificate=certificate, action=action, reason=reason, actor=actor, data=data or {}
    )
