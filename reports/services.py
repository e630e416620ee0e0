"""Writes of the reports app: an Administrator confirms that an accreditor
report was uploaded, and its certificates are marked reported; audit packets
are requested, built (resumably) and downloaded."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal
from courses.models import Accreditor

from .models import AccreditorUpload, AccreditorUploadItem, AuditPacket
from .packet import packet_parts
from .selectors import Period, accreditor_report_queryset

REFERENCE_MAX_LENGTH = 200


@transaction.atomic
def accreditor_upload_confirm(
    *,
    actor,
    accreditor: Accreditor,
    period: Period,
    issued_before: datetime,
    reference: str = "",
    filters: dict | None = None,
    **report_filters,
) -> AccreditorUpload:
    """Mark reported the certificates of the accreditor report (these filters)
    not reported yet and issued before `issued_before` (when the Administrator
    loaded the report they uploaded: certificates issued since were not in it)."""
    reference = " ".join(reference.split())
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise Refusal(f"Keep the reference under {REFERENCE_MAX_LENGTH} characters.")
    certificates = (
        accreditor_report_queryset(
            accreditor=accreditor, period=period, reported="no", **report_filters
        )
        .filter(issued_at__lt=issued_before)
        .values_list("pk", flat=True)
    )
    # One confirmation at a time per accreditor: a certificate is reported once.
    Accreditor.objects.select_for_update().filter(pk=accreditor.pk).first()
    ids = sorted(set(certificates))
    if not ids:
        raise Refusal("Every certificate of this report is already marked reported.")
    upload = AccreditorUpload.objects.create(
        accreditor=accreditor, confirmed_by=actor, reference=reference, filters=filters or {}
    )
    AccreditorUploadItem.objects.bulk_create(
        [AccreditorUploadItem(upload=upload, certificate_id=pk) for pk in ids], batch_size=1000
    )
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_MARK_REPORTED,
        obj=accreditor,
        reason=reference,
        data={"upload": upload.pk, "certificates": len(ids), "filters": filters or {}},
    )
    return upload


# --- The audit packet ------------------------------------------------------------------------


def packet_request(*, actor, course, period: Period) -> AuditPacket:
    """An Administrator asks for the packet of a course and a period: a new
    build (a packet is rebuilt on every request), queued after commit."""
    from .tasks import packet_build_task  # tasks import the services: a cycle

    with transaction.atomic():
        packet = AuditPacket.objects.create(
            course=course, start=period.start, end=period.end, requested_by=actor
        )
        transaction.on_commit(lambda: packet_build_task.delay(packet.pk))
    return packet


def _part_path(packet: AuditPacket, name: str) -> str:
    return f"audit-packets/{packet.pk}/parts/{name}"


def packet_build(*, packet_id: int, after_part: Callable[[str], None] | None = None) -> AuditPacket:
    """Build (or resume) a packet: every part not stored yet is made and stored,
    then the ZIP with MANIFEST.txt. Safe to run twice and after a crash: parts
    listed in `parts` whose file exists are not made again."""
    packet = AuditPacket.objects.select_related("course").get(pk=packet_id)
    if packet.status == AuditPacket.Status.READY:
        return packet
    period = Period(start=packet.start, end=packet.end)
    course = packet.course.specific
    parts = packet_parts(course=course, period=period)
    storage = packet.file.storage
    AuditPacket.objects.filter(pk=packet.pk).update(
        status=AuditPacket.Status.BUILDING, steps_total=len(parts) + 1, heartbeat_at=timezone.now()
    )
    done = dict(packet.parts)
    for name, build in parts:
        if name in done and storage.exists(_part_path(packet, name)):
            continue
        data = build()
        path = _part_path(packet, name)
        if storage.exists(path):
            storage.delete(path)
        storage.save(path, ContentFile(data))
        done[name] = hashlib.sha256(data).hexdigest()
        AuditPacket.objects.filter(pk=packet.pk).update(
            parts=done, steps_done=len(done), heartbeat_at=timezone.now()
        )
        if after_part is not None:
            after_part(name)
    manifest = [
        f"Audit packet {packet.pk}: {course.title} (course {course.pk}), "
        f"{period.start} to {period.end}",
        f"Built {timezone.now():%Y-%m-%d %H:%M:%S %Z}. SHA-256 of each file:",
        "",
        *[f"{done[name]}  {name}" for name, _ in parts],
    ]
    with tempfile.TemporaryFile() as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, _ in parts:
                with storage.open(_part_path(packet, name), "rb") as part:
                    archive.writestr(name, part.read())
            archive.writestr("MANIFEST.txt", "\n".join(manifest) + "\n")
        tmp.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: tmp.read(1 << 20), b""):
            digest.update(chunk)
        tmp.seek(0)
        filename = f"audit-packet-{slugify(course.slug)[:40]}-{period.start}-{period.end}.zip"
        packet.file.save(f"{packet.pk}/{filename}", File(tmp), save=False)
    packet.sha256 = digest.hexdigest()
    packet.status = AuditPacket.Status.READY
    packet.steps_done = packet.steps_total = len(parts) + 1
    packet.parts = done
    packet.finished_at = timezone.now()
    packet.save(
        update_fields=[
            "file",
            "sha256",
            "status",
            "steps_done",
            "steps_total",
            "parts",
            "finished_at",
        ]
    )
    audit_record(
        actor=None,
        action=AuditAction.AUDIT_PACKET_BUILD,
        obj=course,
        data={
            "packet": packet.pk,
            "requested_by": packet.requested_by_id,
            "start": period.start,
            "end": period.end,
            "files": len(parts) + 1,
            "sha256": packet.sha256,
        },
    )
    return packet


def packet_failed(*, packet_id: int, error: str) -> None:
    AuditPacket.objects.filter(pk=packet_id).exclude(status=AuditPacket.Status.READY).update(
        status=AuditPacket.Status.FAILED, error=error[:2000]
    )


def packet_download_record(*, actor, packet: AuditPacket) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_PACKET_DOWNLOAD,
        obj=packet.course,
        data={"packet": packet.pk, "start": packet.start, "end": packet.end},
    )


def packets_stalled(*, older_than: timedelta) -> list[int]:
    """Packets queued or building whose last sign of life is older than
    `older_than` (their worker died, or the message was lost)."""
    cutoff = timezone.now() - older_than
    return list(
        AuditPacket.objects.filter(
            status__in=[AuditPacket.Status.QUEUED, AuditPacket.Status.BUILDING],
        )
        .filter(
            models.Q(heartbeat_at__lt=cutoff)
            | models.Q(heartbeat_at__isnull=True, requested_at__lt=cutoff)
        )
        .values_list("pk", flat=True)
    )
