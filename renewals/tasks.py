"""Thin Celery tasks: the reminders (Celery beat), the renewal packet and its
sweep. Each is safe to run twice (see the services they call)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from cms.task_retries import BEAT_TASK, TRANSIENT_ERRORS

from . import services


@shared_task(name="renewals.reminders_send", **BEAT_TASK)
def reminders_send() -> int:
    """Celery beat runs this several times a day (CELERY_BEAT_SCHEDULE)."""
    return services.reminders_send()


@shared_task(
    name="renewals.packet_build",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    max_retries=5,
    ignore_result=True,
)
def packet_build(packet_id: int) -> str:
    try:
        return services.packet_build(packet_id=packet_id)
    except TRANSIENT_ERRORS as exc:
        services.packet_failed(
            packet_id=packet_id, error=f"{type(exc).__name__}: {exc}", final=False
        )
        raise
    except Exception as exc:  # a template or data problem: retrying will not help
        services.packet_failed(
            packet_id=packet_id, error=f"{type(exc).__name__}: {exc}", final=True
        )
        raise


@shared_task(name="renewals.packets_sweep", acks_late=True, ignore_result=True)
def packets_sweep() -> int:
    return services.packets_sweep(
        min_age=timedelta(seconds=settings.RENEWAL_PACKET_SWEEP_MIN_AGE_SECONDS),
        max_attempts=settings.RENEWAL_PACKET_MAX_ATTEMPTS,
    )
