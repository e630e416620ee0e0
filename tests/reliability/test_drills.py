"""Fault drills with real processes (issue 20): a Celery worker killed again and again
mid-render, mid-email, mid-bulk-job and mid-packet build; a PostgreSQL of the drill's
own really stopped and started while pages are read and courses finished through the
web; mail refusing; the broker stopped.

Small scale here (`make test`); `make reliability` runs them at full scale and writes
the figures to docs/reliability.md (see drills.py).
"""

import contextlib
import os
import random
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.models import Count, Q, Sum
from django.test import RequestFactory
from django.utils import timezone

from certificates.models import Certificate
from certificates.tasks import certificates_sweep
from cms.celery import app
from cms.errors import server_error
from reports.selectors import Period
from tests.certificates.worker import worker_drain
from tests.conftest import ROOT, WorkerProcess, _worker_env
from tests.factories import clinician, course_build, course_completed_by

from .drills import (
    FULL,
    SCALE,
    Gunicorn,
    PrivateRedis,
    RestartablePostgres,
    SmtpSink,
    free_port,
    poll,
    report,
    request,
    session_of,
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

#: What the worker is doing when it is killed, in turn; each stage slowed by a test-only pause
#: (cms/settings/test.py) so that a kill lands inside it.
MOMENTS = ("render", "email", "bulk", "packet")
BACKLOG = 4  # certificates waiting for delivery before the next completion
PAUSES = {
    "CERTIFICATE_RENDER_TEST_DELAY": "0.4",  # after a render is counted, before the PDF
    "CERTIFICATE_EMAIL_TEST_DELAY": "0.4",  # after an email is counted, before it is sent
    "BULK_JOB_TEST_DELAY": "0.3",  # after each reissue of a bulk job
    "AUDIT_PACKET_TEST_DELAY": "0.5",  # after each part of an audit packet
}


class Moments:
    """Waits until the worker is in the middle of one kind of work, as the database
    shows it, and then says whether a kill landed there. The bulk job and the audit
    packet are asked for when first needed and sent again (as beat's sweeps would)
    after each kill."""

    def __init__(self, *, course, originals, admin):
        self.course, self.originals, self.admin = course, originals, admin
        self.job = self.packet = None
        self.kept_parts: dict[str, str] = {}  # packet parts stored before a kill

    def _started(self, attempts: str, done: str, before: dict):
        """A certificate whose stage was counted since `before` and is not done."""
        rows = Certificate.objects.values_list("pk", attempts, done)
        return next((pk for pk, n, at in rows if n > before.get(pk, 0) and at is None), None)

    def prepare(self, moment: str) -> dict:
        """Make sure the work is there (a bulk job or a packet not finished, asked for
        or sent again); what underway() compares with."""
        from certificates.models import BulkJobItem
        from certificates.services import bulk_job_enqueue, bulk_reissue_create
        from reports.models import AuditPacket
        from reports.services import packet_request
        from reports.tasks import packets_sweep

        since = {"wall": timezone.now()}
        if moment in ("render", "email"):
            field = f"{moment}_attempts"
            since["counts"] = dict(Certificate.objects.values_list("pk", field))
        elif moment == "bulk":
            if self.job is not None:
                self.job.refresh_from_db()
            if self.job is None or self.job.status == "done":
                taken = set(BulkJobItem.objects.values_list("certificate_id", flat=True))
                left = [c.pk for c in self.originals if c.pk not in taken]
                size = max(1, len(self.originals) // max(1, SCALE["worker_kills"]["kills"] // 4))
                if not left:
                    raise RuntimeError("every certificate delivered before was reissued already")
                self.job = bulk_reissue_create(certificate_ids=left[:size], actor=self.admin,
                                               reason="Drill: provider renamed", filters={})  # fmt: skip
            else:
                bulk_job_enqueue(job_id=self.job.pk)  # what the sweep does for a stalled job
        else:
            if self.packet is not None:
                self.packet.refresh_from_db()
            if self.packet is None or self.packet.status == AuditPacket.Status.READY:
                today = timezone.localdate()
                period = Period(start=today.replace(day=1), end=today)
                self.packet = packet_request(actor=self.admin, course=self.course, period=period)
            else:  # stalled for beat's two minutes, then swept
                AuditPacket.objects.filter(pk=self.packet.pk).update(
                    heartbeat_at=timezone.now() - timezone.timedelta(minutes=5)
                )
                packets_sweep.delay()
        return since

    def finished(self, moment: str) -> bool:
        """The bulk job or the packet got done before a kill could land in it."""
        if moment == "bulk":
            return self.job.status == "done"
        return moment == "packet" and self.packet.status == "ready"

    def underway(self, moment: str, since: dict):
        """What is being done right now (an id), or None."""
        if moment in ("render", "email"):
            done = "rendered_at" if moment == "render" else "emailed_at"
            return self._started(f"{moment}_attempts", done, since["counts"])
        if moment == "bulk":
            self.job.refresh_from_db()
            return self.job.pk if (self.job.status == "running" and self.job.done < self.job.total
                                   and self.job.heartbeat_at > since["wall"]) else None  # fmt: skip
        self.packet.refresh_from_db()
        building = self.packet.status == "building" and self.packet.heartbeat_at > since["wall"]
        return self.packet.pk if building and self.packet.steps_done >= 1 else None

    def wait(self, moment: str, *, stalled: float = 60):
        """underway() once it says so (a job or packet finished meanwhile is replaced by
        a new one); None once the worker has made no progress at all for `stalled`
        seconds (the backlog ahead of a bulk job or a packet may take a while)."""
        progress, last = None, time.monotonic()
        since = self.prepare(moment)
        while time.monotonic() - last < stalled:
            if pk := poll(lambda s=since: self.underway(moment, s), timeout=5, interval=0.05):
                return pk
            if self.finished(moment):
                since = self.prepare(moment)
            now = Certificate.objects.aggregate(
                r=Sum("render_attempts"), e=Sum("email_attempts"), d=Count("emailed_at")
            )
            if now != progress:
                progress, last = now, time.monotonic()
        return None

    def landed(self, moment: str, pk: int) -> bool:
        """After the kill: was that work left unfinished (the kill landed inside it)?"""
        if moment in ("render", "email"):
            done = "rendered_at" if moment == "render" else "emailed_at"
            return Certificate.objects.filter(pk=pk, **{f"{done}__isnull": True}).exists()
        if moment == "bulk":
            self.job.refresh_from_db()
            return self.job.status != "done"
        self.packet.refresh_from_db()
        self.kept_parts |= {f"{self.packet.pk}/{n}": d for n, d in self.packet.parts.items()}
        return self.packet.status != "ready"


def _delivered_count() -> int:
    return Certificate.objects.filter(rendered_at__isnull=False, emailed_at__isnull=False).count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_again_and_again_mid_render_email_bulk_job_and_packet_loses_and_repeats_nothing(
    celery_worker, monkeypatch, mailbox
):
    from certificates.models import BulkJob
    from reports.models import AuditPacket
    from reports.tasks import packets_sweep
    from tests.factories import staff_user
    from tests.reports.test_packet import check_manifest, read_zip

    scale = SCALE["worker_kills"]
    completions, kills = scale["completions"], scale["kills"]
    course = course_build()
    admin = staff_user(group="Administrators")
    # Certificates delivered before the drill, for its bulk reissues.
    old = [course_completed_by(user=clinician(full_name=f"Earlier {i}"), course=course)[0]
           for i in range(scale["reissued"])]  # fmt: skip
    assert poll(lambda: _delivered_count() == len(old), timeout=60 + 5 * len(old))
    originals = list(Certificate.objects.filter(enrollment__in=old).order_by("pk"))
    moments = Moments(course=course, originals=originals, admin=admin)
    rng = random.Random()
    celery_worker.stop()
    for name, value in PAUSES.items():
        monkeypatch.setenv(name, value)
    celery_worker.start()
    kills_by_moment = {m: {"kills": 0, "landed": 0} for m in MOMENTS}
    delivered_when_killed: list[int] = []
    failure: list[str] = []
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
        from django.db import connection

        try:
            for number in range(kills):
                moment = MOMENTS[number % len(MOMENTS)]
                for _ in range(3):  # a kill that missed its moment is tried again
                    pk = moments.wait(moment)
                    if pk is None:
                        failure.append(f"the worker never got to a {moment}")
                        return
                    time.sleep(rng.uniform(0, 0.15))  # somewhere inside it
                    celery_worker.kill()  # SIGKILL to the worker and its pool child
                    kills_by_moment[moment]["kills"] += 1
                    delivered_when_killed.append(_delivered_count())
                    landed = moments.landed(moment, pk)
                    restart()
                    certificates_sweep.delay(5)  # what beat sends each minute
                    if landed:
                        kills_by_moment[moment]["landed"] += 1
                        break
        except Exception as error:  # reported by the test below
            failure.append(repr(error))
        finally:
            connection.close()  # this thread's own connection
            done.set()

    started = time.monotonic()
    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    # Completions keep coming until the last kill (at least `completions`), each once
    # fewer than BACKLOG certificates wait for delivery: renders and emails to kill are
    # always at hand, and a bulk job or a packet never queues behind hundreds of them.
    enrollments = []
    deadline = time.monotonic() + 1800
    while (not done.is_set() or len(enrollments) < completions) and time.monotonic() < deadline:
        waiting = Certificate.objects.filter(
            status=Certificate.Status.VALID, emailed_at__isnull=True
        ).count()
        if waiting >= BACKLOG and not done.is_set():
            time.sleep(0.2)
            continue
        user = clinician(full_name=f"Clinician {len(enrollments)}")
        enrollments.append(course_completed_by(user=user, course=course)[0])
    thread.join(timeout=60)
    assert done.is_set() and not failure, failure or "the killer thread did not finish"

    # The last restart: a worker at normal speed, and the sweeps beat would send.
    celery_worker.stop()
    for name in PAUSES:
        monkeypatch.delenv(name)
    celery_worker.start()
    recovery_started = time.monotonic()

    def all_finished():
        certificates_left = Certificate.objects.filter(status=Certificate.Status.VALID).filter(
            Q(rendered_at__isnull=True) | Q(emailed_at__isnull=True)
        )
        jobs_left = BulkJob.objects.exclude(status=BulkJob.Status.DONE)
        packets_left = AuditPacket.objects.exclude(status=AuditPacket.Status.READY)
        if not (certificates_left.exists() or jobs_left.exists() or packets_left.exists()):
            return True
        certificates_sweep.delay(0)
        stalled = timezone.now() - timezone.timedelta(seconds=5)
        if packets_left.filter(heartbeat_at__lt=stalled).update(
            heartbeat_at=timezone.now() - timezone.timedelta(minutes=5)
        ):
            packets_sweep.delay()
        time.sleep(1)
        return False

    assert poll(all_finished, timeout=600 if FULL else 120, interval=0.5), (
        f"{_delivered_count()} certificates delivered after the kills"
    )
    recovery = time.monotonic() - recovery_started
    worker_drain()

    # Every completion: exactly one certificate; every bulk-reissued one: exactly one
    # replacement. Every certificate: its PDF stored and readable, exactly one email.
    certificates = list(Certificate.objects.all())
    for enrollment in enrollments:
        assert enrollment.certificates.count() == 1
    reissued = [c for c in originals if Certificate.objects.get(pk=c.pk).status == "reissued"]
    for original in originals:
        replacements = Certificate.objects.filter(supersedes=original)
        assert replacements.count() == (1 if original in reissued else 0)
        assert all(r.status == Certificate.Status.VALID for r in replacements)
    assert len(certificates) == len(enrollments) + len(originals) + len(reissued)
    for certificate in certificates:
        assert certificate.pdf and certificate.pdf.storage.exists(certificate.pdf.name)
        assert certificate.pdf.read(5) == b"%PDF-"
    subjects = [m["Subject"] for m in mailbox()]
    emails = {c.number: sum(c.number in s for s in subjects) for c in certificates}
    duplicated = {n: k for n, k in emails.items() if k > 1}
    lost = [n for n, k in emails.items() if k == 0]
    assert not duplicated and not lost, f"duplicated {duplicated}, lost {lost}"
    # Bulk jobs and audit packets killed midway resumed and finished, nothing twice.
    jobs = list(BulkJob.objects.all())
    assert jobs and all(j.status == "done" and j.done == j.total and not j.failed for j in jobs)
    assert sum(j.total for j in jobs) == len(reissued)
    packets = list(AuditPacket.objects.all())
    assert packets and all(p.status == AuditPacket.Status.READY for p in packets)
    for packet in packets:
        check_manifest(read_zip(packet))
        for name, digest in moments.kept_parts.items():
            if name.startswith(f"{packet.pk}/"):  # parts stored before a kill were kept
                assert packet.parts[name.split("/", 1)[1]] == digest
    for moment, counts in kills_by_moment.items():
        assert counts["landed"] >= 1, f"no kill landed mid-{moment}: {kills_by_moment}"
    report(
        "worker_kills",
        {
            "completions": len(enrollments),
            "kills": sum(c["kills"] for c in kills_by_moment.values()),
            "kills_by_moment_(landed_inside_it)": {
                m: f"{c['kills']} ({c['landed']})" for m, c in kills_by_moment.items()
            },
            "delivered_when_killed": delivered_when_killed,
            "renders_repeated": sum(c.render_attempts > 1 for c in certificates),
            "emails_attempted_again": sum(c.email_attempts > 1 for c in certificates),
            "certificates": len(certificates),
            "pdfs_stored": len(certificates),
            "emails": sum(emails.values()),
            "duplicated": len(duplicated),
            "lost": len(lost),
            "bulk_jobs_finished": len(jobs),
            "certificates_reissued_once": len(reissued),
            "audit_packets_ready": len(packets),
            "packet_parts_kept_across_kills": len(moments.kept_parts),
            "seconds_total": round(time.monotonic() - started, 1),
            "seconds_to_finish_everything_after_last_restart": round(recovery, 1),
        },
    )


# --- PostgreSQL restarted under load ----------------------------------------------------------


def _finisher(course, number: int) -> dict:
    """A clinician who has read every lesson and started the post-test: what is left
    (submitting it, then the evaluation and attestation, which complete the course and
    issue the certificate) is done through the web during the drill."""
    from courses.services import enrollment_create
    from quizzes.grading import answer_key
    from quizzes.selectors import claim_options, evaluation_items
    from quizzes.services import attempt_start
    from tests.factories import lessons_complete

    user = clinician(full_name=f"Restart {number}")
    enrollment = enrollment_create(user=user, course=course)
    lessons_complete(enrollment=enrollment)
    attempt = attempt_start(enrollment=enrollment)
    evaluation = {f"{item.kind}_{item.position}": "4" for item in evaluation_items(course=course)}
    evaluation |= {"relevance": "4", "content_quality": "4", "hours_accurate": "accurate",
                   "bias_noticed": "no", "attest": "on",
                   "claim": [str(o.accreditor.pk) for o in claim_options(enrollment=enrollment)
                             if o.matches_license]}  # fmt: skip
    return {
        "enrollment": enrollment.pk,
        "session": session_of(user),
        "steps": [
            (
                f"/learn/attempts/{attempt.pk}/submit/",
                {f"q-{q}": ids for q, ids in answer_key(attempt.questions).items()},
            ),
            (f"/learn/courses/{course.pk}/evaluation/", evaluation),
        ],
    }


def _finish(base: str, finisher: dict, answers: list, *, give_up: float) -> bool:
    """Post the finisher's steps as a person would: a step answered 503 (or not at all)
    is sent again a moment later; 302 is done, and so is 409 for a step sent again (its
    first try committed although its answer was lost). Every answer is kept in
    `answers` (time, path, status, body)."""
    for path, data in finisher["steps"]:
        tries = 0
        while True:
            status, body, _ = request(base, path, session=finisher["session"], data=data)
            answers.append((time.monotonic(), path, status, body))
            tries += 1
            if status == 302 or (status == 409 and tries > 1):
                break
            if status not in (0, 503) or time.monotonic() > give_up:
                return False
            time.sleep(0.5)
    return True


_INVARIANTS = {
    # A certificate of the drill's course without its completion, or of another enrollment.
    "certificates_without_their_completion": """
        select count(*) from certificates_certificate c
        left join courses_coursecompletion cc on cc.id = c.completion_id
        where c.course_id = %(course)s and (cc.id is null or cc.enrollment_id <> c.enrollment_id)""",
    "completions_without_a_passed_attempt": """
        select count(*) from courses_coursecompletion cc
        join courses_enrollment e on e.id = cc.enrollment_id and e.course_id = %(course)s
        where not exists (select 1 from quizzes_attempt a
                          where a.enrollment_id = cc.enrollment_id and a.passed)""",
    "completions_without_an_evaluation": """
        select count(*) from courses_coursecompletion cc
        join courses_enrollment e on e.id = cc.enrollment_id and e.course_id = %(course)s
        where not exists (select 1 from quizzes_evaluation v where v.enrollment_id = cc.enrollment_id)""",
    "completions_without_an_attestation": """
        select count(*) from courses_coursecompletion cc
        join courses_enrollment e on e.id = cc.enrollment_id and e.course_id = %(course)s
        where not exists (select 1 from quizzes_attestation t where t.enrollment_id = cc.enrollment_id)""",
    "completions_without_a_certificate": """
        select count(*) from courses_coursecompletion cc
        join courses_enrollment e on e.id = cc.enrollment_id and e.course_id = %(course)s
        where not exists (select 1 from certificates_certificate c where c.completion_id = cc.id)""",
    "certificates_issued_twice": """
        select count(*) from (select 1 from certificates_certificate where course_id = %(course)s
                              group by enrollment_id, accreditor_id having count(*) > 1) twice""",
}


@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_under_load_answers_503_loses_no_write_and_everything_recovers(
    site_tree, tmp_path
):
    import psycopg

    scale = SCALE["database_restart"]
    outage, load = scale["outage"], scale["load"]
    course = course_build()
    finishers = [_finisher(course, i) for i in range(scale["completions"])]
    reader = session_of(clinician(full_name="Restart reader"))
    db = settings.DATABASES["default"]
    source = (
        f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    with contextlib.ExitStack() as stack:
        postgres = RestartablePostgres(ROOT, stack)
        url = postgres.copy_of(source, "practicum_drill")
        env = _worker_env(db["NAME"]) | {
            "DATABASE_URL": url,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE + "-restart",
        }
        server = Gunicorn(env, ROOT)
        stack.callback(server.stop)
        worker = WorkerProcess("practicum_drill", tmp_path / "worker.log", env=env)
        stack.callback(worker.stop)
        worker.start()
        base = server.base
        assert poll(lambda: request(base, "/courses/")[0] == 200, timeout=60), "gunicorn not up"

        pages = [("/courses/", ""), (course.url, ""), ("/dashboard/", reader),
                 ("/verify/", ""), ("/accounts/login/", "")]  # fmt: skip
        samples: list[tuple[float, str, int, str]] = []
        answers: list[tuple[float, str, int, str]] = []
        finished: list[int] = []
        started = time.monotonic()

        def finish_all(share):
            # Spread over the load, so that some finish before, during and after the gap.
            for i, finisher in enumerate(share):
                time.sleep(max(0.0, started + (i + 0.5) * load / len(share) - time.monotonic()))
                if _finish(base, finisher, answers, give_up=started + load + 30):
                    finished.append(finisher["enrollment"])

        threads = [threading.Thread(target=finish_all, args=(finishers[i::2],)) for i in (0, 1)]
        for thread in threads:
            thread.start()
        stopped_at = restarting_at = back_at = None
        while time.monotonic() - started < load:
            now = time.monotonic()
            if stopped_at is None and now - started >= 2:
                postgres.stop()  # fast shutdown: transactions rolled back, clients cut off
                stopped_at = time.monotonic()
            if back_at is None and stopped_at is not None and now >= stopped_at + outage:
                # The gap ends when the start begins: the finishers' threads may reach the
                # server as soon as it accepts connections, before start() has seen it answer.
                restarting_at = time.monotonic()
                postgres.start()  # same data, same port; returns once it answers
                back_at, back_wall = time.monotonic(), timezone.now()
            for page, session in pages:
                status, body, _ = request(base, page, session=session, timeout=15)
                samples.append((time.monotonic(), page, status, body))
            time.sleep(0.1)
        for thread in threads:
            thread.join(timeout=120)

        # The worker: a certificate issued after the restart is rendered and stored (its
        # first task may meet a connection the restart cut, and then retries).
        def rendered_after_restart():
            with psycopg.connect(url) as conn:
                return conn.execute(
                    "select min(rendered_at) from certificates_certificate where rendered_at > %s",
                    [back_wall],
                ).fetchone()[0]

        first_render = poll(rendered_after_restart, timeout=60)
        assert first_render, "no certificate rendered after the restart"
        worker_back = (first_render - back_wall).total_seconds()

        def all_rendered():
            with psycopg.connect(url) as conn:
                left = conn.execute(
                    "select count(*) from certificates_certificate where rendered_at is null"
                ).fetchone()[0]
            if left:
                certificates_sweep.apply_async(args=[0], queue=worker.queue)
                time.sleep(1)
            return left == 0

        assert poll(all_rendered, timeout=120, interval=0.5), "certificates left unrendered"
        with psycopg.connect(url) as conn:
            broken = {
                name: conn.execute(query, {"course": course.pk}).fetchone()[0]
                for name, query in _INVARIANTS.items()
            }
            completions = conn.execute(
                "select count(*) from courses_coursecompletion cc join courses_enrollment e "
                "on e.id = cc.enrollment_id where e.course_id = %s",
                [course.pk],
            ).fetchone()[0]
        worker.stop()
        server.stop()

    everything = samples + answers
    by_status: dict[int, int] = {}
    for _, _, status, _ in everything:
        by_status[status] = by_status.get(status, 0) + 1
    assert 500 not in by_status and 0 not in {s for _, _, s, _ in samples}, by_status
    assert not [a for a in answers if a[2] not in (302, 409, 503, 0)], by_status
    # Answered while the server was down: after it stopped, before its start began.
    during = [s for s in everything if stopped_at + 0.5 < s[0] < restarting_at]
    # Pages that need no database (the sign-in and verify forms, for a visitor) still
    # answer 200; every other answer is the 503 page, never a 500 with a trace.
    needs_db = [s for s in during if s[1] not in ("/verify/", "/accounts/login/")]
    assert needs_db and all(status in (0, 503) for _, _, status, _ in needs_db), [
        (round(t - started, 2), p, st) for t, p, st, _ in needs_db if st not in (0, 503)
    ]
    unavailable = [s for s in everything if s[2] == 503]
    assert unavailable and all(
        "back in a moment" in body and "Traceback" not in body for *_, body in unavailable
    )
    # No partial writes, and none lost: every finisher's course is complete, once.
    assert sorted(finished) == sorted(f["enrollment"] for f in finishers)
    assert completions == len(finishers)
    assert broken == dict.fromkeys(_INVARIANTS, 0), broken
    # The site and the worker by themselves, within 10 s of the database being back.
    first_ok = min(t for t, page, status, _ in samples if t > back_at and status == 200
                   and page not in ("/verify/", "/accounts/login/"))  # fmt: skip
    web_back = first_ok - back_at
    assert web_back < 10, f"first page from the database {web_back:.1f} s after it was back"
    assert all(status == 200 for t, _, status, _ in samples if t > back_at + 10)
    assert worker_back < 10, f"first render {worker_back:.1f} s after the database was back"
    report(
        "database_restart",
        {
            "postgresql_stopped_seconds": round(back_at - stopped_at, 1),
            "load_seconds": load,
            "page_requests": len(samples),
            "completion_posts": len(answers),
            "answers_by_status": dict(sorted(by_status.items())),
            "answers_during_the_gap": len(during),
            "answered_503_during_the_gap": sum(s[2] == 503 for s in during),
            "courses_finished_through_the_web": len(finished),
            "completions_checked": completions,
            "partial_or_duplicated_writes": sum(broken.values()),
            "seconds_to_first_page_from_the_database_after": round(web_back, 2),
            "seconds_to_first_render_after": round(worker_back, 2),
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
