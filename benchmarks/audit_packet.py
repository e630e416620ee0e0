"""The audit packet of a course with 1,000 completions (issue 14): the whole
build (every part, then the ZIP and its manifest) timed in one process, as the
worker runs it. Target: under 60 s.

In a database of its own (``<name>_packet``): one certificate issued the
ordinary way, then benchmarks/harness/data.py copies it into 1,000 clinicians,
enrollments, attempts and completions with certificates on the same course.

Run: ``.venv/bin/python benchmarks/audit_packet.py`` (``make bench`` runs it
too). Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import scale  # noqa: E402
from benchmarks.harness.machine import load_average  # noqa: E402
from benchmarks.pages import database_recreate  # noqa: E402
from benchmarks.report import machine_description, report_publish  # noqa: E402

COMPLETIONS = 1_000
TARGET_S = 60


def _database() -> tuple[str, str]:
    """The scale benchmark's database URLs, renamed ``<name>_packet``; created empty."""
    database_url, admin_url, name = scale.database_urls()
    name = name.removesuffix("_scale") + "_packet"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="cms.settings.test",
        DATABASE_URL=database_url.rpartition("/")[0] + "/" + name,
        CELERY_TASK_ALWAYS_EAGER="true",
    )
    database_recreate(admin_url, name)
    return admin_url, name


def main() -> int:
    admin_url, name = _database()
    try:
        import logging

        import django

        django.setup()
        logging.getLogger().setLevel(logging.WARNING)
        from django.core.management import call_command
        from django.utils import timezone

        from benchmarks.harness.data import scale_data_add
        from reports import services
        from reports.models import AuditPacket
        from tests.factories import certificate_issued

        call_command("migrate", verbosity=0)
        certificate = certificate_issued()
        course = certificate.course.specific
        n = COMPLETIONS - 1
        scale_data_add(
            template=certificate, courses=[course], clinicians=n, enrollments=n,
            attempts=n, certificates=n,
        )  # fmt: skip
        today = timezone.localdate()
        packet = AuditPacket.objects.create(
            course=course, start=today.replace(month=1, day=1), end=today
        )
        load = load_average()
        start = time.perf_counter()
        packet = services.packet_build(packet_id=packet.pk)
        seconds = time.perf_counter() - start
        completions = course.enrollments.filter(completion__isnull=False).count()
        size_mb = packet.file.size / 1_000_000
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        verdict = "met" if seconds < TARGET_S else "MISSED"
        body = "\n".join(
            [
                f"Measured {now} on {machine_description()}; load {load:.2f} before.",
                "Command: `.venv/bin/python benchmarks/audit_packet.py` (or `make bench`).",
                "",
                "| Completions | Files | ZIP | Build | Target |",
                "|---|---|---|---|---|",
                f"| {completions:,} | {len(packet.parts) + 1} | {size_mb:.1f} MB | "
                f"{seconds:.1f} s | < {TARGET_S} s ({verdict}) |",
            ]
        )
        report_publish(section="audit-packet", title="Audit packet", body=body)
        return 0  # a missed target is reported in the row, not a failure
    finally:
        from django.db import connections

        connections.close_all()
        if "--keep" not in sys.argv:
            database_recreate(admin_url, name, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
