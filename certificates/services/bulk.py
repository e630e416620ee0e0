"""Bulk reissue: a job of many certificates, run by a Celery task item by item,
each item in its own transaction so an interrupted job resumes where it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from cms.refusals import Refusal

from ..models import BulkJob, BulkJobItem, Certificate
from .admin_actions import certificate_reissue
from .base import reason_clean, task_send

#: Certificates a bulk job step reissues per transaction-free batch read.
BULK_BATCH = 50


def bulk_reissue_create(
    *, certificate_ids: list[int], actor, reason: str, filters: dict
) -> BulkJob:
    """A bulk reissue of the valid certificates among `certificate_ids`, run by a
    Celery task after commit."""
    reason = reason_clean(reason)
    with transaction.atomic():
        ids = list(
            Certificate.objects.filter(pk__in=certificate_ids, status=Certificate.Status.VALID)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not ids:
            raise Refusal("No valid certificate matches: nothing to reissue.")
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
    from ..tasks import bulk_job_run  # tasks import the services: a cycle

    if not task_send(bulk_job_run, job_id, what=f"bulk job {job_id}"):
        return False
    BulkJob.objects.filter(pk=job_id).update(heartbeat_at=timezone.now())
    return True


def bulk_job_process(
    *, job_id: int, limit: int | None = None, after_item: Callable[[], None] | None = None
) -> BulkJob:
    """Reissue the job's items not yet processed, each in its own transaction
    that also marks the item and counts it, so an interrupted job resumes with
    exactly the items that are left. `limit` stops after that many items;
    `after_item` is called after each one's commit."""
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
            if after_item is not None:
                after_item()
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
        except Refusal as exc:  # e.g. revoked since the job was created
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
