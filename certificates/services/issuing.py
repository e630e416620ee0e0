"""Issuing: the certificates a completion earns, each under a freshly drawn
number. Runs inside the completion transaction (see receivers.py) and only
writes rows; the PDF is rendered by a Celery worker after the commit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal
from courses.models import Accreditor, CourseCompletion, Enrollment
from quizzes.selectors import claimed_accreditors

from ..credentials.status_list import status_list_slot_draw
from ..models import Certificate, CertificateEvent
from ..numbers import DEFAULT_PREFIX, number_generate
from .base import action_record, event_add
from .delivery import render_enqueue_after_commit
from .snapshot import Facts, certificate_snapshot_build, facts_from_completion, snapshot_columns

logger = logging.getLogger(__name__)


def certificates_issue_for_completion(*, completion: CourseCompletion) -> list[Certificate]:
    """Issue what a completion earns: one certificate per accreditor the clinician
    claimed at attestation, or one certificate of attendance if none.

    Called inside the completion transaction; safe to call again (returns the
    certificates already issued)."""
    accreditors = claimed_accreditors(enrollment=completion.enrollment)
    return certificates_issue(completion=completion, accreditors=accreditors)


def certificates_issue(
    *, completion: CourseCompletion, accreditors: list[Accreditor]
) -> list[Certificate]:
    facts = facts_from_completion(completion)
    offered = {c["accreditor_id"] for c in facts.course.get("credits", [])}
    chosen: list[Accreditor | None] = []
    for accreditor in accreditors:
        if accreditor.pk in offered and accreditor not in chosen:
            chosen.append(accreditor)
        elif accreditor.pk not in offered:
            logger.warning(
                "Enrollment %s claimed %s, which the completed course does not offer credit under",
                completion.enrollment_id,
                accreditor.short_name,
            )
    # The user is printed; the course's facts come from the completion's snapshot.
    enrollment = Enrollment.objects.select_related("user").get(pk=completion.enrollment_id)
    return [
        certificate_issue(enrollment=enrollment, completion=completion, facts=facts, accreditor=a)
        for a in (chosen or [None])
    ]


def certificate_current(*, enrollment_id: int, accreditor: Accreditor | None) -> Certificate | None:
    """The certificate that counts for an enrollment and accreditor (not a reissued one)."""
    return (
        Certificate.objects.filter(enrollment_id=enrollment_id, accreditor=accreditor)
        .exclude(status=Certificate.Status.REISSUED)
        .first()
    )


def certificate_issue(
    *,
    enrollment: Enrollment,
    completion: CourseCompletion | None,
    facts: Facts,
    accreditor: Accreditor | None,
    actor=None,
    reason: str = "",
    override_period: bool = False,
) -> Certificate:
    existing = certificate_current(enrollment_id=enrollment.pk, accreditor=accreditor)
    if existing is not None:
        return existing
    now = timezone.now()
    outside = accreditor is not None and not accreditor.is_approved_on(facts.completed_on)
    period_reason = ""
    if outside:
        period_reason = (
            f"Completed on {facts.completed_on:%B %-d, %Y}, outside {accreditor.short_name}'s "
            f"approval period ({accreditor.approval_start:%B %-d, %Y} – "
            f"{accreditor.approval_end:%B %-d, %Y}). Certificates must not be issued outside it."
        )
    placeholder = placeholder_number_problem(accreditor)
    held = (outside and not override_period) or bool(placeholder)
    hold_reason = " ".join(
        filter(None, [period_reason if not override_period else "", placeholder])
    )
    certificate, created = certificate_create_numbered(
        issued_at=now,
        snapshot_for=lambda number: certificate_snapshot_build(
            enrollment=enrollment, facts=facts, accreditor=accreditor, number=number, issued_at=now
        ),
        # A concurrent completion or double click won: that certificate counts.
        on_conflict=lambda: certificate_current(enrollment_id=enrollment.pk, accreditor=accreditor),
        status=Certificate.Status.HELD if held else Certificate.Status.VALID,
        enrollment=enrollment,
        user_id=enrollment.user_id,
        course_id=enrollment.course_id,
        accreditor=accreditor,
        completion=completion,
        # Counted as queued from issue: the sweep re-enqueues it a
        # minute later if the enqueue after commit did not happen.
        queued_at=None if held else now,
        hold_reason=hold_reason if held else "",
    )
    if not created:
        return certificate

    if held:
        event_add(certificate, CertificateEvent.Action.HELD, reason=hold_reason)
        audit_record(
            actor=actor, action=AuditAction.CERTIFICATE_HOLD, obj=certificate, reason=hold_reason
        )
        logger.warning("Certificate %s held: %s", certificate.number, hold_reason)
    elif actor is not None:
        action_record(
            certificate,
            CertificateEvent.Action.ISSUED_MANUALLY,
            AuditAction.CERTIFICATE_ISSUE_MANUAL,
            actor=actor,
            reason=reason,
            data={"outside_approval_period": period_reason} if outside else {},
        )
    else:
        action_record(
            certificate, CertificateEvent.Action.ISSUED, AuditAction.CERTIFICATE_ISSUE, actor=None
        )
    if not held:
        render_enqueue_after_commit(certificate.pk)
    return certificate


def placeholder_number_problem(accreditor: Accreditor | None) -> str:
    """Why a certificate under this accreditor must not go out yet, or "": its
    provider number is still the seeded placeholder, which would be printed on
    the certificate and in the statement. (Demo and test settings turn the
    check off: their content carries placeholders on purpose.)"""
    if (
        accreditor is None
        or not settings.CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS
        or not accreditor.has_placeholder_number
    ):
        return ""
    return (
        f"{accreditor.short_name}'s provider number is still the placeholder "
        f"“{accreditor.provider_number}”: enter the real number (Accreditors), then "
        "release this certificate."
    )


#: Draws of a number before giving up (two alike in a row are already unlikely).
NUMBER_DRAWS = 5


def certificate_create_numbered(
    *,
    issued_at: datetime,
    snapshot_for: Callable[[str], dict],
    on_conflict: Callable[[], Certificate | None] = lambda: None,
    **fields,
) -> tuple[Certificate, bool]:
    """Create a certificate under a freshly drawn number, the one way issuing and
    reissuing both number one: draw, freeze the snapshot that prints the number,
    insert. A unique violation means either another certificate took its place
    (`on_conflict` returns that one: `(it, False)`) or two numbers were drawn
    alike: draw again. `fields` are the model's other columns; `kind` defaults
    to the snapshot's. Returns `(certificate, created)`."""
    for _ in range(NUMBER_DRAWS):
        number = _new_number(issued_at)
        snapshot = snapshot_for(number)
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    number=number,
                    issued_at=issued_at,
                    **{"kind": snapshot["kind"], **fields},
                    **snapshot_columns(snapshot),
                    **status_list_slot_draw(),
                )
            return certificate, True
        except IntegrityError:
            existing = on_conflict()
            if existing is not None:
                return existing, False
    raise Refusal("Could not draw a unique certificate number.")


def _new_number(now: datetime) -> str:
    prefix = getattr(settings, "CERTIFICATE_NUMBER_PREFIX", DEFAULT_PREFIX)
    return number_generate(year=timezone.localtime(now).year, prefix=prefix)
