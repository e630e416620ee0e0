"""Fault drills with real processes (issue 20): a Celery worker killed again and again
while certificates are delivered, and the database out of reach under page load.

Small scale here (`make test`); `make reliability` runs them at full scale and writes
the figures to docs/reliability.md (see drills.py).
"""

import contextlib
import os
import random
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.db import OperationalError
from django.test import RequestFactory

from certificates.models import Certificate
from certificates.tasks import certificates_sweep
from cms.celery import app
from cms.errors import server_error
from tests.certificates.worker import worker_drain
from tests.conftest import ROOT, _worker_env
from tests.factories import clinician, course_build, course_completed_by

from .drills import (
    SCALE,
    CuttableProxy,
    Gunicorn,
    PrivateRedis,
    SmtpSink,
    free_port,
    poll,
    report,
)


def test_an_unreachable_database_is_a_503_and_any_other_error_a_500():
    request = RequestFactory().get("/")
    try:
        try:
            raise ConnectionRefusedError("connection refused")
        except ConnectionRefusedError as exc:
            raise OperationalError("could not connect to server") from exc
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "back in a moment" in response.content.decode()
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def sweep_until_emailed(certificates, *, timeout: float) -> bool:
    """Wait until every one of `certificates` is emailed, sending the sweep (what beat
    sends each minute) while some are not."""

    def done():
        if certificates.filter(emailed_at__isnull=True).exists():
            certificates_sweep.delay(0)
            time.sleep(1)
            return False
        return True

    return bool(poll(done, timeout=timeout, interval=0.5))


# --- Worker kills ----------------------------------------------------------------------------


def _delivered_count() -> int:
    return Certificate.objects.filter(rendered_at__isnull=False, emailed_at__isnull=False).count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_again_and_again_during_deliveries_loses_and_repeats_nothing(
    celery_worker, monkeypatch, mailbox
):
    completions, kills = SCALE["worker_kills"]["completions"], SCALE["worker_kills"]["kills"]
    course = course_build()
    rng = random.Random()
    # A worker slowed a little per render, so that kills land mid-render as often as not.
    celery_worker.stop()
    monkeypatch.setenv("CERTIFICATE_RENDER_TEST_DELAY", "0.4")
    celery_worker.start()
    killed_at: list[int] = []
    done = threading.Event()

    def restart():
        # Ready once its log says so: the usual ping would wait behind the whole backlog.
        readies = celery_worker.log_path.read_text(errors="replace").count("ready.")
        celery_worker.wait_ready = lambda timeout=60: poll(
            lambda: celery_worker.log_path.read_text(errors="replace").count("ready.") > readies,
            timeout=timeout,
        )
        try:
            celery_worker.start()
        finally:
            del celery_worker.wait_ready  # the class's own again

    def killer():
        for _ in range(kills):
            time.sleep(rng.uniform(0.5, 3.0))
            celery_worker.kill()  # SIGKILL to the worker and its pool child
            killed_at.append(_delivered_count_safe())
            restart()
        done.set()

    def _delivered_count_safe():
        from django.db import connection

        try:
            return _delivered_count()
        finally:
            connection.close()  # this thread's own connection

    started = time.monotonic()
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    enrollments = [
        course_completed_by(user=clinician(full_name=f"Clinician {i}"), course=course)[0]
        for i in range(completions)
    ]
    thread.join(timeout=900)
    assert done.is_set(), "the killer thread did not finish"

    # The last restart: a worker at normal speed, and the sweep beat would send each minute.
    celery_worker.stop()
    monkeypatch.delenv("CERTIFICATE_RENDER_TEST_DELAY")
    celery_worker.start()
    recovery_started = time.monotonic()

    def all_delivered():
        if _delivered_count() >= completions:
            return True
        certificates_sweep.delay(0)
        time.sleep(1)
        return False

    assert poll(all_delivered, timeout=120, interval=0.5), (
        f"{_delivered_count()} of {completions} delivered after the kills"
    )
    recovery = time.monotonic() - recovery_started
    worker_drain()

    certificates = list(Certificate.objects.filter(enrollment__in=enrollments))
    assert len(certificates) == completions  # exactly one per completion
    for certificate in certificates:
        assert certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name)
        assert certificate.pdf.read(5) == b"%PDF-"
    subjects = [m["Subject"] for m in mailbox()]
    emails = {c.number: sum(c.number in s for s in subjects) for c in certificates}
    duplicated = {n: k for n, k in emails.items() if k > 1}
    lost = [n for n, k in emails.items() if k == 0]
    assert not duplicated and not lost, f"duplicated {duplicated}, lost {lost}"
    report(
        "worker_kills",
        {
            "completions": completions,
            "kills": len(killed_at),
            "delivered_when_killed": killed_at,
            "renders_repeated": sum(c.render_attempts > 1 for c in certificates),
            "certificates": len(certificates),
            "pdfs_stored": len(certificates),
            "emails": sum(emails.values()),
            "duplicated": len(duplicated),
            "lost": len(lost),
            "seconds_total": round(time.monotonic() - started, 1),
            "seconds_to_deliver_after_last_restart": round(recovery, 1),
        },
    )


# --- The database out of reach ---------------------------------------------------------------


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:  # noqa: S310 (our server)
            return response.status, response.read(2000).decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read(4000).decode(errors="replace")
    except OSError as error:
        return 0, str(error)


@pytest.mark.django_db(transaction=True)
def test_the_database_out_of_reach_under_load_gets_503_pages_and_the_site_recovers(site_tree):
    outage, load = SCALE["database_outage"]["outage"], SCALE["database_outage"]["load"]
    course = course_build()
    db = settings.DATABASES["default"]
    proxy = CuttableProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    proxy.start()
    env = _worker_env(db["NAME"])
    env["DATABASE_URL"] = (
        f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
        f"@127.0.0.1:{proxy.port}/{db['NAME']}"
    )
    server = Gunicorn(env, ROOT)
    base = server.base
    pages = ["/courses/", course.url, "/verify/", "/accounts/login/"]
    samples: list[tuple[float, str, int, str]] = []
    try:
        assert poll(lambda: _get(base + "/courses/")[0] == 200, timeout=60), "gunicorn not up"
        started = time.monotonic()
        cut_at = restored_at = None
        while time.monotonic() - started < load:
            now = time.monotonic() - started
            if cut_at is None and now >= 2:
                proxy.cut()
                cut_at = now
            if cut_at is not None and restored_at is None and now >= cut_at + outage:
                proxy.restore()
                restored_at = now
            for page in pages:
                status, body = _get(base + page)
                samples.append((time.monotonic() - started, page, status, body))
            time.sleep(0.1)
    finally:
        proxy.stop()
        server.stop()

    by_status: dict[int, int] = {}
    for _, _, status, _ in samples:
        by_status[status] = by_status.get(status, 0) + 1
    assert 500 not in by_status and 0 not in by_status, f"answers by status: {by_status}"
    during = [s for s in samples if cut_at + 0.5 < s[0] < restored_at]
    # Pages that need no database (the sign-in and verify forms, for a visitor without a
    # session) still answer 200; the others answer the 503 page, never a 500.
    assert during and {status for _, _, status, _ in during} <= {200, 503}, by_status
    needs_db = [s for s in during if s[1] in ("/courses/", course.url)]
    assert needs_db and all(status == 503 for _, _, status, _ in needs_db), [
        (round(t, 2), p, st) for t, p, st, _ in needs_db if st != 503
    ]
    unavailable = [s for s in during if s[2] == 503]
    assert all("back in a moment" in body and "Traceback" not in body for *_, body in unavailable)
    after = [s for s in samples if s[0] > restored_at]
    first_ok = next(t for t, _, status, _ in after if status == 200)
    recovery = first_ok - restored_at
    assert recovery < 10, f"first 200 after {recovery:.1f} s"
    assert all(status == 200 for t, _, status, _ in after if t > restored_at + 10)
    report(
        "database_outage",
        {
            "outage_seconds": outage,
            "load_seconds": load,
            "requests": len(samples),
            "answers_by_status": by_status,
            "requests_during_outage": len(during),
            "answered_503_during_outage": len(unavailable),
            "seconds_to_first_200_after": round(recovery, 2),
        },
    )


# --- Mail refusing, then back -----------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_mail_refusing_during_completions_delays_only_the_emails_each_sent_once_when_back(
    celery_worker, monkeypatch, client, settings
):
    completions, outage = SCALE["mail_outage"]["completions"], SCALE["mail_outage"]["outage"]
    settings.CERTIFICATE_VERIFY_RATE_LIMIT = (10 * completions, 600)  # this client checks all
    port = int(os.environ.get("TEST_SMTP_PORT") or 0) or free_port()
    sink = SmtpSink(port)  # not started: the worker's SMTP connections are refused
    course = course_build()
    celery_worker.stop()
    monkeypatch.setenv("TEST_SMTP_PORT", str(port))
    celery_worker.start()
    try:
        started = time.monotonic()
        enrollments = [
            course_completed_by(user=clinician(full_name=f"Mailed {i}"), course=course)[0]
            for i in range(completions)
        ]
        ours = Certificate.objects.filter(enrollment__in=enrollments)
        # Meanwhile every PDF is stored and verifiable; no email has gone.
        assert poll(
            lambda: ours.filter(rendered_at__isnull=False).count() == completions,
            timeout=60 + completions,
        ), "PDFs not stored during the mail outage"
        for certificate in ours:
            assert client.get(f"/verify/{certificate.number}/").status_code == 200
        time.sleep(max(0.0, started + outage - time.monotonic()))
        refused = ours.filter(email_attempts__gte=1).count()
        assert not ours.filter(emailed_at__isnull=False).exists()
        assert not sink.messages
        sink.start()  # mail is back, the worker untouched
        back = time.monotonic()

        assert sweep_until_emailed(ours, timeout=120 + completions), "emails not all sent"
        recovery = time.monotonic() - back
        worker_drain()
    finally:
        sink.stop()
        monkeypatch.delenv("TEST_SMTP_PORT")
        celery_worker.stop()
        celery_worker.start()
    subjects = [m["Subject"] for m in sink.messages]
    sent = {c.number: sum(c.number in s for s in subjects) for c in ours}
    assert all(count == 1 for count in sent.values()), sent
    report(
        "mail_outage",
        {
            "completions": completions,
            "outage_seconds": outage,
            "pdfs_stored_and_verified_during_outage": completions,
            "certificates_refused_by_mail_during_outage": refused,
            "emails_sent_once_back": sum(sent.values()),
            "duplicated": sum(count > 1 for count in sent.values()),
            "lost": sum(count == 0 for count in sent.values()),
            "seconds_to_all_emails_after_mail_back": round(recovery, 1),
        },
    )


# --- The broker stopped -----------------------------------------------------------------------


@contextlib.contextmanager
def broker_at(url: str, settings):
    """This process's Celery app, and workers started meanwhile, on the broker (and
    result store) at `url`; the usual ones again afterwards."""
    conf = app.conf
    saved = (conf.broker_url, conf.broker_write_url, conf.result_backend)

    def use(broker, write, results):
        conf.broker_url, conf.broker_write_url, conf.result_backend = broker, write, results
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    before = settings.CELERY_BROKER_URL
    settings.CELERY_BROKER_URL = url  # what tests.conftest hands the worker processes
    use(url, url, url)
    try:
        # Called once the broker is back: this process drops the connections (and the
        # result subscription) it held to the stopped server, as a web process would on
        # its next request, instead of waiting on a subscription the restart cut.
        yield lambda: use(url, url, url)
    finally:
        use(*saved)
        settings.CELERY_BROKER_URL = before


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_broker_stopped_during_completions_every_certificate_issued_once_it_is_back(
    celery_worker, mailbox, settings, tmp_path
):
    completions, outage = SCALE["broker_outage"]["completions"], SCALE["broker_outage"]["outage"]
    course = course_build()
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        with broker_at(redis.url, settings) as reconnect:
            celery_worker.stop()
            celery_worker.start()  # on the private broker
            redis.stop()
            down = time.monotonic()
            enrollments = []
            while time.monotonic() - down < outage or len(enrollments) < completions:
                user = clinician(full_name=f"Offline {len(enrollments)}")
                # The completion commits although its delivery cannot be enqueued.
                enrollments.append(course_completed_by(user=user, course=course)[0])
            took = time.monotonic() - down
            ours = Certificate.objects.filter(enrollment__in=enrollments)
            assert ours.count() == len(enrollments)
            assert not ours.filter(rendered_at__isnull=False).exists()
            redis.start()  # the same port, its append-only file
            reconnect()
            back = time.monotonic()

            assert sweep_until_emailed(ours, timeout=120 + 3 * len(enrollments)), (
                f"{ours.filter(emailed_at__isnull=False).count()} of {len(enrollments)} delivered"
            )
            recovery = time.monotonic() - back
            worker_drain()
            celery_worker.stop()
    finally:
        redis.stop()
        celery_worker.start()  # on the usual broker again
    subjects = [m["Subject"] for m in mailbox()]
    sent = {c.number: sum(c.number in s for s in subjects) for c in ours}
    assert all(count == 1 for count in sent.values()), sent
    report(
        "broker_outage",
        {
            "completions_while_broker_down": len(enrollments),
            "outage_seconds": round(took, 1),
            "completions_recorded": len(enrollments),
            "certificates_issued_once": ours.count(),
            "emails_sent_once": sum(sent.values()),
            "duplicated": sum(count > 1 for count in sent.values()),
            "lost": sum(count == 0 for count in sent.values()),
            "seconds_to_all_delivered_after_broker_back": round(recovery, 1),
        },
    )
