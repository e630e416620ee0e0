"""Writes: issuing certificates, rendering and delivering them, and the
administrator's actions (manual issue, reissue, revoke, restore, bulk reissue).

Issuing runs inside the completion transaction (see receivers.py) and only
writes rows; the PDF is rendered by a Celery worker after the commit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cms.models import ProviderSettings
from courses.models import Accreditor, CourseCompletion, Enrollment
from courses.services import course_snapshot
from quizzes.selectors import claimed_accreditors

from . import rendering
from .credentials.status_list import status_list_slot_draw
from .models import BulkJob, BulkJobItem, Certificate, CertificateEvent, private_storage
from .numbers import DEFAULT_PREFIX, number_generate

logger = logging.getLogger(__name__)

MAX_REASON_LENGTH = 2000
#: Certificates a bulk job step reissues per transaction-free batch read.
BULK_BATCH = 50
LOGO_SPEC = "max-900x300|format-png"
SIGNATURE_SPEC = "max-900x240|format-png"


class CertificateError(Exception):
    """A refused action, with a message for the administrator or the clinician."""


# --- Issuing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """What a certificate freezes about the course: the completion's snapshot."""

    course: dict
    completed_on: date
    revision_id: int | None
    manual: bool = False


def _facts_from_completion(completion: CourseCompletion) -> _Facts:
    return _Facts(
        course=completion.snapshot,
        completed_on=timezone.localdate(completion.completed_at),
        revision_id=completion.course_revision_id,
    )


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
    facts = _facts_from_completion(completion)
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
    enrollment = Enrollment.objects.select_related("user", "course").get(
        pk=completion.enrollment_id
    )
    return [
        _issue(enrollment=enrollment, completion=completion, facts=facts, accreditor=a)
        for a in (chosen or [None])
    ]


def _current(*, enrollment_id: int, accreditor: Accreditor | None) -> Certificate | None:
    """The certificate that counts for an enrollment and accreditor (not a reissued one)."""
    return (
        Certificate.objects.filter(enrollment_id=enrollment_id, accreditor=accreditor)
        .exclude(status=Certificate.Status.REISSUED)
        .first()
    )


def _issue(
    *,
    enrollment: Enrollment,
    completion: CourseCompletion | None,
    facts: _Facts,
    accreditor: Accreditor | None,
    actor=None,
    reason: str = "",
    override_period: bool = False,
) -> Certificate:
    existing = _current(enrollment_id=enrollment.pk, accreditor=accreditor)
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
    placeholder = _placeholder_number_problem(accreditor)
    held = (outside and not override_period) or bool(placeholder)
    hold_reason = " ".join(
        filter(None, [period_reason if not override_period else "", placeholder])
    )
    for _ in range(5):
        number = _new_number(now)
        snapshot = certificate_snapshot_build(
            enrollment=enrollment, facts=facts, accreditor=accreditor, number=number, issued_at=now
        )
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    number=number,
                    kind=snapshot["kind"],
                    status=Certificate.Status.HELD if held else Certificate.Status.VALID,
                    enrollment=enrollment,
                    user_id=enrollment.user_id,
                    course_id=enrollment.course_id,
                    accreditor=accreditor,
                    completion=completion,
                    issued_at=now,
                    # Counted as queued from issue: the sweep re-enqueues it a
                    # minute later if the enqueue after commit did not happen.
                    queued_at=None if held else now,
                    hold_reason=hold_reason if held else "",
                    **_snapshot_columns(snapshot),
                    **status_list_slot_draw(),
                )
        except IntegrityError:
            existing = _current(enrollment_id=enrollment.pk, accreditor=accreditor)
            if existing is not None:  # a concurrent completion or double click won
                return existing
            continue  # two numbers drawn alike: draw again
        break
    else:
        raise CertificateError("Could not draw a unique certificate number.")

    if held:
        _event(certificate, CertificateEvent.Action.HELD, reason=hold_reason)
        audit_record(
            actor=actor, action=AuditAction.CERTIFICATE_HOLD, obj=certificate, reason=hold_reason
        )
        logger.warning("Certificate %s held: %s", certificate.number, hold_reason)
    elif actor is not None:
        data = {"outside_approval_period": period_reason} if outside else {}
        _event(
            certificate,
            CertificateEvent.Action.ISSUED_MANUALLY,
            reason=reason,
            actor=actor,
            data=data,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CERTIFICATE_ISSUE_MANUAL,
            obj=certificate,
            reason=reason,
            data=data,
        )
    else:
        _event(certificate, CertificateEvent.Action.ISSUED)
        audit_record(actor=None, action=AuditAction.CERTIFICATE_ISSUE, obj=certificate)
    if not held:
        _enqueue_after_commit(certificate.pk)
    return certificate


def _placeholder_number_problem(accreditor: Accreditor | None) -> str:
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


def _new_number(now: datetime) -> str:
    prefix = getattr(settings, "CERTIFICATE_NUMBER_PREFIX", DEFAULT_PREFIX)
    return number_generate(year=timezone.localtime(now).year, prefix=prefix)


def _snapshot_columns(snapshot: dict) -> dict:
    return {
        "snapshot": snapshot,
        "participant_name": snapshot["participant_name"][:200],
        "course_title": snapshot["course_title"][:255],
        "license_numbers": "; ".join(lic["number"] for lic in snapshot["licenses"])[:500],
        "completion_date": date.fromisoformat(snapshot["completion_date"]),
        "total_hours": Decimal(snapshot["total_hours"]),
        "template_version": snapshot["template_version"],
        "course_revision_id": snapshot["course_revision"],
    }


def verify_url(number: str) -> str:
    return f"{settings.SITE_URL}/verify/{number}/"


def hours_text(hours: Decimal) -> str:
    """``Decimal("1.50")`` → ``"1.5"``, ``Decimal("2.00")`` → ``"2"``."""
    text = f"{hours.quantize(Decimal('0.01'))}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _credits_for(facts: _Facts, accreditor: Accreditor | None) -> list[tuple[str, Decimal]]:
    """(category label, hours) for the accreditor; for attendance, the largest
    hours any accreditor gives each category."""
    rows = facts.course.get("credits", [])
    if accreditor is not None:
        return [
            (c["category_label"], Decimal(c["hours"]))
            for c in rows
            if c["accreditor_id"] == accreditor.pk
        ]
    best: dict[str, Decimal] = {}
    for c in rows:
        best[c["category_label"]] = max(
            best.get(c["category_label"], Decimal(0)), Decimal(c["hours"])
        )
    return list(best.items())


def certificate_snapshot_build(
    *,
    enrollment: Enrollment,
    facts: _Facts,
    accreditor: Accreditor | None,
    number: str,
    issued_at: datetime,
) -> dict:
    """Everything the certificate prints, frozen: later edits of the course,
    the profile, the provider settings or the template change nothing issued."""
    user = enrollment.user
    provider = ProviderSettings.load()
    credits = _credits_for(facts, accreditor)
    total = sum((hours for _, hours in credits), Decimal(0))
    licenses = user.licenses.all()
    if accreditor is not None:
        licenses = licenses.filter(profession__in=accreditor.professions or [])
    return {
        "number": number,
        "kind": (Certificate.Kind.ACCREDITED if accreditor else Certificate.Kind.ATTENDANCE).value,
        "participant_name": user.full_name or user.email,
        "licenses": [
            {
                "profession": lic.get_profession_display(),
                "number": lic.license_number,
                "region": lic.region,
            }
            for lic in licenses
        ],
        "course_id": enrollment.course_id,
        "course_title": facts.course.get("title", ""),
        "completion_date": facts.completed_on.isoformat(),
        "issue_date": timezone.localdate(issued_at).isoformat(),
        "credits": [
            {"category": label, "hours": f"{hours.quantize(Decimal('0.01'))}"}
            for label, hours in credits
        ],
        "total_hours": f"{total.quantize(Decimal('0.01'))}",
        "accreditor": (
            {
                "id": accreditor.pk,
                "name": accreditor.name,
                "short_name": accreditor.short_name,
                "provider_number": accreditor.provider_number,
            }
            if accreditor
            else None
        ),
        "statement": (
            accreditor.render_statement(provider=provider.name, credits=hours_text(total))
            if accreditor
            else ""
        ),
        "delivery_format": facts.course.get("delivery_format", ""),
        "instructors": [
            {"name": i.get("name", ""), "credentials": i.get("credentials", "")}
            for i in facts.course.get("instructors", [])
        ],
        "provider": provider.contact_facts(),
        "ce_administrator": {
            "name": provider.ce_administrator_name,
            "title": provider.ce_administrator_title,
        },
        "assets": {
            "logo": _frozen_asset(provider.logo, LOGO_SPEC),
            "signature": _frozen_asset(provider.signature, SIGNATURE_SPEC),
        },
        # Which Wagtail images those copies came from: cms.media keeps them undeletable
        # (certificates.selectors.frozen_image_holds).
        "asset_images": {"logo": provider.logo_id, "signature": provider.signature_id},
        "verify_url": verify_url(number),
        "template_version": rendering.CERTIFICATE_TEMPLATE_VERSION,
        "course_revision": facts.revision_id,
        "manual": facts.manual,
    }


_asset_cache: dict[tuple, str] = {}
_asset_lock = threading.Lock()


def _frozen_asset(image, spec: str) -> str:
    """A copy of a provider image (logo, signature) in private storage, named by
    its content hash, so a later change of the setting leaves issued
    certificates as they were. Returns the storage name, or "" for no image."""
    if image is None:
        return ""
    key = (image.pk, image.file.name, spec)
    with _asset_lock:
        if key in _asset_cache:
            return _asset_cache[key]
    source = image if image.is_svg() else image.get_rendition(spec)
    with source.file.open("rb") as handle:
        data = handle.read()
    extension = os.path.splitext(source.file.name)[1].lower() or ".png"
    name = f"certificates/assets/{hashlib.sha256(data).hexdigest()}{extension}"
    storage = private_storage()
    if not storage.exists(name):
        storage.save(name, ContentFile(data))
    with _asset_lock:
        _asset_cache[key] = name
    return name


def _event(certificate: Certificate, action: str, *, reason: str = "", actor=None, data=None):
    return CertificateEvent.objects.create(
        certificate=certificate, action=action, reason=reason, actor=actor, data=data or {}
    )


# --- Rendering and delivery ------------------------------------------------------------


def _enqueue_after_commit(certificate_id: int) -> None:
    transaction.on_commit(
        lambda: certificate_enqueue_render(certificate_id=certificate_id, mark=False)
    )


def certificate_enqueue_render(*, certificate_id: int, mark: bool = True) -> bool:
    """Send the render task. A broker that is down loses nothing: the record
    stays without a PDF and the periodic sweep enqueues it again.

    `mark` records the time in `queued_at` (the sweep skips certificates queued
    within the last minute); issuing sets it already, in the same INSERT."""
    from .tasks import certificate_render

    try:
        certificate_render.apply_async(
            (certificate_id,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:  # the broker's errors vary by transport; none may break the request
        logger.warning(
            "Could not enqueue rendering of certificate %s; the sweep will retry",
            certificate_id,
            exc_info=True,
        )
        return False
    if mark:
        Certificate.objects.filter(pk=certificate_id).update(queued_at=timezone.now())
    return True


def certificate_render_started(*, certificate_id: int) -> bool:
    """Count a delivery attempt. False when there is nothing left to do."""
    return bool(
        Certificate.objects.filter(pk=certificate_id, status=Certificate.Status.VALID)
        .filter(Q(rendered_at__isnull=True) | Q(emailed_at__isnull=True))
        .update(render_attempts=F("render_attempts") + 1)
    )


def certificate_pdf_render(*, certificate: Certificate) -> bytes:
    """The PDF of a certificate, from its frozen snapshot and frozen images."""
    assets = certificate.snapshot.get("assets") or {}
    return rendering.render_certificate_pdf(
        certificate.snapshot,
        logo=_asset_bytes(assets.get("logo", "")),
        signature=_asset_bytes(assets.get("signature", "")),
    )


_asset_bytes_cache: dict[str, bytes] = {}


def _asset_bytes(name: str) -> bytes | None:
    if not name:
        return None
    data = _asset_bytes_cache.get(name)
    if data is None:
        storage = private_storage()
        if not storage.exists(name):
            logger.error("Frozen certificate image %s is missing; rendering without it", name)
            return None
        with storage.open(name, "rb") as handle:
            data = handle.read()
        if len(_asset_bytes_cache) > 32:
            _asset_bytes_cache.clear()
        _asset_bytes_cache[name] = data
    return data


def certificate_deliver(*, certificate_id: int) -> str:
    """Render and store the PDF if it is not stored yet, then email it if it has
    not been emailed yet. Safe to run twice, and concurrently: it holds the
    certificate's row lock and checks each marker first.

    One transaction: if the email fails, the render is undone with it and the
    retry renders again (15 ms) rather than keep a second code path."""
    with transaction.atomic():
        certificate = (
            Certificate.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=certificate_id)
            .first()
        )
        if certificate is None or certificate.status != Certificate.Status.VALID:
            return "skipped"
        if certificate.rendered_at is not None and certificate.emailed_at is not None:
            return "rendered"
        events = []
        now = timezone.now()
        if certificate.rendered_at is None:
            pdf = certificate_pdf_render(certificate=certificate)
            storage = private_storage()
            name = f"certificates/{certificate.issued_at:%Y}/{certificate.number}.pdf"
            if storage.exists(name):  # left by an attempt whose transaction did not commit
                storage.delete(name)
            certificate.pdf.name = storage.save(name, ContentFile(pdf))
            certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.rendered_at = now
            certificate.render_error = ""
            events.append(
                CertificateEvent(
                    certificate=certificate,
                    action=CertificateEvent.Action.RENDERED,
                    data={"bytes": len(pdf)},
                )
            )
        certificate_email_send(certificate=certificate)
        certificate.emailed_at = timezone.now()
        events.append(
            CertificateEvent(
                certificate=certificate,
                action=CertificateEvent.Action.EMAILED,
                data={"to": certificate.user.email},
            )
        )
        certificate.save(
            update_fields=["pdf", "pdf_sha256", "rendered_at", "render_error", "emailed_at"]
        )
        CertificateEvent.objects.bulk_create(events)
    return "delivered"


def certificate_render_failed(*, certificate_id: int, error: str) -> None:
    """Record an error that retrying will not cure, for the administrator to see."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return
    Certificate.objects.filter(pk=certificate_id).update(render_error=error[:4000])
    _event(certificate, CertificateEvent.Action.RENDER_FAILED, reason=error[:4000])


def certificate_email_send(*, certificate: Certificate) -> None:
    context = {
        "certificate": certificate,
        "snapshot": certificate.snapshot,
        "provider": certificate.snapshot.get("provider") or {},
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "transcript_url": f"{settings.SITE_URL}/transcript/",
        "verify_url": verify_url(certificate.number),
        "hours": hours_text(certificate.total_hours),
    }
    subject = " ".join(render_to_string("emails/certificate_issued_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/certificate_issued.txt", context),
        to=[certificate.user.email],
    )
    message.attach_alternative(
        render_to_string("emails/certificate_issued.html", context), "text/html"
    )
    with certificate.pdf.open("rb") as handle:
        message.attach(f"{certificate.number}.pdf", handle.read(), "application/pdf")
    message.send()


def certificates_sweep(*, min_age: timedelta, max_attempts: int, limit: int = 1000) -> int:
    """Enqueue again every valid certificate still without its PDF or its email
    a while after it was issued or last enqueued (a worker killed mid-render, a
    broker that was down at issue). Returns how many were enqueued."""
    cutoff = timezone.now() - min_age
    ids = list(
        Certificate.objects.filter(status=Certificate.Status.VALID)
        .filter(Q(rendered_at__isnull=True) | Q(emailed_at__isnull=True))
        .filter(Q(queued_at__lt=cutoff) | Q(queued_at__isnull=True, issued_at__lt=cutoff))
        .filter(render_attempts__lt=max_attempts)
        .order_by("issued_at")
        .values_list("pk", flat=True)[:limit]
    )
    for certificate_id in ids:
        certificate_enqueue_render(certificate_id=certificate_id)
    if ids:
        logger.info("Sweep enqueued %d certificate(s) without a delivered PDF", len(ids))
    return len(ids)


# --- The administrator's actions ---------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError("A reason is required.")
    if len(reason) > MAX_REASON_LENGTH:
        raise CertificateError(f"Keep the reason under {MAX_REASON_LENGTH:,} characters.")
    return reason


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
    reason = _clean_reason(reason)
    with transaction.atomic():
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("user", "course")
            .get(pk=enrollment.pk)
        )
        placeholder = _placeholder_number_problem(accreditor)
        if placeholder:
            raise CertificateError(placeholder.replace(", then release this certificate", " first"))
        existing = _current(enrollment_id=enrollment.pk, accreditor=accreditor)
        if existing is not None and existing.status == Certificate.Status.HELD:
            return certificate_release(certificate=existing, actor=actor, reason=reason)
        if existing is not None:
            raise CertificateError(
                f"Certificate {existing.number} already exists for this enrollment and "
                f"{accreditor.short_name if accreditor else 'attendance'}; reissue it instead."
            )
        completion = CourseCompletion.objects.filter(enrollment=enrollment).first()
        if completion is not None:
            facts = _facts_from_completion(completion)
        elif completed_on is not None:
            course = enrollment.course
            facts = _Facts(
                course=course_snapshot(course=course),
                completed_on=completed_on,
                revision_id=course.live_revision_id,
                manual=True,
            )
        else:
            raise CertificateError(
                "This enrollment has no recorded completion: give the completion date."
            )
        if accreditor is not None and accreditor.pk not in {
            c["accreditor_id"] for c in facts.course.get("credits", [])
        }:
            raise CertificateError(f"The course offers no credit under {accreditor.short_name}.")
        return _issue(
            enrollment=enrollment,
            completion=completion,
            facts=facts,
            accreditor=accreditor,
            actor=actor,
            reason=reason,
            override_period=True,
        )


def _locked(certificate: Certificate) -> Certificate:
    return (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("enrollment__user", "enrollment__course", "accreditor", "completion")
        .get(pk=certificate.pk)
    )


def certificate_release(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Issue a held certificate anyway (the administrator overrides the hold)."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != Certificate.Status.HELD:
            raise CertificateError("Only a held certificate can be released.")
        placeholder = _placeholder_number_problem(certificate.accreditor)
        if placeholder:
            raise CertificateError(placeholder.replace(", then release this certificate", " first"))
        now = timezone.now()
        facts = _certificate_facts(certificate)
        snapshot = certificate_snapshot_build(
            enrollment=certificate.enrollment,
            facts=facts,
            accreditor=certificate.accreditor,
            number=certificate.number,
            issued_at=now,
        )
        for name, value in _snapshot_columns(snapshot).items():
            setattr(certificate, name, value)
        certificate.status = Certificate.Status.VALID
        certificate.issued_at = certificate.queued_at = now
        certificate.save()
        _event(
            certificate,
            CertificateEvent.Action.ISSUED_MANUALLY,
            reason=reason,
            actor=actor,
            data={"released_hold": certificate.hold_reason},
        )
        audit_record(
            actor=actor, action=AuditAction.CERTIFICATE_RELEASE, obj=certificate, reason=reason
        )
        _enqueue_after_commit(certificate.pk)
    return certificate


def _certificate_facts(certificate: Certificate) -> _Facts:
    """The course facts a certificate was issued from (for a reissue or release)."""
    if certificate.completion is not None:
        return _facts_from_completion(certificate.completion)
    snapshot = certificate.snapshot
    course = {
        "title": snapshot["course_title"],
        "delivery_format": snapshot["delivery_format"],
        "instructors": snapshot["instructors"],
        "credits": [],
    }
    return _Facts(
        course=course,
        completed_on=date.fromisoformat(snapshot["completion_date"]),
        revision_id=snapshot.get("course_revision"),
        manual=True,
    )


def certificate_reissue(*, certificate: Certificate, actor, reason: str) -> Certificate:
    """Replace a valid certificate (e.g. after a name correction): a new number
    and a new PDF from a fresh snapshot of the participant (name, licenses) and
    the provider. What was earned stays as issued: course facts, completion
    date, accreditor, credit hours and statement. The old one shows "reissued"
    and points to the new."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        old = _locked(certificate)
        if old.status != Certificate.Status.VALID:
            raise CertificateError(
                f"Only a valid certificate can be reissued; this one is {old.get_status_display().lower()}."
            )
        now = timezone.now()
        old.status = Certificate.Status.REISSUED
        old.save(update_fields=["status"])
        facts = _certificate_facts(old)
        for _ in range(5):
            number = _new_number(now)
            snapshot = certificate_snapshot_build(
                enrollment=old.enrollment,
                facts=facts,
                accreditor=old.accreditor,
                number=number,
                issued_at=now,
            )
            earned = {k: old.snapshot[k] for k in _EARNED if k in old.snapshot}
            snapshot.update(earned)
            snapshot["reissue_of"] = old.number
            try:
                with transaction.atomic():
                    new = Certificate.objects.create(
                        number=number,
                        kind=old.kind,
                        status=Certificate.Status.VALID,
                        enrollment=old.enrollment,
                        user_id=old.user_id,
                        course_id=old.course_id,
                        accreditor=old.accreditor,
                        completion=old.completion,
                        supersedes=old,
                        issued_at=now,
                        queued_at=now,
                        **_snapshot_columns(snapshot),
                        **status_list_slot_draw(),
                    )
            except IntegrityError:
                continue
            break
        else:
            raise CertificateError("Could not draw a unique certificate number.")
        _event(
            old,
            CertificateEvent.Action.REISSUED,
            reason=reason,
            actor=actor,
            data={"new_number": new.number},
        )
        _event(
            new,
            CertificateEvent.Action.ISSUED,
            reason=reason,
            actor=actor,
            data={"reissue_of": old.number},
        )
        audit_record(
            actor=actor,
            action=AuditAction.CERTIFICATE_REISSUE,
            obj=old,
            reason=reason,
            data={"new_number": new.number},
        )
        _enqueue_after_commit(new.pk)
    return new


#: Snapshot keys that describe what was earned; a reissue keeps them.
_EARNED = (
    "course_id",
    "course_title",
    "completion_date",
    "credits",
    "total_hours",
    "accreditor",
    "statement",
    "delivery_format",
    "instructors",
    "course_revision",
    "kind",
)


def certificate_revoke(*, certificate: Certificate, actor, reason: str) -> Certificate:
    reason = _clean_reason(reason)
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != Certificate.Status.VALID:
            raise CertificateError("Only a valid certificate can be revoked.")
        certificate.status = Certificate.Status.REVOKED
        certificate.revoked_at = timezone.now()
        certificate.save(update_fields=["status", "revoked_at"])
        _event(certificate, CertificateEvent.Action.REVOKED, reason=reason, actor=actor)
        audit_record(
            actor=actor, action=AuditAction.CERTIFICATE_REVOKE, obj=certificate, reason=reason
        )
    return certificate


def certificate_restore(*, certificate: Certificate, actor, reason: str) -> Certificate:
    reason = _clean_reason(reason)
    with transaction.atomic():
        certificate = _locked(certificate)
        if certificate.status != Certificate.Status.REVOKED:
            raise CertificateError("Only a revoked certificate can be restored.")
        certificate.status = Certificate.Status.VALID
        certificate.revoked_at = None
        undelivered = certificate.rendered_at is None or certificate.emailed_at is None
        if undelivered:
            certificate.queued_at = timezone.now()
        certificate.save(update_fields=["status", "revoked_at", "queued_at"])
        _event(certificate, CertificateEvent.Action.RESTORED, reason=reason, actor=actor)
        audit_record(
            actor=actor, action=AuditAction.CERTIFICATE_RESTORE, obj=certificate, reason=reason
        )
        if undelivered:
            _enqueue_after_commit(certificate.pk)
    return certificate


# --- Bulk reissue ------------------------------------------------------------------------


def bulk_reissue_create(
    *, certificate_ids: list[int], actor, reason: str, filters: dict
) -> BulkJob:
    """A bulk reissue of the valid certificates among `certificate_ids`, run by a
    Celery task after commit."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        ids = list(
            Certificate.objects.filter(pk__in=certificate_ids, status=Certificate.Status.VALID)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise CertificateError("No valid certificate matches: nothing to reissue.")
        job = BulkJob.objects.create(
            kind="reissue", reason=reason, actor=actor, filters=filters, total=len(ids)
        )
        BulkJobItem.objects.bulk_create(
            [BulkJobItem(job=job, certificate_id=pk) for pk in ids], batch_size=1000
        )
        audit_record(
            actor=actor,
            action=AuditAction.BULK_JOB_CREATE,
            obj=job,
            reason=reason,
            data={"kind": job.kind, "certificates": len(ids), "filters": filters},
        )
        transaction.on_commit(lambda: bulk_job_enqueue(job_id=job.pk))
    return job


def bulk_job_enqueue(*, job_id: int) -> bool:
    from .tasks import bulk_job_run

    try:
        bulk_job_run.apply_async(
            (job_id,),
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:  # the sweep picks the job up again
        logger.warning("Could not enqueue bulk job %s; the sweep will retry", job_id, exc_info=True)
        return False
    BulkJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    return True


def bulk_job_process(*, job_id: int, limit: int | None = None) -> BulkJob:
    """Reissue the job's items not yet processed, each in its own transaction
    that also marks the item and counts it, so an interrupted job resumes with
    exactly the items that are left. `limit` stops after that many items."""
    BulkJob.objects.filter(pk=job_id).exclude(status=BulkJob.Status.DONE).update(
        status=BulkJob.Status.RUNNING, heartbeat_at=timezone.now()
    )
    processed = 0
    while limit is None or processed < limit:
        batch = list(
            BulkJobItem.objects.filter(job_id=job_id, processed_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[
                : BULK_BATCH if limit is None else min(BULK_BATCH, limit - processed)
            ]
        )
        if not batch:
            break
        for item_id in batch:
            _bulk_item_process(item_id=item_id)
            processed += 1
    job = BulkJob.objects.get(pk=job_id)
    if not BulkJobItem.objects.filter(job_id=job_id, processed_at__isnull=True).exists():
        BulkJob.objects.filter(pk=job_id).exclude(status=BulkJob.Status.DONE).update(
            status=BulkJob.Status.DONE, finished_at=timezone.now()
        )
        job.refresh_from_db()
    return job


def _bulk_item_process(*, item_id: int) -> None:
    with transaction.atomic():
        item = (
            BulkJobItem.objects.select_for_update(skip_locked=True)
            .select_related("job")
            .filter(pk=item_id, processed_at__isnull=True)
            .first()
        )
        if item is None:  # done meanwhile, or another worker holds it
            return
        job = item.job
        failed = False
        try:
            with transaction.atomic():
                new = certificate_reissue(
                    certificate=item.certificate, actor=job.actor, reason=job.reason
                )
            item.result = new
        except CertificateError as exc:  # e.g. revoked since the job was created
            item.error = str(exc)
            failed = True
        item.processed_at = timezone.now()
        item.save(update_fields=["result", "error", "processed_at"])
        BulkJob.objects.filter(pk=job.pk).update(
            done=F("done") + (0 if failed else 1),
            failed=F("failed") + (1 if failed else 0),
            heartbeat_at=timezone.now(),
        )


def bulk_jobs_sweep(*, min_age: timedelta) -> int:
    """Enqueue again every unfinished job whose worker has not reported for a while."""
    cutoff = timezone.now() - min_age
    ids = list(
        BulkJob.objects.exclude(status=BulkJob.Status.DONE)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    for job_id in ids:
        bulk_job_enqueue(job_id=job_id)
    return len(ids)
