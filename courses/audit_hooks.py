"""The CE credit model and course approvals in the audit log (docs/audit.md).

Wagtail's own views make these changes, so the seams are its hooks (the
accreditor snippet's create, edit and delete: courses.wagtail_hooks) and its
signals (a course published with other credit rows; an approval task submitted,
approved or rejected: connected in courses.apps). Each compares or reads what
was recorded and adds a row; Wagtail's page history already shows the
workflow's steps, and its snippet history the accreditor's edits."""

from __future__ import annotations

from wagtail.models import PageLogEntry

from audit.context import current_request
from audit.models import AuditAction
from audit.services import audit_change, audit_fields, audit_record

from .models import Accreditor, CoursePage

_BEFORE = "_audit_accreditor_before"


def _request_user():
    request = current_request()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


# --- Accreditors (snippet hooks) -------------------------------------------------------------


def accreditor_edit_started(request, instance) -> None:
    if isinstance(instance, Accreditor):
        setattr(request, _BEFORE, audit_fields(instance))


def accreditor_saved(request, instance, *, created: bool) -> None:
    if not isinstance(instance, Accreditor):
        return
    audit_change(
        actor=request.user,
        action=AuditAction.ACCREDITOR_CREATE if created else AuditAction.ACCREDITOR_EDIT,
        obj=instance,
        before={} if created else getattr(request, _BEFORE, {}),
        after=audit_fields(instance),
        request=request,
    )


def accreditors_deleted(request, instances) -> None:
    for instance in instances:
        if isinstance(instance, Accreditor):
            audit_record(
                actor=request.user,
                action=AuditAction.ACCREDITOR_DELETE,
                object_type="courses.accreditor",
                object_id=getattr(instance, "_audit_pk", "") or "",
                object_label=str(instance),
                data={"fields": audit_fields(instance)},
                request=request,
            )


def accreditors_delete_started(request, instances) -> None:
    # Django clears the primary key on delete: keep it for the row.
    for instance in instances:
        instance._audit_pk = instance.pk


# --- Credit rows of a course (page_published) ---------------------------------------------


def course_credit_lines(course: CoursePage) -> list[str]:
    """A course's credit rows as the audit log compares them."""
    return sorted(
        " ".join(
            filter(
                None,
                [
                    credit.accreditor.short_name,
                    credit.get_category_display(),
                    f"{credit.hours} h",
                    f"approval no. {credit.approval_number}"
                    if getattr(credit, "approval_number", "")
                    else "",
                ],
            )
        )
        for credit in course.credits.all()
    )


def _previously_published(course: CoursePage, revision) -> CoursePage | None:
    entry = (
        PageLogEntry.objects.filter(page_id=course.pk, action="wagtail.publish")
        .exclude(revision_id=getattr(revision, "pk", None))
        .exclude(revision__isnull=True)
        .select_related("revision")
        .order_by("-timestamp", "-pk")
        .first()
    )
    return entry.revision.as_object() if entry is not None else None


def course_published(sender, instance, revision=None, **kwargs) -> None:
    """`page_published`: a row when the live credit rows differ from those the
    course had when it was last published (a first publication counts)."""
    if not isinstance(instance, CoursePage):
        return
    previous = _previously_published(instance, revision)
    audit_change(
        actor=_request_user(),
        action=AuditAction.CREDIT_EDIT,
        obj=instance,
        before={"credits": course_credit_lines(previous)} if previous is not None else {},
        after={"credits": course_credit_lines(instance)},
    )


# --- Approval decisions (workflow signals) -------------------------------------------------


def _course_of(task_state) -> CoursePage | None:
    content = task_state.workflow_state.content_object
    specific = getattr(content, "specific", content)
    return specific if isinstance(specific, CoursePage) else None


def _approval_record(task_state, user, action: AuditAction) -> None:
    course = _course_of(task_state)
    if course is None:
        return
    audit_record(
        actor=user,
        action=action,
        obj=course,
        reason=getattr(task_state, "comment", "") or "",
        data={
            "task": str(task_state.task),
            "revision": task_state.revision_id,
        },
    )


def task_submitted(sender, instance, user=None, **kwargs) -> None:
    _approval_record(instance, user, AuditAction.COURSE_SUBMIT)


def task_approved(sender, instance, user=None, **kwargs) -> None:
    _approval_record(instance, user, AuditAction.COURSE_APPROVE)


def task_rejected(sender, instance, user=None, **kwargs) -> None:
    _approval_record(instance, user, AuditAction.COURSE_REJECT)
