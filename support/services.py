"""Writing learner support requests (docs/support.md). Every change is a row in
the audit log; every status change emails the clinician once, after commit."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cms.emails import email_from_templates
from cms.refusals import Refusal
from cms.uploads import UploadRefused, upload_check
from courses.models import CoursePage

from .models import RequestKind, RequestStatus, SupportAttachment, SupportRequest

logger = logging.getLogger(__name__)

#: Attachments one request may carry.
MAX_ATTACHMENTS = 5
DETAILS_MAX_LENGTH = 10_000


@dataclass(frozen=True)
class Upload:
    name: str
    data: bytes


def attachment_max_bytes() -> int:
    return settings.SUPPORT_ATTACHMENT_MAX_BYTES


def _course(course_id) -> CoursePage | None:
    if course_id in (None, ""):
        return None
    try:
        course_id = int(course_id)
    except (TypeError, ValueError):
        course_id = None
    course = (
        CoursePage.objects.live().public().filter(pk=course_id).first()
        if course_id and 0 < course_id < 2**63
        else None
    )
    if course is None:
        raise Refusal(
            "There is no such course in the catalog; choose one from the list.", field="course"
        )
    return course


def request_create(
    *,
    user,
    kind: str,
    details: str,
    outcome_sought: str = "",
    course_id=None,
    uploads: list[Upload] = (),
) -> SupportRequest:
    if kind not in RequestKind.values:
        raise Refusal("Choose whether this is an accommodation or a grievance.", field="kind")
    details = (details or "").strip()
    outcome_sought = (outcome_sought or "").strip()
    if not details:
        raise Refusal(
            "Describe what you need."
            if kind == RequestKind.ACCOMMODATION
            else "Describe what happened.",
            field="details",
        )
    if len(details) > DETAILS_MAX_LENGTH or len(outcome_sought) > DETAILS_MAX_LENGTH:
        raise Refusal(f"Keep each answer under {DETAILS_MAX_LENGTH:,} characters.")
    if kind == RequestKind.GRIEVANCE and not outcome_sought:
        raise Refusal("Say what outcome you are seeking.", field="outcome_sought")
    course = _course(course_id)
    if kind == RequestKind.ACCOMMODATION and course is None:
        raise Refusal("Choose the course the accommodation is for.", field="course")
    if len(uploads) > MAX_ATTACHMENTS:
        raise Refusal(f"Attach at most {MAX_ATTACHMENTS} files.", field="attachments")
    checked = []
    for upload in uploads:
        try:
            content_type = upload_check(
                data=upload.data,
                max_bytes=attachment_max_bytes(),
                noun="document",
                locked_pdf_hint="so the CE administrator can read it",
            )
        except UploadRefused as exc:
            raise Refusal(f"{upload.name}: {exc}", kind=exc.kind, field="attachments") from exc
        checked.append((upload, content_type))

    stored = []
    try:
        with transaction.atomic():
            request = SupportRequest.objects.create(
                user=user,
                kind=kind,
                course=course,
                details=details,
                outcome_sought=outcome_sought if kind == RequestKind.GRIEVANCE else "",
            )
            for upload, content_type in checked:
                attachment = SupportAttachment(
                    request=request,
                    original_name=(upload.name or "attachment")[:255],
                    content_type=content_type,
                    size=len(upload.data),
                    sha256=hashlib.sha256(upload.data).hexdigest(),
                )
                attachment.file.save("attachment", ContentFile(upload.data), save=False)
                stored.append(attachment.file.name)
                attachment.save()
            audit_record(
                actor=user,
                action=AuditAction.REQUEST_CREATE,
                obj=request,
                data={
                    "kind": kind,
                    "course_id": course.pk if course else None,
                    "attachments": len(checked),
                },
            )
    except Exception:
        for name in stored:
            SupportAttachment.file.field.storage.delete(name)
        raise
    return request


def _status_email(*, request_id: int, status: str) -> None:
    request = SupportRequest.objects.select_related("user", "course").get(pk=request_id)
    context = {
        "request": request,
        "status_label": RequestStatus(status).label,
        "requests_url": settings.SITE_URL + reverse("support:mine"),
    }
    try:
        email_from_templates("support_status", context, to=[request.user.email], html=False).send()
    except Exception:
        # The change is saved and on the clinician's requests page; a mail outage
        # must not undo it. Operations see it in the log.
        logger.exception("Support request %s: status email not sent", request_id)


def request_update(
    *,
    request: SupportRequest,
    actor,
    status: str,
    assignee=None,
    internal_notes: str = "",
    response: str = "",
) -> list[str]:
    """Save what the administrator changed; returns the names of the fields that
    changed. A status change is audited and emails the clinician once."""
    if status not in RequestStatus.values:
        raise Refusal("Choose a status from the list.")
    if assignee is not None and not (assignee.is_active and assignee.is_staff):
        raise Refusal("Assign the request to a member of staff.")
    with transaction.atomic():
        current = SupportRequest.objects.select_for_update().get(pk=request.pk)
        changes = {}
        new = {
            "assignee_id": assignee.pk if assignee else None,
            "internal_notes": (internal_notes or "").strip(),
            "response": (response or "").strip(),
        }
        for field, value in new.items():
            if getattr(current, field) != value:
                changes[field] = (getattr(current, field), value)
                setattr(current, field, value)
        old_status = current.status
        if status != old_status:
            current.status = status
            current.status_changed_at = timezone.now()
        if not changes and status == old_status:
            return []
        current.save()
        if changes:
            audit_record(
                actor=actor,
                action=AuditAction.REQUEST_EDIT,
                obj=current,
                data={
                    "fields": sorted(changes),
                    **(
                        {"assignee": [changes["assignee_id"][0], changes["assignee_id"][1]]}
                        if "assignee_id" in changes
                        else {}
                    ),
                },
            )
        if status != old_status:
            audit_record(
                actor=actor,
                action=AuditAction.REQUEST_STATUS_CHANGE,
                obj=current,
                data={"from": old_status, "to": status},
            )
            request_id = current.pk
            transaction.on_commit(lambda: _status_email(request_id=request_id, status=status))
    request.refresh_from_db()
    changed = sorted(changes)
    return [*changed, "status"] if status != old_status else changed
