"""Thin Celery tasks of the reports app."""

import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import retention, services


@shared_task(name="reports.records_pseudonymise")
def records_pseudonymise() -> dict:
    """Weekly (CELERY_BEAT_SCHEDULE): records past the retention window lose
    their personal data. Safe to run twice."""
    return retention.records_pseudonymise()


#: A packet whose build shows no sign of life for this long is started again.
PACKET_STALL_SECONDS = 120


@shared_task(name="reports.packet_build", acks_late=True, reject_on_worker_lost=True)
def packet_build_task(packet_id: int) -> None:
    """Build an audit packet. A worker killed mid-build leaves the message
    unacknowledged (redelivered) and the parts made so far stored; the next run
    resumes there, as does the sweep."""
    delay = getattr(settings, "AUDIT_PACKET_TEST_DELAY", 0)

    def pause(_name):
        if delay:
            time.sleep(delay)

    try:
        services.packet_build(packet_id=packet_id, after_part=pause)
    except Exception as exc:
        services.packet_failed(packet_id=packet_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(name="reports.packets_sweep")
def packets_sweep() -> int:
    """Every few minutes: packets whose build stalled (a killed worker) are queued again."""
    stalled = services.packets_stalled(older_than=timedelta(seconds=PACKET_STALL_SECONDS))
    for packet_id in stalled:
        packet_build_task.delay(packet_id)
    return len(stalled)
