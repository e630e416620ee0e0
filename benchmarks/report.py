"""docs/benchmarks.md holds one section per benchmark script, each between
markers, so every script rewrites only its own results."""

import datetime as dt
import os
import platform
from pathlib import Path

from benchmarks.harness.machine import cpu_name

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Written by the scripts in `benchmarks/` (`make bench` runs them all through
`benchmarks/run_all.py`); each script rewrites only its own section. Figures are
measured, not targets: a row that misses its target says so.
"""


def report_write(*, section: str, title: str, body: str, path: Path = DOC, level: int = 2) -> None:
    start, end = f"<!-- bench:{section} -->", f"<!-- /bench:{section} -->"
    block = f"{start}\n{'#' * level} {title}\n\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    if start in text and end in text:
        before, rest = text.split(start, 1)
        _, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def report_publish(*, section: str, title: str, body: str, write: bool = True) -> None:
    """Print a benchmark's section and, unless `write` is false (`--no-write`, a
    quick run), put it in its place in docs/benchmarks.md (report_write)."""
    print(body)
    if write:
        report_write(section=section, title=title, body=body)


def machine_description(*libraries: str) -> str:
    """The machine a section's figures were measured on, for its first line: the CPU,
    its cores, Python, then `libraries` ("typst-py 0.12") and the system."""
    facts = [f"{cpu_name()}, {os.cpu_count()} cores", f"Python {platform.python_version()}"]
    return "; ".join([*facts, *libraries, f"{platform.system()} {platform.release()}"])


def section_opening(
    *, machine: str, command: str, loads: tuple[float, float], load_note: str
) -> list[str]:
    """A section's first lines: when and on what `machine` (machine_description) the
    figures were measured, the `command`, and the load average before and after the
    run, followed by `load_note` ("." or ": the machine was shared ...")."""
    now = dt.datetime.now(dt.UTC)
    return [
        f"Measured {now:%Y-%m-%d %H:%M} UTC on {machine}.",
        f"Command: `{command}`.",
        f"Load average (1 min) {loads[0]:.2f} before, {loads[1]:.2f} after{load_note}",
    ]
