"""Delivery: render and store a certificate's PDF, email it, and the sweep that
enqueues again what a dead worker or an unreachable broker left undelivered."""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from .. import rendering
from ..models import Certificate, CertificateEvent, private_storage
from .base import event_add
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
    from ..tasks import certificate_render

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
    event_add(certificate, CertificateEvent.Action.RENDER_FAILED, reason=error[:4000])


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
