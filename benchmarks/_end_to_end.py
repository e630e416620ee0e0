"""The end-to-end part of benchmarks/certificates.py: certificates per second
through a real 2-process Celery worker, real Redis and real PostgreSQL, in a
database of its own (created and dropped here). Not a benchmark script itself
(run_all skips modules whose name starts with "_")."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# BENCH_WORKER_LOGLEVEL=INFO keeps the worker's per-task timings (in its log,
# summarised at the end): for diagnosis, it slows the worker a little.
LOGLEVEL = os.environ.get("BENCH_WORKER_LOGLEVEL", "WARNING")
CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
POOL = os.environ.get("BENCH_WORKER_POOL", "prefork")
#: End-to-end runs without and with signing, alternated (issue 13: one run side by
#: side); three of each, so one disturbed round moves the 5 % comparison less.
ROUNDS = int(os.environ.get("BENCH_E2E_ROUNDS", "3"))


def _database_urls() -> tuple[str, str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practicum")
    if not base.startswith("postgres"):
        raise SystemExit("The end-to-end benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    head, _, name = base.rpartition("/")
    name = name.split("?")[0] or "practicum"
    bench_name = f"{name}_bench"
    return f"{head}/{bench_name}", f"{head}/postgres", bench_name


def _recreate_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_end_to_end(count: int) -> dict:
    bench_url, admin_url, bench_name = _database_urls()
    scratch = Path(tempfile.mkdtemp(prefix="practicum-bench-"))
    queue_name = f"practicum-bench-{uuid.uuid4().hex[:8]}"
    env = {
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "DATABASE_URL": bench_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue_name,
        "EMAIL_FILE_PATH": str(scratch / "mail"),
        "MEDIA_ROOT": str(scratch / "media"),
        "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
    }
    for folder in ("mail", "media", "private"):
        (scratch / folder).mkdir()
    os.environ.update(env)
    _recreate_database(admin_url, bench_name)
    worker = None
    try:
        import django

        django.setup()
        import logging

        # Quiet: page publishing chatter and the deliberately held certificates.
        logging.getLogger().setLevel(logging.WARNING)
        logging.getLogger("certificates.services").setLevel(logging.ERROR)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        worker_log = scratch / "worker.log"
        command = [
            sys.executable, "-m", "celery", "-A", "cms", "worker", f"--loglevel={LOGLEVEL}",
            f"--concurrency={CONCURRENCY}", f"--pool={POOL}", "-Q", queue_name,
            "-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=worker_log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        result = _measure(count, queue_name, worker_log, worker.pid)
        if LOGLEVEL == "INFO":
            _task_times(worker_log)
            if os.environ.get("BENCH_KEEP_LOG"):
                shutil.copy(worker_log, os.environ["BENCH_KEEP_LOG"])
        return result
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, 15)
            try:
                worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, 9)
        from django.db import connections

        connections.close_all()
        _purge_queue(queue_name)
        _drop_database(admin_url, bench_name)
        shutil.rmtree(scratch, ignore_errors=True)


def _tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def _task_times(worker_log: Path) -> None:
    import re

    times = sorted(
        float(t)
        for t in re.findall(
            r"certificates\.render\[[^\]]+\] succeeded in ([0-9.]+)s", worker_log.read_text()
        )
    )
    if times:
        print(
            f"worker task time: median {statistics.median(times) * 1000:.1f} ms, "
            f"p95 {times[int(len(times) * 0.95) - 1] * 1000:.1f} ms over {len(times)} tasks"
        )


def _purge_queue(queue_name: str) -> None:
    try:
        from cms.celery import app

        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge(queue_name)
    except Exception as exc:  # only tidiness
        print(f"could not purge {queue_name}: {exc}", file=sys.stderr)


def _measure(count: int, queue_name: str, worker_log: Path, worker_pid: int) -> dict:
    from django.db import transaction

    from certificates import services
    from certificates.models import Certificate
    from cms.celery import ping
    from courses.services import enrollment_create
    from tests.factories import AccreditorFactory, clinician, completion_record, course_build

    deadline = time.monotonic() + 90
    while True:  # ready once it answers a ping on our queue
        try:
            ping.apply_async(args=["ready"], queue=queue_name).get(timeout=5)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise SystemExit(f"the Celery worker did not start; see {worker_log}") from None

    apa = AccreditorFactory()
    course = course_build(accreditors=[apa])

    def completions(n, label):
        rows = []
        for i in range(n):
            user = clinician(full_name=f"Zoë Ñúñez {label} {i} 李小龙")
            enrollment = enrollment_create(user=user, course=course)
            rows.append(completion_record(enrollment=enrollment))
        return rows

    def wait_delivered(ids, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            left = Certificate.objects.filter(pk__in=ids, emailed_at__isnull=True).count()
            if left == 0:
                return time.perf_counter()
            time.sleep(0.02)
        raise SystemExit(f"{left} certificates were not delivered in {timeout}s")

    def end_to_end_run(label: str, *, sign: bool) -> dict:
        """Each completion's transaction issues its certificate, which is enqueued on
        commit; the worker renders, stores and emails it meanwhile. With `sign`, the
        issuing process also signs each certificate's Open Badge right after its
        transaction (what signing every credential eagerly would cost, on the same
        two cores; the site signs lazily, on first request)."""
        from certificates.badges import certificate_credential

        batch = completions(count, label)
        worker_cpu = _tree_cpu_seconds(worker_pid)
        own_cpu = time.process_time()
        start = time.perf_counter()
        ids = []
        for completion in batch:
            with transaction.atomic():
                issued_now = services.certificates_issue(completion=completion, accreditors=[apa])
            ids += [c.pk for c in issued_now]
            if sign:
                for certificate in issued_now:
                    certificate_credential(
                        certificate=certificate, verify_url=services.verify_url(certificate.number)
                    )
        issued = time.perf_counter()
        issue_cpu = time.process_time() - own_cpu
        finished = wait_delivered(ids)
        worker_cpu = _tree_cpu_seconds(worker_pid) - worker_cpu
        return {
            "issue_cpu_ms": issue_cpu / count * 1000,
            "worker_cpu_ms": worker_cpu / count * 1000,
            "count": count,
            "seconds": finished - start,
            "certificates_per_s": count / (finished - start),
            "issue_per_s": count / (issued - start),
        }

    # Side by side, alternating, so a change in the machine's load hits both alike.
    rounds = {"plain": [], "signed": []}
    for round_number in range(ROUNDS):
        rounds["plain"].append(end_to_end_run(f"e2e{round_number}", sign=False))
        rounds["signed"].append(end_to_end_run(f"sig{round_number}", sign=True))

    def mean(runs: list[dict]) -> dict:
        keys = ("issue_cpu_ms", "worker_cpu_ms", "certificates_per_s", "issue_per_s", "seconds")
        merged = {k: statistics.fmean(run[k] for run in runs) for k in keys}
        merged["count"] = runs[0]["count"]
        merged["rounds"] = [round(run["certificates_per_s"], 1) for run in runs]
        return merged

    end_to_end, end_to_end_signed = mean(rounds["plain"]), mean(rounds["signed"])

    # The worker alone: certificates already issued (held, so nothing was sent),
    # released and enqueued at once.
    apa.approval_end = dt.date(2021, 12, 31)
    apa.save()
    batch = completions(count, "worker")
    held = []
    for completion in batch:
        held += [
            c.pk for c in services.certificates_issue(completion=completion, accreditors=[apa])
        ]
    Certificate.objects.filter(pk__in=held).update(status="valid", hold_reason="")
    start = time.perf_counter()
    for pk in held:
        services.certificate_enqueue_render(certificate_id=pk)
    finished = wait_delivered(held)
    worker_only = {
        "count": count,
        "seconds": finished - start,
        "certificates_per_s": count / (finished - start),
    }
    assert Certificate.objects.filter(rendered_at__isnull=True).count() == 0
    return {
        "end_to_end": end_to_end,
        "end_to_end_signed": end_to_end_signed,
        "worker_only": worker_only,
    }
