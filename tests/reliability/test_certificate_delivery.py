"""A certificate survives a worker killed mid-render and a broker that is down at
completion: the record commits with the completion, and the periodic sweep
(Celery beat, every minute) enqueues whatever is still without a PDF."""

import logging
from datetime import timedelta

from celery.beat import Scheduler
from django.conf import settings
from django.utils import timezone

from certificates.models import Certificate
from certificates.tasks import certificates_sweep
from cms.celery import app
from tests.certificates.pdf import wait_for
from tests.certificates.worker import WORKER_TESTS, worker_drain
from tests.factories import clinician, course_completed_by
from tests.reliability.conftest import broker_unreachable

pytestmark = WORKER_TESTS


def _delivered(pk):
    certificate = Certificate.objects.get(pk=pk)
    return certificate if certificate.rendered_at and certificate.emailed_at else None


def test_beat_sends_the_sweep_each_minute_and_the_worker_delivers_a_stranded_certificate(
    drained_worker, mailbox, monkeypatch
):
    with broker_unreachable():  # the first enqueue is lost: only the sweep can deliver it
        enrollment, _ = course_completed_by(user=clinician())
    certificate = Certificate.objects.get(enrollment=enrollment)
    # Issued longer ago than the sweep waits for a first delivery.
    issued = timezone.now() - timedelta(seconds=settings.CERTIFICATE_SWEEP_MIN_AGE_SECONDS + 5)
    Certificate.objects.filter(pk=certificate.pk).update(issued_at=issued, queued_at=issued)

    # Celery beat's own scheduler on the project's schedule, as `celery -A cms beat` runs it.
    beat = Scheduler(app=app)
    try:
        (entry,) = [e for e in beat.schedule.values() if e.task == "certificates.sweep"]
        assert entry.task in app.tasks  # a name no worker knows would be sent and dropped
        # Just started: nothing is due, and beat next wakes a minute from now.
        assert 59 <= beat.tick() <= 60
        worker_drain()
        assert Certificate.objects.get(pk=certificate.pk).rendered_at is None

        with monkeypatch.context() as clock:
            now = app.now
            clock.setattr(app, "now", lambda: now() + timedelta(seconds=60))  # a minute later
            assert beat.tick() == 0  # beat sent the sweep to the broker
            assert 59 <= beat.tick() <= 60  # and the next sweep is a minute away again
        delivered = wait_for(lambda: _delivered(certificate.pk), what="the swept certificate")
    finally:
        beat.close()
    assert delivered.queued_at > issued  # enqueued again by the sweep
    assert len([m for m in mailbox() if certificate.number in m["Subject"]]) == 1


def test_a_worker_killed_mid_render_loses_nothing_once_a_worker_is_back(
    celery_worker, monkeypatch, mailbox
):
    # The session's worker is restarted slow (a test-only setting read by the task),
    # so that it can be killed while it renders.
    celery_worker.stop()
    monkeypatch.setenv("CERTIFICATE_RENDER_TEST_DELAY", "30")
    celery_worker.start()
    try:
        enrollment, _ = course_completed_by(user=clinician())
        certificate = Certificate.objects.get(enrollment=enrollment)
        wait_for(
            lambda: Certificate.objects.get(pk=certificate.pk).render_attempts == 1,
            what="the worker to start rendering",
        )
        celery_worker.kill()  # SIGKILL to the worker and its pool process
        certificate.refresh_from_db()
        assert certificate.rendered_at is None and not certificate.pdf
        assert certificate.emailed_at is None
    finally:
        monkeypatch.delenv("CERTIFICATE_RENDER_TEST_DELAY")
        celery_worker.start()  # a worker at normal speed again, for this and later tests

    # What beat runs every minute; min age 0 so the test need not wait that minute.
    certificates_sweep.delay(0)
    delivered = wait_for(lambda: _delivered(certificate.pk), what="the swept certificate")
    assert delivered.render_attempts == 2
    assert len([m for m in mailbox() if certificate.number in m["Subject"]]) == 1
    worker_drain()


class _Recorder(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_completion_while_the_broker_is_down_is_rendered_once_it_is_back(drained_worker, mailbox):
    recorder = _Recorder()
    logger = logging.getLogger("certificates.services")
    logger.addHandler(recorder)
    try:
        with broker_unreachable():
            # The completion still commits: enqueueing after commit fails, is logged, no error.
            enrollment, completion = course_completed_by(user=clinician())
    finally:
        logger.removeHandler(recorder)
    certificate = Certificate.objects.get(enrollment=enrollment)
    assert completion.pk is not None
    assert certificate.status == Certificate.Status.VALID
    assert f"Could not enqueue rendering of certificate {certificate.pk}; the sweep will retry" in (
        recorder.messages
    )
    worker_drain()  # nothing was sent: the worker has nothing for it
    certificate.refresh_from_db()
    assert certificate.rendered_at is None

    certificates_sweep.delay(0)
    delivered = wait_for(lambda: _delivered(certificate.pk), what="the swept certificate")
    assert delivered.queued_at > certificate.queued_at  # enqueued by the sweep
    assert len([m for m in mailbox() if certificate.number in m["Subject"]]) == 1


def test_a_mail_outage_during_delivery_delays_only_the_email_and_nothing_is_stranded(
    celery_worker, monkeypatch, mailbox, client
):
    from tests.factories import staff_user

    # The session's worker is restarted with its mail server down (a closed port).
    celery_worker.stop()
    monkeypatch.setenv("TEST_SMTP_PORT", "1")
    celery_worker.start()
    try:
        enrollment, _ = course_completed_by(user=clinician())
        number = Certificate.objects.get(enrollment=enrollment).number
        retried = wait_for(
            lambda: Certificate.objects.filter(number=number, email_attempts__gte=2).first(),
            what="the email to be refused and retried",
        )
        # The PDF is stored and committed: downloadable and verifiable during the outage.
        assert retried.rendered_at and retried.pdf and retried.emailed_at is None
        assert "ConnectionRefusedError" in retried.last_error
        assert retried.render_error == retried.email_error == ""
        verify = client.get(f"/verify/{number}/")
        assert verify.status_code == 200 and number in verify.content.decode()
        client.force_login(retried.user)
        assert client.get(f"/certificates/{number}/pdf/").status_code == 200
        status = client.get(f"/certificates/status/{enrollment.pk}/").json()
        assert status["certificates"][0]["message"] == "Ready to download. Email pending."
        client.force_login(staff_user(group="Administrators"))
        assert "1 certificate email pending" in client.get("/admin/").content.decode()
    finally:
        monkeypatch.delenv("TEST_SMTP_PORT")
        celery_worker.stop()
        celery_worker.start()  # mail is back

    # The email task's own retries, or the sweep beat runs: the email goes out once.
    certificates_sweep.delay(0)
    delivered = wait_for(
        lambda: Certificate.objects.filter(number=number, emailed_at__isnull=False).first(),
        what="the email once mail is back",
    )
    worker_drain()
    assert len([m for m in mailbox() if number in m["Subject"]]) == 1
    assert delivered.render_attempts == 1 and delivered.last_error == ""
    assert delivered.events.filter(action="rendered").count() == 1
    assert delivered.events.filter(action="emailed").count() == 1
    assert "certificate email pending" not in client.get("/admin/").content.decode()
