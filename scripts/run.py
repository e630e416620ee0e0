"""``make run``: the whole site locally, with its backing services.

Starts (or finds) PostgreSQL/SQLite and Redis via ``services.ensure_services``,
migrates, seeds the demo data, then runs the web server, a Celery worker and
Celery beat side by side, each output line prefixed with the child's name.
Ctrl-C or SIGTERM stops everything; if any child dies, the rest are stopped and
this exits non-zero.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

# Run as `python scripts/run.py`: make the sibling module importable either way,
# and the project's (accounts.demo holds the demo staff's second factor; no Django).
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from services import (
    PROJECT_ROOT,
    ServiceError,
    ensure_services,
    shielded,
    spawn,
    stop_process,
)

from accounts.demo import DEMO_RECOVERY_CODES, DEMO_TOTP_SECRET

ROOT = PROJECT_ROOT
DEMO_LOGINS = ("clinician@example.com", "instructor@example.com", "admin@example.com")
DEMO_STAFF = ("instructor@example.com", "admin@example.com")
STOP_TIMEOUT = 10.0

_output_lock = threading.Lock()


def log(message: str) -> None:
    with _output_lock:
        print(f"[run] {message}", file=sys.stderr, flush=True)


class Child:
    """A spawned process whose merged stdout/stderr is copied to ours, prefixed."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], width: int) -> None:
        self.name = name
        self.proc: subprocess.Popen[bytes] = spawn(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        assert self.proc.stdout is not None
        # Daemon: a grandchild that outlives the child must not keep us from exiting.
        self.pump = threading.Thread(
            target=_copy_prefixed, args=(self.proc.stdout, f"{name:<{width}} | "), daemon=True
        )
        self.pump.start()

    def stop(self) -> None:
        stop_process(self.proc, self.name, timeout=STOP_TIMEOUT)


def _copy_prefixed(stream: IO[bytes], prefix: str) -> None:
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        with _output_lock:
            sys.stdout.write(prefix + line + "\n")
            sys.stdout.flush()


def _stop_all(children: list[Child]) -> None:
    """Stop the children in parallel, so the slowest one sets the total time."""
    threads = [threading.Thread(target=child.stop) for child in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run_step(name: str, args: list[str], env: dict[str, str]) -> int:
    """Run a one-off command (migrate, seed) to completion, output prefixed."""
    child = Child(name, args, env, width=len(name))
    try:
        code = child.proc.wait()
    except BaseException:  # Ctrl-C / SIGTERM: it is in its own session, so stop it ourselves
        with shielded():
            child.stop()
        raise
    child.pump.join(timeout=2)
    return code


def _banner(port: str, services_env: dict[str, str], eager: bool) -> None:
    password = os.environ.get("DEMO_PASSWORD") or "practicum-demo"
    site = f"http://127.0.0.1:{port}"
    database = services_env.get("DATABASE_URL", "")
    database = "SQLite (var/db.sqlite3)" if database.startswith("sqlite") else "PostgreSQL"
    broker = (
        "none: Celery tasks run in-process (CELERY_TASK_ALWAYS_EAGER=true)"
        if eager
        else services_env.get("CELERY_BROKER_URL", "")
    )
    rule = "=" * 72
    lines = [
        rule,
        "Practicum is running",
        f"  Site:   {site}/",
        f"  Admin:  {site}/admin/",
        f"  Login:  {site}/accounts/login/",
        f"  Demo logins (password {password!r}):",
        *(
            f"    {login}" + ("  (staff: then a second step)" if login in DEMO_STAFF else "")
            for login in DEMO_LOGINS
        ),
        "  Staff's second step: a code from any authenticator app given the setup key",
        f"    {DEMO_TOTP_SECRET}",
        "    or a recovery code, each once per run: " + " ".join(DEMO_RECOVERY_CODES[:3]),
        f"  Database: {database}",
        f"  Broker:   {broker}",
        "  Ctrl-C stops everything.",
        rule,
    ]
    with _output_lock:
        print("\n".join(lines), flush=True)


def supervise(
    commands: dict[str, list[str]], env: dict[str, str], on_started: Callable[[], None]
) -> int:
    """Run the long-lived children until one exits (failure) or we are told to stop."""
    width = max(len(name) for name in commands)
    children: list[Child] = []
    try:
        for name, args in commands.items():
            children.append(Child(name, args, env, width))
        on_started()
        while True:
            for child in children:
                code = child.proc.poll()
                if code is not None:
                    log(f"{child.name} exited with code {code}: stopping the others")
                    return code or 1  # a child ending on its own is always a failure here
            time.sleep(0.2)
    finally:
        with shielded():
            log("stopping " + ", ".join(child.name for child in children))
            _stop_all(children)


def main() -> int:
    # Ctrl-C must stop everything even when we were started with SIGINT ignored
    # (as a shell does for a background job, `make run &`).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    port = os.environ.get("PORT", "8000")
    python = sys.executable
    try:
        with ensure_services(mode="run", root=ROOT) as services_env:
            env = {**os.environ, **services_env, "PYTHONUNBUFFERED": "1"}
            env.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
            (ROOT / "var").mkdir(exist_ok=True)

            for name, args in (
                ("migrate", [python, "manage.py", "migrate", "--noinput"]),
                ("seed_demo", [python, "manage.py", "seed_demo"]),
            ):
                code = run_step(name, args, env)
                if code != 0:
                    log(f"`manage.py {' '.join(args[2:])}` failed with exit code {code}")
                    return code

            eager = services_env.get("CELERY_TASK_ALWAYS_EAGER") == "true"
            # The autoreloader is kept on: it is what one wants in development, and
            # stop_process() also stops its child process.
            commands = {"web": [python, "manage.py", "runserver", f"127.0.0.1:{port}"]}
            if eager:
                log("no Celery broker: not starting a worker or beat; tasks run in-process")
            else:
                commands["worker"] = [
                    python, "-m", "celery", "-A", "cms", "worker",
                    "--loglevel=INFO", "--concurrency=2",
                ]  # fmt: skip
                commands["beat"] = [
                    python, "-m", "celery", "-A", "cms", "beat", "--loglevel=INFO",
                    "--schedule", str(ROOT / "var" / "celerybeat-schedule"),
                ]  # fmt: skip
            return supervise(commands, env, lambda: _banner(port, services_env, eager))
    except ServiceError as exc:
        log(f"error: {exc}")
        return 1
    except KeyboardInterrupt:
        log("stopped (Ctrl-C)")
        return 130
    except SystemExit as exc:  # SIGTERM, turned into SystemExit by ensure_services
        log(f"stopped (exit code {exc.code})")
        raise


if __name__ == "__main__":
    sys.exit(main())
