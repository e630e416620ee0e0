"""Thin Celery tasks: take ids, call one service, own the retries.

Every task is safe to run twice: delivery checks its markers under a row
lock, bulk items are marked done in the transaction that reissues them.
Late acknowledgement (settings: CELERY_TASK_ACKS_LATE) means a message
whose worker died is delivered again; the sweep covers the rest.
"""

import smtplib
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from . import services

#: Errors that a later attempt may not meet: database, storage, mail server.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, smtplib.SMTPException)


def _test_delay() -> None:
    # Only cms/settings/test.py defines this (from an environment variable), so
    # the reliability tests can kill a worker in the middle of a render.
    delay = getattr(settings, "CERTIFICATE_RENDER_TEST_DELAY", 0)
    if delay:
        time.sleep(delay)


@shared_task(
    name="certificates.render",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=2,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=8,
    ignore_result=True,
)
def certificate_render(certificate_id: int) -> str:
    """Render, store and email one certificate."""
    if not services.certificate_render_started(certificate_id=certificate_id):
        return "nothing to do"
    _test_delay()
    try:
        return services.certificate_deliver(certificate_id=certificate_id)
    except TRANSIENT_ERRORS:
        raise
    except Exception as exc:  # a template or data problem: retrying will not help
        services.certificate_render_failed(
            certificate_id=certificate_id, error=f"{type(exc).__name__}: {exc}"
        )
        raise


@shared_task(
    name="certificates.sweep",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=3,
)
def certificates_sweep(min_age_seconds: float | None = None) -> int:
    """Celery beat runs this every minute (CELERY_BEAT_SCHEDULE)."""
    if min_age_seconds is None:
        min_age_seconds = settings.CERTIFICATE_SWEEP_MIN_AGE_SECONDS
    min_age = timedelta(seconds=min_age_seconds)
    count = services.certificates_sweep(
        min_age=min_age, max_attempts=settings.CERTIFICATE_MAX_DELIVERY_ATTEMPTS
    )
    count += services.bulk_jobs_sweep(min_age=min_age)
    return count


@shared_task(
    name="certificates.bulk_job_run",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    max_retries=8,
)
def bulk_job_run(job_id: int) -> int:
    job = services.bulk_job_process(job_id=job_id)
    return job.done
