"""``make reliability``: the fault drills of tests/reliability/test_drills.py at full scale
(DRILL_SCALE=full), with the same private services as ``make test``; each drill writes
its figures to a JSON file (DRILL_REPORT), and this script rewrites the section between
the drill markers of docs/reliability.md from them: drill, command, figures, date and
machine. Exit code: pytest's.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
BEGIN, END = "<!-- drills:begin -->", "<!-- drills:end -->"
COMMAND = "make reliability"

TITLES = {
    "worker_kills": "Worker kills at scale",
    "database_restart": "PostgreSQL restarted under load",
    "broker_outage": "The broker stopped during completions",
    "mail_outage": "Mail refusing during completions, then back",
    "soak": "Soak: mixed load on gunicorn and a worker",
}


def machine() -> str:
    cpus = os.cpu_count()
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        memory = 0
    return f"{platform.system()} {platform.machine()}, {cpus} CPUs, {memory:.0f} GB, Python {platform.python_version()}"


def section(results: dict, code: int) -> str:
    lines = [
        BEGIN,
        f"Last `{COMMAND}`: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; "
        f"pytest exit code {code}.",
        "",
    ]
    for key, title in TITLES.items():
        lines.append(f"### {title}")
        lines.append("")
        figures = results.get(key)
        if not figures:
            lines += ["Not run, or failed before its figures (see the run's output).", ""]
            continue
        lines += ["| figure | value |", "| --- | --- |"]
        lines += [f"| {name.replace('_', ' ')} | {value} |" for name, value in figures.items()]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "drills.json"
        env = {**os.environ, "DRILL_SCALE": "full", "DRILL_REPORT": str(report)}
        code = subprocess.call(
            [
                sys.executable,
                "scripts/test.py",
                "tests/reliability/test_drills.py",
                "tests/reliability/test_soak.py",
                "-p",
                "no:cacheprovider",
            ],
            cwd=ROOT,
            env=env,
        )
        results = json.loads(report.read_text()) if report.exists() else {}
    text = DOC.read_text()
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    DOC.write_text(head + section(results, code) + tail)
    print(json.dumps(results, indent=2))
    return code


if __name__ == "__main__":
    sys.exit(main())
