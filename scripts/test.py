"""``make test``: pytest against real PostgreSQL and Redis.

``services.ensure_services(mode="test")`` finds the servers (or starts private
ones); pytest runs with their URLs and ``cms.settings.test``.

Without arguments, the whole suite runs in two passes: everything but the
browser journeys spread over one pytest-xdist process per core (at most
PRACTICUM_TEST_PROCESSES, default 2; each has its own test database, queue and
Celery worker), then the journeys in one process, since they share one seeded
site, server and browser. With arguments, one pytest run gets them as they are.

The exit code is the first failing pass's; "no tests collected" (5) counts as a
failure, as any non-zero code does.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

# Run as `python scripts/test.py`: make the sibling module importable either way.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from services import PROJECT_ROOT, ServiceError, ensure_services, shielded

# Time pytest gets to tear down (drop the test database, stop fixtures) when interrupted.
GRACE = 30.0
NO_TESTS_COLLECTED = 5


def log(message: str) -> None:
    print(f"[test] {message}", file=sys.stderr, flush=True)


def _terminal_sent_it() -> bool:
    """Did a terminal Ctrl-C (sent to our whole process group, pytest included) do it?"""
    try:
        return os.tcgetpgrp(sys.stdin.fileno()) == os.getpgrp()
    except (OSError, ValueError):
        return False


def _wait_after_interrupt(proc: subprocess.Popen[bytes], forward: int | None) -> None:
    """Give pytest time to finish after an interrupt, then make sure it is gone."""
    with shielded():
        if forward is not None and proc.poll() is None:
            proc.send_signal(forward)
        try:
            proc.wait(GRACE)
        except subprocess.TimeoutExpired:
            log(f"pytest did not stop within {GRACE:.0f} s: killing it")
            proc.kill()
            proc.wait()


def passes(argv: list[str]) -> list[list[str]]:
    """The pytest argument lists to run, in order."""
    if argv:
        return [argv]
    limit = int(os.environ.get("PRACTICUM_TEST_PROCESSES") or 2)
    processes = max(1, min(limit, os.cpu_count() or 1))
    spread = ["-n", str(processes)] if processes > 1 else []
    return [[*spread, "--ignore=tests/browser"], ["tests/browser"]]


def _run_pytest(args: list[str], env: dict[str, str]) -> int:
    # Same process group as us, on purpose: a terminal Ctrl-C reaches pytest
    # directly and it reports and tears down as usual; `--pdb` keeps the tty.
    command = [sys.executable, "-m", "pytest", *args]
    log("running: pytest " + " ".join(args))
    proc = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env)
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        forward = None if _terminal_sent_it() else signal.SIGINT
        _wait_after_interrupt(proc, forward=forward)
        raise
    except SystemExit:  # SIGTERM (see ensure_services): pass it on
        _wait_after_interrupt(proc, forward=signal.SIGTERM)
        raise
    if code == NO_TESTS_COLLECTED:
        log("pytest collected no tests (exit code 5): that counts as a failure")
    return code


def main(argv: list[str]) -> int:
    codes = []
    try:
        with ensure_services(mode="test", root=PROJECT_ROOT) as services_env:
            env = {**os.environ, **services_env, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
            for args in passes(argv):
                codes.append(_run_pytest(args, env))
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    failed = [code for code in codes if code != 0]
    if len(codes) > 1:
        log("passes: " + ", ".join("passed" if c == 0 else f"failed ({c})" for c in codes))
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
