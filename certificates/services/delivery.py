"""Delivery in two stages that each commit: render and store the PDF (then the
certificate is downloadable and verifiable), then email it, each by its own
retried task; and the sweep that enqueues again, stage by stage with backoff,
what a dead worker, an unreachable broker or a mail server that was down left
undelivered, and records why when it gives up."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, QuerySet, Value
from django.db.models.functions import Coalesce, Least, Power
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from cms.emails import email_from_templates

from .. import rendering
from ..models import Certificate, CertificateEvent, private_storage
from .base import event_add, task_send
from .notices import reissue_notice_mark_sent
from .snapshot import hours_text, verify_url

logger = logging.getLogger(__name__)


def render_enqueue_after_commit(certificate_id: int) -> None:
    transaction.on_commit(
        lambda: certificate_enqueue_render(certificate_id=certificate_id, mark=False)
    )


def certificate_enqueue_render(*, certificate_id: int, mark: bool = True) -> bool:
    """Send the render task. A broker that is down loses nothing: the record
    stays without a PDF and the periodic sweep enqueues it again.

    `mark` records the time in `queued_at` (the sweep skips certificates queued
    within the last minute); issuing sets it already, in the same INSERT."""
    from ..tasks import certificate_render  # tasks import the services: a cycle

    return _enqueue(
        certificate_render, certificate_id, mark_field="queued_at" if mark else "", what="rendering"
    )


def _enqueue(
    task, certificate_id: int, *, mark_field: str, what: str, countdown: float | None = None
) -> bool:
    described = f"{what} of certificate {certificate_id}"
    if not task_send(task, certificate_id, what=described, countdown=countdown):
        return False
    if mark_field:
        Certificate.objects.filter(pk=certificate_id).update(**{mark_field: timezone.now()})
    return True


def certificate_render_started(*, certificate_id: int) -> bool:
    """Count a render attempt. False when there is nothing left to render."""
    return bool(
        Certificate.objects.filter(
            pk=certificate_id, status=Certificate.Status.VALID, rendered_at__isnull=True
        ).update(render_attempts=F("render_attempts") + 1)
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


def _locked_for_delivery(certificate_id: int) -> Certificate | None:
    """The certificate, locked, while it is valid; None (skip it) when it is gone,
    held, revoked or reissued."""
    certificate = (
        Certificate.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or certificate.status != Certificate.Status.VALID:
        return None
    return certificate


def certificate_pdf_store(*, certificate_id: int) -> str:
    """The first stage of delivery: render and store the PDF, in a transaction of
    its own. Once it commits the certificate is downloadable and verifiable,
    whatever happens to the email. Safe to run twice, and concurrently (the row
    lock, then the marker). Returns "stored", "already stored" or "skipped"."""
    return _pdf_store(certificate_id, email_next=False)[0]


def certificate_pdf_store_to_email(*, certificate_id: int) -> Certificate | None:
    """The first stage for a caller that emails right after (the render task):
    the same transaction also counts that email attempt (what
    certificate_email_started does in a statement of its own). Returns the
    certificate just stored, to hand to certificate_email_deliver, or None when
    nothing was stored now (stored before, or not valid)."""
    outcome, certificate = _pdf_store(certificate_id, email_next=True)
    return certificate if outcome == "stored" else None


def _pdf_store(certificate_id: int, *, email_next: bool) -> tuple[str, Certificate | None]:
    with transaction.atomic():
        certificate = _locked_for_delivery(certificate_id)
        if certificate is None:
            return "skipped", None
        if certificate.rendered_at is not None:
            return "already stored", None
        pdf = certificate_pdf_render(certificate=certificate)
        storage = private_storage()
        name = f"certificates/{certificate.issued_at:%Y}/{certificate.number}.pdf"
        if storage.exists(name):  # left by an attempt whose transaction did not commit
            storage.delete(name)
        now = timezone.now()
        certificate.pdf.name = storage.save(name, ContentFile(pdf))
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        certificate.rendered_at = now
        certificate.render_error = certificate.last_error = ""
        # The email stage counts as queued from here (the sweep's clock for it).
        certificate.email_queued_at = now
        changes = {
            f: getattr(certificate, f)
            for f in ("pdf_sha256", "rendered_at", "render_error", "last_error", "email_queued_at")
        }
        if email_next:
            changes["email_attempts"] = F("email_attempts") + 1
        # An UPDATE of these columns only (Model.save would send them through its
        # field machinery, for a row this transaction holds locked).
        Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name, **changes)
        event_add(certificate, CertificateEvent.Action.RENDERED, data={"bytes": len(pdf)})
    return "stored", certificate


def certificate_email_started(*, certificate_id: int) -> bool:
    """Count an email attempt. False when there is nothing to email (no PDF yet,
    emailed already, not valid)."""
    return bool(
        Certificate.objects.filter(
            pk=certificate_id,
            status=Certificate.Status.VALID,
            rendered_at__isnull=False,
            emailed_at__isnull=True,
        ).update(email_attempts=F("email_attempts") + 1)
    )


def certificate_email_deliver(*, certificate_id: int, stored: Certificate | None = None) -> str:
    """The second stage: email the stored PDF, once. The row lock makes two
    deliveries at once send one email. Returns "emailed", "already emailed",
    "not stored" or "skipped".

    `stored`: the certificate certificate_pdf_store_to_email just stored; only
    what may have changed since is read again, under the lock."""
    with transaction.atomic():
        if stored is not None and stored.pk == certificate_id:
            certificate = _relocked_for_delivery(stored)
        else:
            certificate = _locked_for_delivery(certificate_id)
        if certificate is None:
            return "skipped"
        if certificate.emailed_at is not None:
            return "already emailed"
        if certificate.rendered_at is None:
            return "not stored"
        certificate_email_send(certificate=certificate)
        reissue_notice_mark_sent(certificate=certificate)
        certificate.emailed_at = timezone.now()
        certificate.email_error = certificate.last_error = ""
        Certificate.objects.filter(pk=certificate.pk).update(
            emailed_at=certificate.emailed_at, email_error="", last_error=""
        )
        event_add(certificate, CertificateEvent.Action.EMAILED, data={"to": certificate.user.email})
    return "emailed"


def _relocked_for_delivery(certificate: Certificate) -> Certificate | None:
    """`certificate`, loaded by an earlier transaction, locked again with what may
    have changed since read afresh (its status, its delivery markers, the
    clinician's email address); its frozen snapshot and number are not read twice.
    None (skip it) when it is gone or no longer valid."""
    row = (
        Certificate.objects.select_for_update(of=("self",))
        .filter(pk=certificate.pk)
        .values_list("status", "rendered_at", "emailed_at", "pdf", "user__email")
        .first()
    )
    if row is None or row[0] != Certificate.Status.VALID:
        return None
    certificate.status, certificate.rendered_at, certificate.emailed_at = row[:3]
    certificate.pdf.name, certificate.user.email = row[3:]
    return certificate


def certificate_deliver(*, certificate_id: int) -> str:
    """Both stages in this process, each committed on its own (what the worker
    does across its two tasks). "delivered" when this call did either stage,
    "rendered" when both were done already, "skipped" when not valid."""
    stored = certificate_pdf_store(certificate_id=certificate_id)
    if stored == "skipped":
        return "skipped"
    certificate_email_started(certificate_id=certificate_id)
    emailed = certificate_email_deliver(certificate_id=certificate_id)
    return "delivered" if stored == "stored" or emailed == "emailed" else "rendered"


def certificate_retry_note(*, certificate_id: int, error: str) -> None:
    """Keep the latest error a retry may cure, for Administrators to see meanwhile."""
    Certificate.objects.filter(pk=certificate_id).update(last_error=error[:4000])


def _stage_failed(*, certificate_id: int, error: str, error_field: str, action: str) -> None:
    """Keep a stage's error in its field and in a certificate event."""
    certificate = Certificate.objects.filter(pk=certificate_id).first()
    if certificate is None:
        return
    Certificate.objects.filter(pk=certificate_id).update(**{error_field: error[:4000]})
    event_add(certificate, action, reason=error[:4000])


def certificate_render_failed(*, certificate_id: int, error: str) -> None:
    """Record an error that retrying will not cure, for the administrator to see."""
    _stage_failed(
        certificate_id=certificate_id,
        error=error,
        error_field="render_error",
        action=CertificateEvent.Action.RENDER_FAILED,
    )


def certificate_email_failed(*, certificate_id: int, error: str) -> None:
    """Record an email error that retrying will not cure: the PDF stays stored,
    the email waits for an Administrator's "retry now"."""
    _stage_failed(
        certificate_id=certificate_id,
        error=error,
        error_field="email_error",
        action=CertificateEvent.Action.EMAIL_FAILED,
    )


def certificate_enqueue_email(
    *, certificate_id: int, mark: bool = True, countdown: float | None = None
) -> bool:
    """Send the email task (to run `countdown` seconds from now, if given); a
    broker that is down loses nothing (the sweep)."""
    from ..tasks import certificate_email  # tasks import the services: a cycle

    return _enqueue(
        certificate_email,
        certificate_id,
        mark_field="email_queued_at" if mark else "",
        what="the email",
        countdown=countdown,
    )


def certificate_email_due(*, certificate_id: int) -> bool:
    """Stored, valid, not emailed and not given up on."""
    return Certificate.objects.filter(
        pk=certificate_id,
        status=Certificate.Status.VALID,
        rendered_at__isnull=False,
        emailed_at__isnull=True,
        email_error="",
    ).exists()


def certificate_message_id(number: str) -> str:
    """One Message-ID per certificate: a delivery sent again (a worker that died
    after the mail server accepted it, before its transaction committed) carries
    the same id, which mail servers and clients use to drop the second copy."""
    domain = urlsplit(settings.SITE_URL).hostname or "practicum.invalid"
    return f"<certificate.{number}@{domain}>"


def certificate_email_send(*, certificate: Certificate) -> None:
    context = {
        "certificate": certificate,
        "snapshot": certificate.snapshot,
        "provider": certificate.snapshot.get("provider") or {},
        "dashboard_url": f"{settings.SITE_URL}/dashboard/",
        "transcript_url": f"{settings.SITE_URL}/transcript/",
        "verify_url": verify_url(certificate.number),
        "hours": hours_text(certificate.total_hours),
        # A reissue's email is also its notice: the reason shared with the clinician.
        "clinician_reason": certificate.clinician_reason if certificate.supersedes_id else "",
    }
    message = email_from_templates(
        "certificate_issued",
        context,
        to=[certificate.user.email],
        headers={"Message-ID": certificate_message_id(certificate.number)},
    )
    with certificate.pdf.open("rb") as handle:
        message.attach(f"{certificate.number}.pdf", handle.read(), "application/pdf")
    message.send()


#: The sweep waits min_age * 2**attempts (attempts capped here) before a stage's next try.
BACKOFF_CAP = 6


@dataclass(frozen=True)
class _Stage:
    """A delivery stage as the sweep times it: the field counting its attempts,
    when it was queued (the first of `since` that is set), and the field that
    puts the longest waiting first."""

    attempts: str
    since: tuple[str, ...]
    order_by: str


_RENDER = _Stage(attempts="render_attempts", since=("queued_at", "issued_at"), order_by="issued_at")
_EMAIL = _Stage(
    attempts="email_attempts", since=("email_queued_at", "rendered_at"), order_by="rendered_at"
)


def _due_ids(
    certificates: QuerySet, stage: _Stage, *, now, min_age: timedelta, limit: int
) -> list[int]:
    """The ids of the certificates whose `stage` is due, at most `limit`: a stage
    is due once min_age * 2**attempts has passed since it was queued."""
    wait = ExpressionWrapper(
        Value(min_age) * Power(Value(2), Least(F(stage.attempts), Value(BACKOFF_CAP))),
        output_field=DurationField(),
    )
    due = GreaterThan(
        ExpressionWrapper(Value(now) - wait, output_field=DateTimeField()), Coalesce(*stage.since)
    )
    return list(
        certificates.filter(due).order_by(stage.order_by).values_list("pk", flat=True)[:limit]
    )


def certificates_sweep(*, min_age: timedelta, max_attempts: int, limit: int = 1000) -> int:
    """Enqueue again, stage by stage, every valid certificate still without its
    PDF or its email (a worker killed mid-render, a broker or a mail server that
    was down), each stage with a backoff that doubles with its attempts; record
    why for those it gives up on. Returns how many it enqueued."""
    now = timezone.now()
    certificates_give_up(max_attempts=max_attempts)
    valid = Certificate.objects.filter(status=Certificate.Status.VALID)
    render_ids = _due_ids(
        valid.filter(rendered_at__isnull=True, render_attempts__lt=max_attempts),
        _RENDER,
        now=now,
        min_age=min_age,
        limit=limit,
    )
    email_ids = _due_ids(
        valid.filter(
            rendered_at__isnull=False,
            emailed_at__isnull=True,
            email_error="",
            email_attempts__lt=max_attempts,
        ),
        _EMAIL,
        now=now,
        min_age=min_age,
        limit=limit,
    )
    for certificate_id in render_ids:
        certificate_enqueue_render(certificate_id=certificate_id)
    for certificate_id in email_ids:
        certificate_enqueue_email(certificate_id=certificate_id)
    if render_ids or email_ids:
        logger.info(
            "Sweep enqueued %d render(s) and %d email(s) not yet delivered",
            len(render_ids),
            len(email_ids),
        )
    return len(render_ids) + len(email_ids)


def certificates_give_up(*, max_attempts: int) -> int:
    """Record why delivery stopped for every stage that used up its attempts and
    has no error yet: the stage's error (so the dashboard and the attention panel
    show it) and a certificate event. Returns how many."""
    valid = Certificate.objects.filter(status=Certificate.Status.VALID)
    stages = [
        (
            valid.filter(rendered_at__isnull=True, render_error=""),
            "render_attempts",
            "render_error",
            CertificateEvent.Action.RENDER_FAILED,
        ),
        (
            valid.filter(rendered_at__isnull=False, emailed_at__isnull=True, email_error=""),
            "email_attempts",
            "email_error",
            CertificateEvent.Action.EMAIL_FAILED,
        ),
    ]
    count = 0
    for queryset, attempts, error_field, action in stages:
        for certificate in queryset.filter(**{f"{attempts}__gte": max_attempts}):
            error = (
                f"Gave up after {getattr(certificate, attempts)} attempts. Last error: "
                f"{certificate.last_error or 'none recorded (a worker may have died mid-task)'}"
            )[:4000]
            updated = Certificate.objects.filter(pk=certificate.pk, **{error_field: ""}).update(
                **{error_field: error}
            )
            if updated:
                event_add(certificate, action, reason=error)
                count += 1
    return count
