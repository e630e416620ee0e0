"""Thin Celery tasks: take ids, call one service, own the retries.

Every task is safe to run twice: each delivery stage (render and store, then
email) checks its marker under a row lock, bulk items are marked done in the transaction that reissues them.
Late acknowledgement (settings: CELERY_TASK_ACKS_LATE) means a message
whose worker died is delivered again; the sweep covers the rest.
"""

import logging
import time
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from cms.task_retries import BEAT_TASK, TRANSIENT_ERRORS

from . import services

logger = logging.getLogger(__name__)


def _test_delay(setting: str) -> None:
    # Only cms/settings/test.py defines these (from environment variables), so the
    # reliability tests can kill a worker in the middle of a render, an email or a
    # bulk job (tests/reliability).
    delay = getattr(settings, setting, 0)
    if delay:
        time.sleep(delay)


#: Each delivery stage's task: redelivered if its worker dies, retried with backoff
#: on errors a later attempt may not meet (the sweep takes over after that).
DELIVERY_STAGE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 8,
    "ignore_result": True,
}


#: Seconds before the email task tries again an email the render task could not send.
EMAIL_RETRY_AFTER = DELIVERY_STAGE["retry_backoff"]


@shared_task(name="certificates.render", **DELIVERY_STAGE)
def certificate_render(certificate_id: int) -> str:
    """Render and store one certificate's PDF (committed on its own), then email
    it in the same task: handing a just stored PDF to the email task would cost a
    broker round trip and a second task per certificate (issue 19). An email that
    fails in a way a retry may cure goes to the email task, which retries it with
    backoff; the stored PDF is never undone by it."""
    stored = None
    if services.certificate_render_started(certificate_id=certificate_id):
        _test_delay("CERTIFICATE_RENDER_TEST_DELAY")
        try:
            stored = services.certificate_pdf_store_to_email(certificate_id=certificate_id)
        except TRANSIENT_ERRORS as exc:
            services.certificate_retry_note(certificate_id=certificate_id, error=_described(exc))
            raise
        except Exception as exc:  # a template or data problem: retrying will not help
            services.certificate_render_failed(certificate_id=certificate_id, error=_described(exc))
            raise
    if stored is not None:
        # The store's transaction counted this email attempt and started the sweep's
        # clock for the email stage.
        try:
            return _email_counted(certificate_id, stored=stored)
        except TRANSIENT_ERRORS:  # noted by _email_counted: the email task takes over
            services.certificate_enqueue_email(
                certificate_id=certificate_id, mark=False, countdown=EMAIL_RETRY_AFTER
            )
            return "email queued"
        except Exception:  # recorded by _email_counted for the administrator
            logger.exception("Certificate %s: stored, but its email failed", certificate_id)
            return "email failed"
    if not services.certificate_email_due(certificate_id=certificate_id):
        return "nothing to do"
    services.certificate_enqueue_email(certificate_id=certificate_id)
    return "email queued"


@shared_task(name="certificates.email", **DELIVERY_STAGE)
def certificate_email(certificate_id: int) -> str:
    """Email one stored certificate. A mail server that is down delays only this:
    the PDF is stored and verifiable already."""
    if not services.certificate_email_started(certificate_id=certificate_id):
        return "nothing to do"
    return _email_counted(certificate_id)


def _email_counted(certificate_id: int, stored=None) -> str:
    """Send the email whose attempt was counted; keep the error of one that fails
    (a retry may cure it, or not) and raise it."""
    _test_delay("CERTIFICATE_EMAIL_TEST_DELAY")
    try:
        return services.certificate_email_deliver(certificate_id=certificate_id, stored=stored)
    except TRANSIENT_ERRORS as exc:
        services.certificate_retry_note(certificate_id=certificate_id, error=_described(exc))
        raise
    except Exception as exc:  # e.g. a template error: retrying will not help
        services.certificate_email_failed(certificate_id=certificate_id, error=_described(exc))
        raise


@shared_task(name="certificates.notice", **DELIVERY_STAGE)
def certificate_notice(event_id: int) -> str:
    """Email the clinician about a revocation or restoration, once (notices)."""
    return services.certificate_notice_send(event_id=event_id)


def _described(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


@shared_task(name="certificates.sweep", **BEAT_TASK)
def certificates_sweep(min_age_seconds: float | None = None) -> int:
    """Celery beat runs this every minute (CELERY_BEAT_SCHEDULE)."""
    if min_age_seconds is None:
        min_age_seconds = settings.CERTIFICATE_SWEEP_MIN_AGE_SECONDS
    min_age = timedelta(seconds=min_age_seconds)
    count = services.certificates_sweep(
        min_age=min_age, max_attempts=settings.CERTIFICATE_MAX_DELIVERY_ATTEMPTS
    )
    count += services.bulk_jobs_sweep(min_age=min_age)
    count += services.notices_sweep(min_age=min_age)
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
    job = services.bulk_job_process(
        job_id=job_id, after_item=lambda: _test_delay("BULK_JOB_TEST_DELAY")
    )
    return job.done
