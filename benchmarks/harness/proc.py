"""CPU time from /proc (Linux), for the cluster benchmark's question of what
saturates first: every process's CPU seconds and parent, so a phase's CPU can be
split among process trees (a gunicorn master and its workers, a Celery worker
and its children) and set against what the whole machine spent."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Proc:
    ppid: int
    cpu: float  # user + system seconds
    command: str


def processes() -> dict[int, Proc]:
    """Every process now: pid → parent, CPU seconds, command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        found[int(entry.name)] = Proc(ppid=int(fields[1]), cpu=cpu, command=command.strip())
    return found


def descendants(snapshot: dict[int, Proc], roots: list[int]) -> set[int]:
    """The roots and every process below them."""
    children: dict[int, list[int]] = {}
    for pid, proc in snapshot.items():
        children.setdefault(proc.ppid, []).append(pid)
    found, stack = set(), [pid for pid in roots if pid in snapshot]
    while stack:
        pid = stack.pop()
        if pid not in found:
            found.add(pid)
            stack += children.get(pid, [])
    return found


def cpu_between(before: dict[int, Proc], after: dict[int, Proc], pids: set[int]) -> float:
    """CPU seconds the given processes (as found in ``after``) spent since ``before``;
    one that started meanwhile counts whole. One that ended meanwhile counts as far
    as ``after`` saw it: give it the last sample of every process taken during the
    interval (the cluster benchmark samples once a second), not only the final one."""
    return sum(
        after[pid].cpu - (before[pid].cpu if pid in before else 0.0) for pid in pids if pid in after
    )


def machine_cpu() -> tuple[float, float, float]:
    """(busy, total, interrupts) CPU seconds of the whole machine since boot, all
    cores; interrupts (hard and soft) are part of busy, and are where the kernel's
    own network work (the bridge, the veth pairs) is counted: no process owns it."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(fields[:8])  # guest time is already counted in user time
    idle = fields[3] + fields[4]  # idle + iowait
    return (total - idle) / TICKS, total / TICKS, (fields[5] + fields[6]) / TICKS


def runnable() -> int:
    """Processes running or ready to run this instant (the load average's sample)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("procs_running"):
            return int(line.split()[1])
    return 0
