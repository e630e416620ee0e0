"""Writing the audit log (docs/audit.md). Rows are only ever added."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts.client_ip import client_ip

from .context import current_request
from .models import AuditAction, AuditEvent

#: Longest reason kept; a longer one is cut (reasons are typed by people).
REASON_MAX_LENGTH = 4000


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def _actor(actor) -> tuple[int | None, str]:
    if actor is None or not getattr(actor, "pk", None):
        return None, ""
    return actor.pk, (getattr(actor, "email", "") or str(actor))[:254]


def _request_user(request: HttpRequest):
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def object_reference(obj: models.Model) -> tuple[str, str, str]:
    """(type, id, label) of a model instance, as a row keeps it: pages by their
    specific model, so a course reads "courses.coursepage"."""
    specific = getattr(obj, "specific_class", None) or type(obj)
    meta = specific._meta
    return f"{meta.app_label}.{meta.model_name}", str(obj.pk), str(obj)[:255]


def audit_record(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model | None = None,
    reason: str = "",
    data: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
) -> AuditEvent:
    """Add one row. `actor` is the person who acted, None for the system (a
    certificate issued on completion, a worker's job). The address is that of
    `request`, by default the request being served (audit.context), when the
    actor is the person who sent it; the system's rows have none. An object is
    given as `obj`, or as type, id and label when there is no instance (a
    deleted one)."""
    request = request if request is not None else current_request()
    actor_id, actor_label = _actor(actor)
    requester = _request_user(request) if request is not None else None
    from_request = actor_id is not None and requester is not None and requester.pk == actor_id
    if obj is not None:
        object_type, object_id, object_label = object_reference(obj)
    return AuditEvent.objects.create(
        actor_id=actor_id,
        actor_label=actor_label,
        ip_address=_address(request) if from_request else None,
        action=AuditAction(action),
        object_type=object_type,
        object_id=str(object_id),
        object_label=str(object_label)[:255],
        reason=(reason or "")[:REASON_MAX_LENGTH],
        data=data or {},
    )


def export_filters(request: HttpRequest) -> dict[str, str]:
    """The filters of an export as the request gave them (page and format left out)."""
    return {
        key: value
        for key, value in request.GET.items()
        if key not in ("p", "format", "export", "_w_filter_fragment")
    }


def audit_export_recorder(
    *,
    request: HttpRequest,
    report: str,
    file_format: str,
    obj: models.Model | None = None,
    filters: dict | None = None,
) -> Callable[..., AuditEvent]:
    """What an export calls once its rows are written (cms.spreadsheet's
    `on_done(rows=..., complete=...)`): one row saying who exported which report,
    with which filters, in which format, and how many data rows it held. The
    actor and address are taken now, while the request is being served; a
    streamed CSV calls back when its last line has gone (or the download was cut
    short: complete=False)."""
    actor_id, actor_label = _actor(_request_user(request))
    address = _address(request)
    filters = export_filters(request) if filters is None else filters
    reference = object_reference(obj) if obj is not None else ("", "", "")

    def record(*, rows: int, complete: bool = True) -> AuditEvent:
        return AuditEvent.objects.create(
            actor_id=actor_id,
            actor_label=actor_label,
            ip_address=address,
            action=AuditAction.EXPORT,
            object_type=reference[0],
            object_id=reference[1],
            object_label=reference[2],
            data={
                "report": report,
                "format": file_format,
                "filters": filters,
                "rows": rows,
                "complete": complete,
            },
        )

    return record


def audit_change(
    *,
    actor,
    action: AuditAction | str,
    obj: models.Model,
    before: dict,
    after: dict,
    request: HttpRequest | None = None,
) -> AuditEvent | None:
    """A row for an edit made through a form of Wagtail's own (a person's groups,
    a group's permissions) when something recorded changed: what each changed
    field was and became. Nothing changed, no row."""
    changed = sorted(
        key for key in before.keys() | after.keys() if before.get(key) != after.get(key)
    )
    if not changed:
        return None
    return audit_record(
        actor=actor,
        action=action,
        obj=obj,
        request=request,
        data={
            "changed": changed,
            "before": {key: before.get(key) for key in changed},
            "after": {key: after.get(key) for key in changed},
        },
    )


def audit_fields(obj: models.Model) -> dict[str, str]:
    """Every concrete field of `obj` as text (what audit_change compares for an
    edit made through a snippet's form)."""
    return {
        field.name: field.value_to_string(obj)
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }
