"""``make test``: pytest against real PostgreSQL and Redis.

``services.ensure_services(mode="test")`` finds the servers (or starts private
ones); pytest runs with their URLs and ``cms.settings.test``.

Without arguments, the whole suite runs in two passes: everything but the
browser journeys spread over one pytest-xdist process per core (at most
PRACTICUM_TEST_PROCESSES, default 2; each has its own test database, queue and
Celery worker), and the journeys in one process, since they share one seeded
site, server and browser. The two passes run at the same time: the journeys
spend most of their time waiting (for the browser, the server, the worker's
deliberately late render), so alongside the unit pass they add about a minute
instead of five. Their output goes to test-artifacts/browser-pass.log and is
printed when both have finished. PRACTICUM_TEST_TOGETHER=0 runs them one after
the other, with the journeys' output live. With arguments, one pytest run gets
them as they are.

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
BROWSER_LOG = PROJECT_ROOT / "test-artifacts" / "browser-pass.log"
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


def together(plan: list[list[str]]) -> bool:
    """Run the unit pass and the journeys at the same time (see the module's doc)?"""
    return len(plan) == 2 and os.environ.get("PRACTICUM_TEST_TOGETHER", "1") != "0"


def _start_pytest(args: list[str], env: dict[str, str], output=None) -> subprocess.Popen[bytes]:
    # Same process group as us, on purpose: a terminal Ctrl-C reaches pytest
    # directly and it reports and tears down as usual; `--pdb` keeps the tty.
    command = [sys.executable, "-m", "pytest", *args]
    log("running: pytest " + " ".join(args))
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if output else None,
    )


def _wait_pytest(procs: list[subprocess.Popen[bytes]]) -> list[int]:
    """Each process's exit code, in order; an interrupt is passed on to all of them."""
    try:
        codes = [proc.wait() for proc in procs]
    except KeyboardInterrupt:
        forward = None if _terminal_sent_it() else signal.SIGINT
        for proc in procs:
            _wait_after_interrupt(proc, forward=forward)
        raise
    except SystemExit:  # SIGTERM (see ensure_services): pass it on
        for proc in procs:
            _wait_after_interrupt(proc, forward=signal.SIGTERM)
        raise
    if NO_TESTS_COLLECTED in codes:
        log("pytest collected no tests (exit code 5): that counts as a failure")
    return codes


def _run_together(plan: list[list[str]], env: dict[str, str]) -> list[int]:
    """The unit pass on the terminal, the journeys into their log, at the same time."""
    unit, journeys = plan
    BROWSER_LOG.parent.mkdir(exist_ok=True)
    with BROWSER_LOG.open("wb") as output:
        started = [_start_pytest(journeys, env, output=output)]
        log(f"the browser journeys run alongside; their output follows at the end ({BROWSER_LOG})")
        started.insert(0, _start_pytest(unit, env))
        codes = _wait_pytest(started)
    log("the browser journeys' output:")
    sys.stdout.flush()
    sys.stdout.buffer.write(BROWSER_LOG.read_bytes())
    sys.stdout.flush()
    return codes


def main(argv: list[str]) -> int:
    codes = []
    try:
        with ensure_services(mode="test", root=PROJECT_ROOT) as services_env:
            env = {**os.environ, **services_env, "DJANGO_SETTINGS_MODULE": "cms.settings.test"}
            plan = passes(argv)
            if together(plan):
                codes = _run_together(plan, env)
            else:
                for args in plan:
                    codes += _wait_pytest([_start_pytest(args, env)])
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    failed = [code for code in codes if code != 0]
    if len(codes) > 1:
        names = ("unit pass", "browser journeys")
        log(
            ", ".join(
                f"{n} " + ("passed" if c == 0 else f"failed ({c})")
                for n, c in zip(names, codes, strict=True)
            )
        )
    return failed[0] if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
