"""The pages that grow with the records, at scale (issue 19).

In a database of its own (``<name>_scale``): five published courses, one
certificate issued the ordinary way (its rows the template of every copy), then
benchmarks/harness/data.py adds 10,000 clinicians, 50,000 enrollments, 500,000
submitted post-test attempts and 30,000 completions with certificates by bulk
inserts. Measured before and after: the queries of a clinician's dashboard, a
course's roster (the audit report), its CSV export and the public verification
page (they must not change), the dashboard's time in the server (median of 30
requests through Django's test client; target ≤ 50 ms), and the plan
PostgreSQL chooses for each of their queries that reads a large table
(``EXPLAIN``: which index, or a sequential scan).

Run: ``.venv/bin/python benchmarks/scale.py`` (``make bench`` runs it too);
``--small`` for a tenth of the size. The attempts carry a one-question frozen
draw (the pages measured never read it), to keep the table at about 0.5 GB.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness.machine import load_average  # noqa: E402
from benchmarks.pages import database_recreate  # noqa: E402
from benchmarks.report import machine_description, report_publish, section_opening  # noqa: E402

SIZES = {"clinicians": 10_000, "enrollments": 50_000, "attempts": 500_000, "certificates": 30_000}
DASHBOARD_TARGET_MS = 50
NOTE = (
    "The roster export streams its rows from a server-side cursor, one fetch per chunk of "
    "rows: its queries grow with the course's enrollments by design; everything else in it "
    "is constant. The server times are from Django's test client on the test settings "
    "with production's caching (benchmarks.harness.scale_settings: sessions, the site cache "
    "and the user rows in Redis, as production keeps them)."
)
LARGE_TABLES = (
    "accounts_user",
    "courses_enrollment",
    "courses_coursecompletion",
    "quizzes_attempt",
    "certificates_certificate",
)


def database_urls() -> tuple[str, str, str]:
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practicum")
    if not base.startswith("postgres"):
        raise SystemExit("The scale benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    head, _, name = base.rpartition("/")
    name = f"{name.split('?')[0] or 'practicum'}_scale"
    return f"{head}/{name}", f"{head}/postgres", name


def measure(pages, *, repeat: int = 1):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = {}
    for name, (client, url, params) in pages.items():
        client.get(url, params)
        times, sql = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, params)
                if response.streaming:
                    b"".join(response.streaming_content)
                times.append(time.perf_counter() - start)
            assert response.status_code == 200, (name, response.status_code)
            sql = [q["sql"] for q in captured.captured_queries]
        results[name] = {"queries": len(sql), "ms": statistics.median(times) * 1000, "sql": sql}
    return results


def plans(sql: list[str]) -> list[str]:
    """One line per query that reads a large table: the scans PostgreSQL chose
    (for a prepared statement, the plan its EXECUTE uses: cms.prepared)."""
    from django.db import connection

    from cms.prepared import readable

    lines = []
    for statement in sql:
        text = readable(statement)  # an EXECUTE as its statement's SQL; None for a PREPARE
        if text is None:
            continue
        head = text.lstrip().split(None, 1)[0].upper()
        # Django quotes table names; a statement written by hand (the dashboard's) may not.
        if head not in ("SELECT", "WITH") or not any(
            re.search(rf"\b{t}\b", text) for t in LARGE_TABLES
        ):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + statement)
            plan = [row[0].strip() for row in cursor.fetchall()]
        scans = [
            step.split("  (")[0].lstrip("-> ").strip()
            for step in plan
            if "Scan" in step and any(t in step for t in LARGE_TABLES)
        ]
        if scans:
            lines.append("; ".join(dict.fromkeys(scans)))
    return list(dict.fromkeys(lines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a tenth of the size, not written")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    sizes = {k: v // 10 if args.small else v for k, v in SIZES.items()}
    database_url, admin_url, name = database_urls()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "benchmarks.harness.scale_settings",
            "DATABASE_URL": database_url,
            "BENCH_CACHE_PREFIX": f"bench-scale-{uuid.uuid4().hex[:8]}",
            "CELERY_TASK_ALWAYS_EAGER": "true",
        }
    )
    database_recreate(admin_url, name)
    try:
        import django

        django.setup()
        import logging

        logging.getLogger().setLevel(logging.WARNING)
        from django.core.management import call_command
        from django.test import Client
        from django.utils import timezone

        from benchmarks.harness.data import scale_data_add
        from tests.factories import certificate_issued, course_build, staff_user

        call_command("migrate", verbosity=0)
        certificate = certificate_issued()
        courses = [certificate.course.specific]
        courses += [course_build(title=f"Scale course {i}") for i in range(4)]
        clinician, admin = Client(), Client()
        clinician.force_login(certificate.user)
        admin.force_login(staff_user(group="Administrators"))
        period = {"course": certificate.course_id, "start": "2020-01-01",
                  "end": timezone.localdate().isoformat()}  # fmt: skip
        pages = {
            "dashboard": (clinician, "/dashboard/", {}),
            "course roster (audit report)": (admin, "/admin/audit-reports/roster/", period),
            "roster export (CSV)": (admin, "/admin/audit-reports/roster/csv/", period),
            "verify page": (Client(), f"/verify/{certificate.number}/", {}),
        }
        # Signing in saved the two users' rows: for 5 s after a save a person's row
        # is read from the database, not the user cache (cms.user_cache's
        # tombstone). Both measurements are of the steady state.
        from cms.user_cache import TOMBSTONE_SECONDS

        time.sleep(TOMBSTONE_SECONDS + 1)
        before = measure(pages, repeat=5)
        load_before = load_average()
        start = time.perf_counter()
        scale_data_add(
            template=certificate, courses=courses, questions=certificate_questions(certificate),
            **sizes,
        )  # fmt: skip
        generated_s = time.perf_counter() - start
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        after = measure(pages, repeat=30)
        load_after = load_average()
        body = report(before, after, sizes=sizes, generated_s=generated_s,
                      loads=(load_before, load_after))  # fmt: skip
        report_publish(section="scale", title="Pages at scale", body=body, write=not args.small)
    finally:
        if not args.keep:
            from django.db import connections

            connections.close_all()
            database_recreate(admin_url, name, drop_only=True)
    return 0


def certificate_questions(certificate) -> list:
    from quizzes.models import Attempt

    attempt = Attempt.objects.filter(enrollment=certificate.enrollment).first()
    return attempt.questions[:1]


def report(before, after, *, sizes, generated_s, loads) -> str:
    lines = [
        *section_opening(
            machine=machine_description(),
            command="make bench  (or: .venv/bin/python benchmarks/scale.py)",
            loads=loads,
            load_note=": the machine was shared with other work, so times are upper bounds.",
        ),
        "",
        f"Data: {sizes['clinicians']:,} clinicians, {sizes['enrollments']:,} enrollments over 5 "
        f"courses, {sizes['attempts']:,} submitted post-test attempts, {sizes['certificates']:,} "
        f"completions with certificates, added by bulk inserts in {generated_s:.0f} s "
        "(benchmarks/harness/data.py), then `ANALYZE`.",
        "",
        "| Page | Queries before | Queries at scale | | Server time at scale (median) |",
        "|---|---|---|---|---|",
    ]
    for name in before:
        same = before[name]["queries"] == after[name]["queries"]
        grew = after[name]["queries"] > before[name]["queries"]
        ms = after[name]["ms"]
        note = f"{ms:.1f} ms"
        if name == "dashboard":
            ok = ms <= DASHBOARD_TARGET_MS
            note += f" (target ≤ {DASHBOARD_TARGET_MS} ms: {'meets' if ok else '**misses**'})"
        lines.append(
            f"| {name} | {before[name]['queries']} | {after[name]['queries']} | "
            f"{'constant' if same else '**grew**' if grew else 'fell'} | {note} |"
        )
    lines += [
        "",
        NOTE,
        "",
        "Plans PostgreSQL chose at scale (`EXPLAIN`), for each query on a large table:",
        "",
    ]
    for name in after:
        lines.append(f"- {name}:")
        for plan in plans(after[name]["sql"]) or ["(no query on a large table)"]:
            lines.append(f"  - {plan}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
