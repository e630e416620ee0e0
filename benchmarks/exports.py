"""Spreadsheet exports: 100,000 lines of the accreditor report's shape (17
columns: numbers, names, license numbers, dates, hours) written as CSV (the
stream a response sends) and as XLSX (openpyxl write-only, through a temporary
file), each in a fresh process, measuring its peak resident memory and time.

Target (issue 14): under 150 MB peak RSS for 100,000 rows; since a process with
Django and every app loaded is already about that size before the first row,
the memory the export adds is reported beside it (target: flat, under 20 MB).
The rows are made in
the process, one at a time, as the exports read them from the database (a
server-side cursor, in chunks: tests/cms/test_spreadsheet.py measures that part
with tracemalloc against real PostgreSQL).

Run: ``.venv/bin/python benchmarks/exports.py`` (or ``make bench``). Needs no
database. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.report import machine_description, report_publish, section_opening  # noqa: E402

TARGET_MB = 150
#: What "streamed" means here: the export's own memory stays flat.
TARGET_ADDED_MB = 20
HEADER = [
    "Provider number", "Course number", "Course title", "Certificate number", "First name",
    "Last name", "License number", "License state", "Profession", "Completion date",
    "General hours", "Ethics hours", "Cultural diversity hours", "Clinical supervision hours",
    "Other categories", "Total hours", "Reported on",
]  # fmt: skip


def lines(count: int):
    from decimal import Decimal

    yield HEADER
    day = dt.date(2026, 1, 1)
    for i in range(count):
        yield [
            "APA-1234", "APA-C-0042", "Understanding stuck treatments",
            f"PR-2026-{i:06d}-X7", f'Sam "{i}"', f"Okafor-Whitfield, {i}", f"{i:08d}", "CA",
            "Psychologist", day + dt.timedelta(days=i % 365), Decimal("1.50"), "", "", "",
            "=HYPERLINK(1)" if i % 1000 == 0 else "", Decimal("1.50"), None,
        ]  # fmt: skip


def child(file_format: str, count: int) -> None:
    """In a fresh process: write the export, print the measures as JSON."""
    import resource
    import tempfile
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")
    import django

    django.setup()
    from cms.spreadsheet import csv_response, xlsx_write

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryFile() as out:
        if file_format == "csv":
            for chunk in csv_response(lines=lines(count), filename="x.csv").streaming_content:
                out.write(chunk)
        else:
            xlsx_write(lines(count), out)
        size = out.tell()
    print(
        json.dumps(
            {
                "seconds": time.perf_counter() - start,
                "cpu": time.process_time() - cpu,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "baseline_mb": baseline,
                "size_mb": size / 2**20,
            }
        )
    )


def measure(file_format: str, count: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--child", file_format, "--count", str(count)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100_000, help="data rows")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--child", choices=["csv", "xlsx"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.count)
        return 0
    import openpyxl

    load_before = os.getloadavg()[0]
    results = {fmt: measure(fmt, args.count) for fmt in ("csv", "xlsx")}
    load_after = os.getloadavg()[0]
    rows = []
    for fmt, r in results.items():
        added = r["peak_mb"] - r["baseline_mb"]
        rows.append(
            f"| {args.count:,} rows as {fmt.upper()}: memory the export adds (peak RSS less "
            f"the process before writing) | {added:.0f} MB | < {TARGET_ADDED_MB} MB "
            f"| {'meets' if added < TARGET_ADDED_MB else 'MISSES'} | {r['seconds']:.1f} s "
            f"({r['cpu']:.1f} s CPU); file {r['size_mb']:.1f} MB |"
        )
        rows.append(
            f"| {args.count:,} rows as {fmt.upper()}: peak RSS of the process | "
            f"{r['peak_mb']:.0f} MB | < {TARGET_MB} MB "
            f"| {'meets' if r['peak_mb'] < TARGET_MB else 'misses'} "
            f"| {r['baseline_mb']:.0f} MB of it before the first row: Django with every app "
            "loaded, as in a web worker |"
        )
    load_note = "."
    if max(load_before, load_after) > 1.5:
        load_note = ": the machine was shared with other work, so times are upper bounds."
    body = "\n".join(
        [
            *section_opening(
                machine=f"{machine_description()}; openpyxl {openpyxl.__version__}",
                command="make bench  (or: .venv/bin/python benchmarks/exports.py)",
                loads=(load_before, load_after),
                load_note=load_note,
            ),
            "",
            "| Measure | Result | Target | | Detail |",
            "|---|---|---|---|---|",
            *rows,
            "",
            "Each format in a fresh process (`cms.spreadsheet`: the CSV as the response streams "
            "it, the XLSX by openpyxl in write-only mode into a temporary file); lines of the "
            "accreditor report's 17 columns, made one at a time. Reading them from PostgreSQL "
            "goes through a server-side cursor in chunks of 500 to 2,000 rows, measured in "
            "tests/cms/test_spreadsheet.py.",
        ]
    )
    report_publish(
        section="exports", title="Spreadsheet exports", body=body, write=not args.no_write
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
