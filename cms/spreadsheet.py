"""The spreadsheet exports (certificates, roster, accreditor report,
evaluations, the audit log): one rule for their cells, and one writer per
format, CSV and XLSX, fed the same lines.

**Formulas.** A cell that starts like a formula (``=``, ``+``, ``-``, ``@``, a
tab or a carriage return) would be run by a spreadsheet that opens the file, so
a name such as ``=HYPERLINK("http://evil.example")`` could act on the reader's
machine (OWASP's "CSV injection"). In a CSV such text is kept as text with a
leading apostrophe, which spreadsheets hide; a number (negative ones included)
is written as it is, since it is no formula. An XLSX cell has a type: such text
is written as a string cell (never a formula) marked "quote prefix", so that
editing the cell in Excel or LibreOffice keeps it text; its value is the text
itself, unchanged.

**Memory.** Both writers take an iterator of lines (the first is the header) and
hold one line at a time: the CSV streams as it is written, the XLSX is written
by openpyxl in write-only mode to a temporary file, then streamed from it.

**Values.** None is an empty cell. In a CSV every value is text (dates as
YYYY-MM-DD, times in ISO 8601); in an XLSX numbers stay numbers, dates dates,
date-times the site's local time to the second, and text (license numbers with leading
zeros too) stays text.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO

from django.db import models
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The most characters Excel shows in one cell; longer text is cut there.
XLSX_CELL_MAX = 32767

#: Called once an export's rows are written: `rows` data rows (the header not
#: counted), `complete` False when the download stopped before the end.
OnDone = Callable[..., object]


class SpreadsheetFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"


def spreadsheet_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_START)


def spreadsheet_text(text: str) -> str:
    """Text for a CSV cell: formula-like text keeps a leading apostrophe."""
    return "'" + text if spreadsheet_formula_like(text) else text


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)  # a number, negative ones too, is never a formula
    return spreadsheet_text(value.isoformat() if hasattr(value, "isoformat") else str(value))


class _Echo:
    def write(self, value):
        return value


def _csv_stream(lines: Iterable[list], on_done: OnDone | None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    written = 0
    finished = False
    try:
        yield "\ufeff"  # a BOM: Excel reads the file as UTF-8
        for line in lines:
            text = writer.writerow([csv_cell(value) for value in line])
            written += 1  # counted once handed to the server
            yield text
        finished = True
    finally:
        if on_done is not None:
            on_done(rows=max(written - 1, 0), complete=finished)


def csv_response(
    *, lines: Iterable[list], filename: str, on_done: OnDone | None = None
) -> StreamingHttpResponse:
    """`lines` (the header first) as a streamed UTF-8 CSV with a BOM. `on_done`
    runs when the last line has gone, or when the download stops early."""
    response = StreamingHttpResponse(
        _csv_stream(lines, on_done), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _xlsx_text(text: str) -> str:
    # openpyxl on the first XLSX, not with this module (below).
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # Control characters other than tab and line breaks cannot be stored in XLSX.
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_CELL_MAX]


def _xlsx_cell(sheet, value):
    from openpyxl.cell import WriteOnlyCell  # on the first XLSX (xlsx_write)

    if value is None:
        return WriteOnlyCell(sheet, value=None)
    if isinstance(value, bool):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, int | float | Decimal):
        return WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        # XLSX keeps milliseconds at most; the sheet shows seconds.
        cell = WriteOnlyCell(sheet, value=local.replace(tzinfo=None, microsecond=0))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    text = _xlsx_text(str(value))
    cell = WriteOnlyCell(sheet, value=text)
    if cell.data_type == "f" or spreadsheet_formula_like(text):
        cell.data_type = "s"  # openpyxl takes "=..." for a formula: it is text here
        cell.quotePrefix = True
    return cell


def xlsx_write(lines: Iterable[list], file: IO[bytes], *, sheet_title: str = "Export") -> int:
    """Write `lines` (the header first) as one sheet of an XLSX workbook to
    `file`, in openpyxl's write-only mode (rows go to disk as they come).
    Returns the number of data rows."""
    # Imported on the first XLSX, not with this module: every admin page imports it,
    # and openpyxl costs a web process about 4 MB and 0.1-0.6 s it mostly never uses.
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    written = 0
    for line in lines:
        sheet.append([_xlsx_cell(sheet, value) for value in line])
        written += 1
    workbook.save(file)
    return max(written - 1, 0)


def xlsx_response(
    *,
    lines: Iterable[list],
    filename: str,
    on_done: OnDone | None = None,
    sheet_title: str = "Export",
) -> FileResponse:
    """`lines` as an XLSX file, built in a temporary file (deleted when the
    response is closed) and streamed from it."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        rows = xlsx_write(lines, file, sheet_title=sheet_title)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    if on_done is not None:
        on_done(rows=rows, complete=True)
    response = FileResponse(
        file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def spreadsheet_response(
    *,
    file_format: str,
    lines: Iterable[list],
    filename_stem: str,
    on_done: OnDone | None = None,
    sheet_title: str = "Export",
):
    """The CSV or XLSX response of `lines`, named `<filename_stem>.<format>`."""
    if file_format == SpreadsheetFormat.XLSX:
        return xlsx_response(
            lines=lines,
            filename=f"{filename_stem}.xlsx",
            on_done=on_done,
            sheet_title=sheet_title,
        )
    return csv_response(lines=lines, filename=f"{filename_stem}.csv", on_done=on_done)
