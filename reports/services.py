"""Writes of the reports app: an Administrator confirms that an accreditor
report was uploaded, and its certificates are marked reported."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from audit.models import AuditAction
from audit.services import audit_record
from courses.models import Accreditor

from .models import AccreditorUpload, AccreditorUploadItem
from .selectors import Period, accreditor_report_queryset

REFERENCE_MAX_LENGTH = 200


class ReportError(Exception):
    """A refusal; the message is for the person who asked."""


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
        raise ReportError(f"Keep the reference under {REFERENCE_MAX_LENGTH} characters.")
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
        raise ReportError("Every certificate of this report is already marked reported.")
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
