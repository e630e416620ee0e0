"""The administrator's actions on one certificate: manual issue, release of a
held one, reissue, revoke and restore. Each needs a reason, and each is
recorded twice: in the certificate's events and in the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from cms.refusals import Refusal
from courses.models import Accreditor, CourseCompletion, Enrollment
from courses.services import course_snapshot

from ..models import Certificate, CertificateEvent
from .base import action_record, event_add, reason_clean
from .delivery import render_enqueue_after_commit
from .issuing import (
    certificate_create_numbered,
    certificate_current,
    certificate_issue,
    placeholder_number_problem,
)
from .notices import clinician_reason_clean, notice_enqueue_after_commit
from .snapshot import (
    EARNED,
    Facts,
    certificate_facts,
    certificate_snapshot_build,
    facts_from_completion,
    snapshot_columns,
)


def certificate_issue_manual(
    *,
    enrollment: Enrollment,
    accreditor: Accreditor | None,
    actor,
    reason: str,
    completed_on: date | None = None,
) -> Certificate:
    """Issue by an administrator's decision (an override, e.g. after a technical
    fault): outside the accreditor's approval period too, and without a recorded
    completion if a completion date is given. A held certificate is released."""
    reason = reason_clean(reason)
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("user", "course")
            .get(pk=enrollment.pk)
        )
        _refuse_placeholder_number(accreditor)
        existing = certificate_current(enrollment_id=enrollment.pk, accreditor=accreditor)
        if existing is not None and existing.status == Certificate.Status.HELD:
            return certificate_release(certificate=existing, actor=actor, reason=reason)
        if existing is not None:
            raise Refusal(
                f"Certificate {existing.number} already exists for this enrollment and "
                f"{accreditor.short_name if accreditor else 'attendance'}; reissue it instead."
            )
        completion = CourseCompletion.objects.filter(enrollment=enrollment).first()
        if completion is not None:
            facts = facts_from_completion(completion)
        elif completed_on is not None:
            course = enrollment.course
            facts = Facts(
                course=course_snapshot(course=course),
                completed_on=completed_on,
                revision_id=course.live_revision_id,
                manual=True,
            )
        else:
            raise Refusal("This enrollment has no recorded completion: give the completion date.")
        if accreditor is not None and accreditor.pk not in {
            c["accreditor_id"] for c in facts.course.get("credits", [])
        }:
            raise Refusal(f"The course offers no credit under {accreditor.short_name}.")
        return certificate_issue(
            enrollment=enrollment,
            completion=completion,
            facts=facts,
            accreditor=accreditor,
            actor=actor,
            reason=reason,
            override_period=True,
        )


def _refuse_placeholder_number(accreditor: Accreditor | None) -> None:
    """An administrator may not issue or release a certificate that would print
    the accreditor's placeholder provider number."""
    placeholder = placeholder_number_problem(accreditor)
    if placeholder:
        raise Refusal(placeholder.replace(", then release this certificate", " first"))


def _locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrollment__user", "enrollment__course", "accreditor", "completion")
        .get(pk=certificate.pk)
    )


def certificate_release(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Issue a held certificate anyway (the administrator overrides the hold)."""
    reason = reason_clean(reason)
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != Certificate.Status.HELD:
            raise Refusal("Only a held certificate can be released.")
        _refuse_placeholder_number(certificate.accreditor)
        now = timezone.now()
        facts = certificate_facts(certificate)
        snapshot = certificate_snapshot_build(
            enrollment=certificate.enrollment,
            facts=facts,
            accreditor=certificate.accreditor,
            number=certificate.number,
            issued_at=now,
        )
        for name, value in snapshot_columns(snapshot).items():
            setattr(certificate, name, value)
        certificate.status = Certificate.Status.VALID
        certificate.issued_at = certificate.queued_at = now
        certificate.save()
        action_record(
            certificate,
            CertificateEvent.Action.ISSUED_MANUALLY,
            AuditAction.CERTIFICATE_RELEASE,
            actor=actor,
            reason=reason,
            event_data={"released_hold": certificate.hold_reason},
        )
        render_enqueue_after_commit(certificate.pk)
    return certificate


def certificate_reissue(
    *, certificate: Certificate, actor, reason: str, clinician_reason: str = ""
) -> Certificate:
    """Replace a valid certificate (e.g. after a name correction): a new number
    and a new PDF from a fresh snapshot of the participant (name, licenses) and
    the provider. What was earned stays as issued: course facts, completion
    date, accreditor, credit hours and statement. The old one shows "reissued"
    and points to the new. The clinician's copy of the new certificate comes with
    `clinician_reason`, the reason shared with them (notices)."""
    reason = reason_clean(reason)
    clinician_reason = clinician_reason_clean(clinician_reason)
    with transaction.atomic():
        old = _locked(certificate)
        if old.status != Certificate.Status.VALID:
            raise Refusal(
                f"Only a valid certificate can be reissued; this one is {old.get_status_display().lower()}."
            )
        now = timezone.now()
        old.status = Certificate.Status.REISSUED
        old.clinician_reason = clinician_reason
        old.save(update_fields=["status", "clinician_reason"])
        facts = certificate_facts(old)
        earned = {k: old.snapshot[k] for k in EARNED if k in old.snapshot}

        def snapshot_for(number: str) -> dict:
            snapshot = certificate_snapshot_build(
                enrollment=old.enrollment,
                facts=facts,
                accreditor=old.accreditor,
                number=number,
                issued_at=now,
            )
            return {**snapshot, **earned, "reissue_of": old.number}

        new, _ = certificate_create_numbered(
            issued_at=now,
            snapshot_for=snapshot_for,
            kind=old.kind,
            status=Certificate.Status.VALID,
            enrollment=old.enrollment,
            user_id=old.user_id,
            course_id=old.course_id,
            accreditor=old.accreditor,
            completion=old.completion,
            supersedes=old,
            queued_at=now,
            clinician_reason=clinician_reason,
        )
        action_record(
            old,
            CertificateEvent.Action.REISSUED,
            AuditAction.CERTIFICATE_REISSUE,
            actor=actor,
            reason=reason,
            data={"new_number": new.number},
            clinician_reason=clinician_reason,
        )
        event_add(
            new,
            CertificateEvent.Action.ISSUED,
            reason=reason,
            actor=actor,
            data={"reissue_of": old.number},
            clinician_reason=clinician_reason,
        )
        render_enqueue_after_commit(new.pk)
    return new


@dataclass(frozen=True)
class _NotifiedChange:
    before: str  # the status it changes from
    refusal: str  # when the certificate is not in that status
    event_action: str
    audit_action: AuditAction


#: The status changes the clinician is emailed about, by the status they change to.
_NOTIFIED_CHANGES = {
    Certificate.Status.REVOKED: _NotifiedChange(
        before=Certificate.Status.VALID,
        refusal="Only a valid certificate can be revoked.",
        event_action=CertificateEvent.Action.REVOKED,
        audit_action=AuditAction.CERTIFICATE_REVOKE,
    ),
    Certificate.Status.VALID: _NotifiedChange(
        before=Certificate.Status.REVOKED,
        refusal="Only a revoked certificate can be restored.",
        event_action=CertificateEvent.Action.RESTORED,
        audit_action=AuditAction.CERTIFICATE_RESTORE,
    ),
}


def _notified_change(
    certificate: Certificate, status: str, actor, reason: str, clinician_reason: str
) -> Certificate:
    """Revoke or restore (`status`: _NOTIFIED_CHANGES), record it twice (action_record)
    and email the clinician once, after commit, with `clinician_reason`. A certificate
    made valid again whose PDF or email never went out is queued for delivery again."""
    change = _NOTIFIED_CHANGES[status]
    reason = reason_clean(reason)
    clinician_reason = clinician_reason_clean(clinician_reason)
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != change.before:
            raise Refusal(change.refusal)
        now = timezone.now()
        certificate.status = status
        certificate.revoked_at = now if status == Certificate.Status.REVOKED else None
        certificate.clinician_reason = clinician_reason
        undelivered = status == Certificate.Status.VALID and (
            certificate.rendered_at is None or certificate.emailed_at is None
        )
        if undelivered:
            certificate.queued_at = now
        certificate.save(update_fields=["status", "revoked_at", "queued_at", "clinician_reason"])
        event = action_record(
            certificate,
            change.event_action,
            change.audit_action,
            actor=actor,
            reason=reason,
            clinician_reason=clinician_reason,
        )
        notice_enqueue_after_commit(event.pk)
        if undelivered:
            render_enqueue_after_commit(certificate.pk)
    return certificate


def certificate_revoke(
    *, certificate: Certificate, actor, reason: str, clinician_reason: str = ""
) -> Certificate:
    """Revoke a valid certificate; the clinician is emailed once, with
    `clinician_reason` (the internal `reason` stays in the audit history)."""
    return _notified_change(
        certificate, Certificate.Status.REVOKED, actor, reason, clinician_reason
    )


def certificate_restore(
    *, certificate: Certificate, actor, reason: str, clinician_reason: str = ""
) -> Certificate:
    """Make a revoked certificate valid again; the clinician is emailed once."""
    return _notified_change(certificate, Certificate.Status.VALID, actor, reason, clinician_reason)


def certificate_delivery_retry(*, certificate: Certificate, actor) -> Certificate:
    """ "Retry now" for a certificate whose PDF or email is still undelivered: the
    stage that is left starts again with fresh attempts, under the same number."""
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != Certificate.Status.VALID:
            raise Refusal("Only a valid certificate is delivered.")
        now = timezone.now()
        if certificate.rendered_at is None:
            stage = "render"
            certificate.render_attempts, certificate.render_error = 0, ""
            certificate.queued_at = now
        elif certificate.emailed_at is None:
            stage = "email"
            certificate.email_attempts, certificate.email_error = 0, ""
            certificate.email_queued_at = now
        else:
            raise Refusal(f"Certificate {certificate.number} is delivered already.")
        certificate.save(
            update_fields=[
                "render_attempts",
                "render_error",
                "queued_at",
                "email_attempts",
                "email_error",
                "email_queued_at",
            ]
        )
        action_record(
            certificate,
            CertificateEvent.Action.DELIVERY_RETRIED,
            AuditAction.CERTIFICATE_DELIVERY_RETRY,
            actor=actor,
            data={"stage": stage},
        )
        # The render task stores the PDF if it is missing and emails it, or
        # enqueues the email of one stored before.
        render_enqueue_after_commit(certificate.pk)
    return certificate
