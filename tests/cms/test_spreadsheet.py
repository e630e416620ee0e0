"""cms.spreadsheet: the CSV and XLSX writers hold one line at a time (memory
measured with tracemalloc), keep formula-like text as text, and tell the caller
how many rows went out and whether the download finished."""

import csv
import io
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from audit.models import AuditAction, AuditEvent
from cms.spreadsheet import csv_response, xlsx_write
from tests.factories import client_reauthenticated, staff_user

ROWS = 5_000
#: Python allocations while writing ROWS lines (measured: under 0.5 MiB whatever
#: the count); the lines alone, held in a list, take about 3.5 MiB.
MEMORY_BOUND = int(1.5 * 1024 * 1024)


def lines(count: int):
    yield ["Participant", "License number", "Completion date", "Total hours", "Comment"]
    for i in range(count):
        yield [
            f'Okafor, Sam "{i}"',
            f"{i:07d}",
            date(2026, 1, 1),
            Decimal("1.50"),
            "=HYPERLINK(1)" if i % 1000 == 0 else "x" * 500,
        ]


def peak_while(run) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_csv_stream_holds_one_line_at_a_time():
    done = {}
    response = csv_response(
        lines=lines(ROWS), filename="x.csv", on_done=lambda **kw: done.update(kw)
    )
    size = 0

    def consume():
        nonlocal size
        for chunk in response.streaming_content:
            size += len(chunk)

    peak = peak_while(consume)
    assert size > ROWS * 500
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"
    assert done == {"rows": ROWS, "complete": True}


@pytest.mark.django_db  # closing a response ends the request: Django tidies connections
def test_a_csv_download_cut_short_is_reported_incomplete():
    done = {}
    response = csv_response(
        lines=lines(100), filename="x.csv", on_done=lambda **kw: done.update(kw)
    )
    stream = iter(response.streaming_content)
    for _ in range(11):  # the BOM, the header, nine lines
        next(stream)
    response.close()  # what the server does when the client goes away
    assert done == {"rows": 9, "complete": False}


def test_the_xlsx_is_written_row_by_row_through_a_file(tmp_path):
    path = tmp_path / "x.xlsx"
    with path.open("wb") as file:
        peak = peak_while(lambda: xlsx_write(lines(ROWS), file))
    assert peak < MEMORY_BOUND, f"{peak / 2**20:.1f} MiB"
    sheet = load_workbook(path, read_only=True).active
    first, second = list(sheet.iter_rows(min_row=2, max_row=3, values_only=True))
    assert first == ('Okafor, Sam "0"', "0000000", first[2], 1.5, "=HYPERLINK(1)")
    assert first[2].date() == date(2026, 1, 1)
    assert second[1] == "0000001"


def test_control_characters_xlsx_cannot_store_are_dropped_and_csv_keeps_them(tmp_path):
    path = tmp_path / "x.xlsx"
    with path.open("wb") as file:
        xlsx_write([["Comment"], ["bell\x07 and\ttab\nnewline"]], file)
    assert load_workbook(path).active["A2"].value == "bell and\ttab\nnewline"
    response = csv_response(lines=[["c"], ["a\x07b"]], filename="x.csv")
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body.lstrip("\ufeff")))) == [["c"], ["a\x07b"]]


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_from_the_database_streams_within_the_memory_bound(client, file_format):
    """5,000 audit rows of 4,000 characters (20 MB of text) through the admin's
    export: read from a server-side cursor in chunks of 500, written one line at
    a time, so the peak stays well under what the rows would take."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor_label=f"person{i}@example.org",
            action=AuditAction.CERTIFICATE_ISSUE,
            object_type="certificates.certificate",
            object_id=str(i),
            object_label=f"PR-2026-{i:05d} — Okafor, Sam",
            reason=f"{i:05d}" + "r" * 3995,
            data={"n": i},
        )
        for i in range(5000)
    )
    client.force_login(staff_user(group="Administrators"))
    client_reauthenticated(client)
    # Once before measuring: the first export imports its modules (openpyxl's writer).
    warm_up = client.get("/admin/audit-log/", {"export": file_format, "object_id": "1"})
    b"".join(warm_up.streaming_content)
    size = 0

    def download():
        nonlocal size
        response = client.get("/admin/audit-log/", {"export": file_format})
        assert response.status_code == 200
        for chunk in response.streaming_content:
            size += len(chunk)

    peak = peak_while(download)
    assert size > (5000 * 4000 if file_format == "csv" else 100_000)
    assert peak < 8 * 2**20, f"{peak / 2**20:.1f} MiB"
    # The 5,000 rows and the row that recorded the warm-up export.
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).first().data["rows"] == 5001
