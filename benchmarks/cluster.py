"""Horizontal scale on one machine (issue 19, "More than one machine").

Two web hosts and two Celery worker hosts, each in a network namespace of its
own (benchmarks.harness.netns: a bridge 10.77.0.0/24 in the root namespace, a
veth pair and an address per host), one PostgreSQL and one Redis: the machine's
own, which listen on 127.0.0.1 only and are left exactly as they are (the test
suite may be using them); socat forwards the bridge's address to them, as a
deployment's hosts would reach a database server across the network. HAProxy
(Debian's) in front of the web hosts, as the TLS-terminating proxy
production.py expects: it sets X-Forwarded-Proto and appends X-Forwarded-For,
holds requests in its queue while both sync workers of a host are busy, and
takes a host out of service through its runtime socket, as in a rolling deploy.

The load, from the root namespace through HAProxy:

- wrk with a Lua script (benchmarks.harness.wrk.wrk_mix_script) sends the
  reading mix: anonymous visitors browsing (home, catalog, a course page) and
  signed-in clinicians reading a lesson, their dashboard and the lesson's
  heartbeat;
- meanwhile completer threads in this process take whole courses through the
  real HTTP views, one clinician after another: enroll, open and mark each
  lesson complete (with the page's served token), start the post-test, open
  it, submit it (the answer key is read from the attempt's row, as a clinician
  who knows the material), open the result and the evaluation, and post the
  evaluation and attestation. That request completes the course and issues the
  certificate; a worker host renders, stores and emails it.

Phases: the same load with one web host in service (the other in maintenance
in HAProxy) and with both, alternated over ``--rounds`` so that a change in
what else the machine runs hits both alike. Measured per phase: requests per
second (wrk's mix, the completers' requests, completions), the requests each
web host served (HAProxy's counters), the CPU of every part (from /proc:
each host's process tree, HAProxy, the forwards, PostgreSQL's backends of this
database, Redis, the load generators, and the rest of the machine), the
machine's busy share, runnable processes and load average. After the last
phase the queue is drained, then every completion is checked against the
certificates table and the workers' task log (benchmarks.harness.task_log:
which worker rendered each certificate): none lost, none duplicated, and the
time from completion to the PDF stored (p95 target ≤ 2 s, issue 19).

Isolation: a database of its own (``<name>_cluster``, created and dropped
here), a Celery queue and a cache prefix of its own; names in the kernel start
with ``pcl-``. Everything is torn down in ``finally`` (on an error, Ctrl-C or
SIGTERM too); what a ``kill -9`` left is swept at the next start.

Run as root: ``make bench-cluster`` (or ``.venv/bin/python benchmarks/cluster.py``
with ``--duration`` seconds per phase, default 15, and ``--rounds``, default 1;
``--no-write`` prints only). Without root it says so and does nothing. Not part
of ``make bench``. HAProxy, socat and wrk are installed from apt when missing.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import http.client
import json
import math
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from benchmarks.harness import netns, proc  # noqa: E402
from benchmarks.harness.machine import load_average  # noqa: E402
from benchmarks.harness.wrk import CSRF_SECRET, wrk_mix_script, wrk_run  # noqa: E402
from benchmarks.report import machine_description, report_publish, section_opening  # noqa: E402

HOSTS = {
    "web1": f"{netns.NETWORK}.11",
    "web2": f"{netns.NETWORK}.12",
    "worker1": f"{netns.NETWORK}.21",
    "worker2": f"{netns.NETWORK}.22",
}
WEB_HOSTS = ["web1", "web2"]
WORKER_HOSTS = ["worker1", "worker2"]
WEB_PORT = 8000
# The reading mix, in requests out of 20: signed-in reading 12, anonymous browsing 8.
MIX = {"lesson": 7, "dashboard": 2, "heartbeat": 3, "home": 2, "catalog": 3, "course": 3}
PDF_P95_TARGET_S = 2.0
STATE = Path("/run/practicum-bench-cluster.json")  # what a killed run left, for the next one
NEEDS_ROOT = (
    "make bench-cluster needs root: it creates network namespaces, a bridge and veth "
    "pairs (ip netns) and installs HAProxy from apt if missing. Run it as root "
    "(e.g. `sudo make bench-cluster`); nothing was done."
)


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


# --- Tools, leftovers -------------------------------------------------------------------------


def tools_ensure() -> None:
    if not shutil.which("ip"):
        raise SystemExit("The cluster benchmark needs iproute2's `ip` (apt-get install iproute2).")
    missing = [tool for tool in ("haproxy", "socat", "wrk") if not shutil.which(tool)]
    if missing:
        log(f"installing {', '.join(missing)} from apt")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], env=env, check=False)
        still = [tool for tool in missing if not shutil.which(tool)]
        if still:
            raise SystemExit(
                f"Could not install {', '.join(still)}: apt-get install {' '.join(still)}"
            )


def state_write(state: dict) -> None:
    STATE.write_text(json.dumps(state))


def leftovers_sweep() -> None:
    """What a run killed with SIGKILL left: its processes in the root namespace
    (only those whose command line is still the one recorded), its namespaces
    and bridge, its queue and cache keys, its database and scratch files."""
    removed = []
    if STATE.exists():
        try:
            state = json.loads(STATE.read_text())
        except ValueError:
            state = {}
        for pid, command in state.get("pids", {}).items():
            with contextlib.suppress(OSError):
                now = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
                if now.strip() == command:
                    os.killpg(int(pid), signal.SIGKILL)
                    removed.append(f"process {pid}")
        if state.get("broker"):
            with contextlib.suppress(Exception):
                redis_tidy(
                    state["broker"],
                    state.get("cache", ""),
                    state.get("queue", ""),
                    state.get("prefix", ""),
                )
        if state.get("admin_url") and state.get("database"):
            from benchmarks.pages import database_recreate

            with contextlib.suppress(Exception):
                database_recreate(state["admin_url"], state["database"], drop_only=True)
                removed.append(f"database {state['database']}")
        if state.get("scratch"):
            shutil.rmtree(state["scratch"], ignore_errors=True)
        STATE.unlink()
    removed += netns.network_down()
    if removed:
        log(f"removed what an earlier run left: {', '.join(removed)}")


def redis_tidy(broker: str, cache: str, queue_name: str, prefix: str) -> None:
    """The run's queue (with kombu's bindings of it) and its cache keys (sessions,
    cached pages) go with it; both names hold the run's id, so nothing else matches."""
    import redis

    for url, pattern in ((broker, f"*{queue_name}*"), (cache, f"{prefix}:*")):
        if not url or pattern.startswith(("**", ":")):  # no name: match nothing
            continue
        client = redis.Redis.from_url(url)
        try:
            for key in client.scan_iter(match=pattern, count=1000):
                client.delete(key)
        finally:
            client.close()


# --- Addresses --------------------------------------------------------------------------------


def url_moved(url: str, host: str, port: int) -> str:
    """The same URL with its host and port replaced (credentials kept)."""
    parts = urlsplit(url)
    credentials = parts.netloc.rpartition("@")[0]
    netloc = (credentials + "@" if credentials else "") + f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def default_port(url: str) -> int:
    parts = urlsplit(url)
    return parts.port or (5432 if parts.scheme.startswith("postgres") else 6379)


def endpoints(services_env: dict) -> dict:
    database = services_env.get("DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/practicum"
    )
    if not database.startswith("postgres"):
        raise SystemExit("The cluster benchmark needs PostgreSQL (DATABASE_URL=postgres://…)")
    broker = services_env.get("CELERY_BROKER_URL") or os.environ.get(
        "CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"
    )
    cache = os.environ.get("CACHE_URL", "")
    cache = cache if cache.startswith("redis") else broker
    name = (urlsplit(database).path.strip("/").split("?")[0] or "practicum") + "_cluster"
    local_db = urlunsplit(urlsplit(database)._replace(path=f"/{name}", query=""))
    admin_url = urlunsplit(urlsplit(database)._replace(path="/postgres", query=""))
    return {
        "database": local_db,
        "admin": admin_url,
        "name": name,
        "broker": broker,
        "cache": cache,
    }


# --- Processes --------------------------------------------------------------------------------


class Cluster:
    """The run's processes and what tearing down needs to know about them."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self.processes: dict[str, subprocess.Popen] = {}
        self.state: dict = {"pids": {}, "scratch": str(scratch)}
        self.stopping = threading.Event()  # the completer threads' signal

    def start(self, name: str, command: list[str], env: dict, namespace: str | None = None):
        process = netns.spawn(
            command, log=self.scratch / f"{name}.log", env=env, cwd=ROOT, namespace=namespace
        )
        self.processes[name] = process
        if namespace is None:  # a namespace's processes are found through it
            self.state["pids"][str(process.pid)] = " ".join(command)
            state_write(self.state)
        return process

    def log_tail(self, name: str, size: int = 3000) -> str:
        path = self.scratch / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            try:
                netns.stop(self.processes[name])
            except Exception as exc:  # keep tearing down the rest
                log(f"could not stop {name}: {exc}")


def forwards_start(cluster: Cluster, targets: list[str]) -> list[int]:
    """socat at the bridge's address for each server (PostgreSQL, Redis) the hosts use."""
    pids, seen = [], set()
    for url in targets:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", default_port(url)
        if (host, port) in seen:
            continue
        seen.add((host, port))
        command = [
            "socat",
            f"TCP-LISTEN:{port},bind={netns.GATEWAY},reuseaddr,fork,backlog=512,nodelay",
            f"TCP:{host}:{port},nodelay",
        ]
        pids.append(cluster.start(f"forward-{port}", command, {**os.environ}).pid)
    deadline = time.monotonic() + 10
    for host, port in seen:
        while True:
            try:
                socket.create_connection((netns.GATEWAY, port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the forward to {host}:{port} did not start") from None
                time.sleep(0.1)
    return pids


def web_start(cluster: Cluster, name: str, env: dict, workers: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "cms.wsgi:application", "--workers", str(workers),
        "--worker-class", "sync", "--bind", f"{HOSTS[name]}:{WEB_PORT}", "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    return cluster.start(name, command, env, namespace=name)


def web_ready(cluster: Cluster, name: str, limit: float = 90) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            if (
                http_request(HOSTS[name], WEB_PORT, "GET", "/healthz", {"Host": "127.0.0.1"})[0]
                == 200
            ):
                return
        if cluster.processes[name].poll() is not None:
            raise SystemExit(f"{name}'s gunicorn exited:\n{cluster.log_tail(name)}")
        time.sleep(0.3)
    raise SystemExit(f"{name} did not answer /healthz within {limit:.0f} s")


def worker_start(cluster: Cluster, name: str, env: dict, queue_name: str, concurrency: int):
    mail = cluster.scratch / f"mail-{name}"
    mail.mkdir()
    env = {
        **env,
        "BENCH_TASK_LOG": str(cluster.scratch / f"tasks-{name}.jsonl"),
        "EMAIL_URL": f"filemail:///{mail}",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "cms", "worker", "--loglevel=WARNING",
        f"--concurrency={concurrency}", "--pool=prefork", "-Q", queue_name,
        "-n", f"{name}@{netns.PREFIX}{name}", "--without-gossip", "--without-mingle",
    ]  # fmt: skip
    return cluster.start(name, command, env, namespace=name)


def workers_ready(cluster: Cluster, limit: float = 120) -> None:
    from cms.celery import app

    names = {f"{name}@{netns.PREFIX}{name}" for name in WORKER_HOSTS}
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        replies = app.control.ping(destination=sorted(names), timeout=1.0) or []
        if names <= {name for reply in replies for name in reply}:
            return
        for name in WORKER_HOSTS:
            if cluster.processes[name].poll() is not None:
                raise SystemExit(f"{name}'s Celery worker exited:\n{cluster.log_tail(name)}")
    raise SystemExit(f"the Celery workers did not answer within {limit:.0f} s")


HAPROXY_CFG = """
global
    nbthread 1
    maxconn 4096
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout queue 60s
    option abortonclose

frontend site
    bind 127.0.0.1:{port}
    option forwardfor
    http-request set-header X-Forwarded-Proto https
    default_backend web

backend web
    balance leastconn
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    default-server check inter 2s fall 3 rise 1 maxconn {maxconn}
{servers}
"""


def haproxy_start(cluster: Cluster, port: int, maxconn: int) -> Path:
    """HAProxy holds what a host cannot take yet in its queue (``maxconn``: the
    host's sync workers), instead of piling it into gunicorn's backlog."""
    sock = cluster.scratch / "haproxy.sock"
    servers = "\n".join(f"    server {n} {HOSTS[n]}:{WEB_PORT}" for n in WEB_HOSTS)
    config = cluster.scratch / "haproxy.cfg"
    config.write_text(HAPROXY_CFG.format(socket=sock, port=port, maxconn=maxconn, servers=servers))
    subprocess.run(["haproxy", "-c", "-q", "-f", str(config)], check=True)
    process = cluster.start("haproxy", ["haproxy", "-db", "-f", str(config)], {**os.environ})
    deadline = time.monotonic() + 20
    while not sock.exists() or not all(s["status"] == "UP" for s in haproxy_servers(sock)):
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"HAProxy did not come up:\n{cluster.log_tail('haproxy')}")
        time.sleep(0.2)
    return sock


def haproxy_command(sock: Path, command: str) -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sock))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while data := s.recv(65536):
            chunks.append(data)
    return b"".join(chunks).decode()


def haproxy_stats(sock: Path) -> list[dict]:
    lines = haproxy_command(sock, "show stat").strip().splitlines()
    header = lines[0].lstrip("# ").split(",")
    return [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]


def haproxy_servers(sock: Path) -> list[dict]:
    return [r for r in haproxy_stats(sock) if r["pxname"] == "web" and r["svname"] in WEB_HOSTS]


def haproxy_in_service(sock: Path, hosts: list[str]) -> None:
    """The given web hosts in service, the others in maintenance (no new requests)."""
    for name in WEB_HOSTS:
        state = "ready" if name in hosts else "maint"
        haproxy_command(sock, f"set server web/{name} state {state}")
    deadline, status = time.monotonic() + 20, {}
    while time.monotonic() < deadline:
        status = {s["svname"]: s["status"] for s in haproxy_servers(sock)}
        if all((status[n] == "UP") == (n in hosts) for n in WEB_HOSTS):
            return
        time.sleep(0.2)
    raise SystemExit(f"HAProxy did not bring {hosts} into service: {status}")


def haproxy_idle_wait(sock: Path, *, allowed: int = 0, limit: float = 60) -> None:
    """Until nothing is queued, at most ``allowed`` requests (the completers') are
    running, none on a host in maintenance: what the previous phase left must not
    be counted against the next."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        stats = haproxy_stats(sock)
        backend = next(r for r in stats if r["svname"] == "BACKEND")
        resting = [r for r in stats if r["svname"] in WEB_HOSTS and r["status"] == "MAINT"]
        # The backend's sessions count those queued as well as those being served.
        if int(backend["scur"] or 0) <= allowed and all(r["scur"] == "0" for r in resting):
            return
        time.sleep(0.2)


# --- HTTP -------------------------------------------------------------------------------------


def http_request(host: str, port: int, method: str, path: str, headers: dict, body=None):
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# --- The site's content and clinicians ---------------------------------------------------------


def prepare(readers: int, completers: int) -> dict:
    """The demo content and ``readers`` clinicians with sessions (the page
    benchmark's own preparation); the accreditors' provider numbers entered (the
    seed's placeholders would hold every certificate in production, which is
    what an administrator fixes before launch); ``completers`` clinicians, each a
    psychologist with a session, not yet enrolled; and for each course what its
    completion takes: lessons, post-test, the evaluation's fields, the claim."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from accounts.models import ClinicianLicense, Profession
    from benchmarks.pages import prepare as pages_prepare
    from courses.models import Accreditor, CoursePage, LessonPage
    from quizzes.models import PostTestPage
    from quizzes.selectors import evaluation_items
    from quizzes.selectors.claims import course_accreditors

    fixtures = pages_prepare(readers)
    for accreditor in Accreditor.objects.all():
        if accreditor.has_placeholder_number:
            accreditor.provider_number = (
                f"{accreditor.short_name.split()[0]}-{1000 + accreditor.pk}"
            )
            accreditor.save()
    plans = []
    for course in CoursePage.objects.live().order_by("path"):
        post_test = PostTestPage.objects.live().child_of(course).first()
        if post_test is None:
            continue
        evaluation = {
            f"{item.kind}_{item.position}": "4" for item in evaluation_items(course=course)
        }
        evaluation |= {
            "relevance": "4",
            "content_quality": "4",
            "hours_accurate": "accurate",
            "bias_noticed": "no",
            "attest": "on",
            "claim": [
                str(a.pk)
                for a in course_accreditors(course_id=course.pk)
                if Profession.PSYCHOLOGIST.value in (a.professions or [])
            ],
        }
        plans.append(
            {
                "id": course.pk,
                "title": course.title,
                "lessons": [
                    (lesson.pk, lesson.url)
                    for lesson in LessonPage.objects.live().child_of(course).order_by("path")
                ],
                "post_test": post_test.pk,
                "evaluation": evaluation,
            }
        )
    User = get_user_model()
    pool = []
    for i in range(completers):
        user = User.objects.create_user(
            email=f"cluster-{i}@example.com", password=None, full_name=f"Cluster Clinician {i}"
        )
        ClinicianLicense.objects.create(
            user=user,
            profession=Profession.PSYCHOLOGIST,
            license_number=f"PSY {20000 + i}",
            region="CA",
        )
        client = Client()
        client.force_login(user)
        pool.append(
            {
                "user": user.pk,
                "cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={CSRF_SECRET}",
                "plan": plans[i % len(plans)],
            }
        )
    return {**fixtures, "plans": plans, "pool": pool}


def mix_entries(fixtures: dict) -> list[dict]:
    """The reading mix as a list wrk sends in turn: MIX's proportions, interleaved
    (smooth weighted round robin), signed-in requests rotating over the sessions."""
    cookies = fixtures["cookies"]
    paths = {
        "lesson": fixtures["lesson"],
        "dashboard": "/dashboard/",
        "heartbeat": "/learn/heartbeat/",
        "home": "/",
        "catalog": fixtures["catalog"],
        "course": fixtures["course"],
    }
    signed_in = {"lesson", "dashboard", "heartbeat"}
    total = sum(MIX.values())
    credit = dict.fromkeys(MIX, 0)
    order = []
    for _ in range(total):
        for name, weight in MIX.items():
            credit[name] += weight
        chosen = max(credit, key=credit.get)
        credit[chosen] -= total
        order.append(chosen)
    entries, turn = [], 0
    for _ in range(len(cookies)):
        for name in order:
            entry = {"method": "GET", "path": paths[name]}
            if name in signed_in:
                entry["cookie"] = f"{cookies[turn % len(cookies)]}"
                turn += 1
            if name == "heartbeat":
                entry |= {"method": "POST", "body": f"lesson={fixtures['lesson_id']}&seconds=30"}
            entries.append(entry)
    return entries


# --- Completers: whole courses through the HTTP views ------------------------------------------


class Refused(Exception):
    pass


class Completer(threading.Thread):
    """Takes clinicians from ``pool`` and completes each one's course through the
    proxy, as a browser would (no JavaScript: the forms' own posts), until
    ``stop`` is set; records each completion's end time."""

    SERVED = re.compile(r'name="served" value="([^"]*)"')

    def __init__(self, port: int, pool: queue.Queue, stop: threading.Event, record: list):
        super().__init__(daemon=True)
        self.port, self.pool, self.stop, self.record = port, pool, stop, record
        self.host = f"127.0.0.1:{port}"
        self.connection = None
        self.requests = 0
        self.failures: list[tuple[float, str]] = []

    def run(self) -> None:
        from django.db import connection

        try:
            while not self.stop.is_set():
                try:
                    clinician = self.pool.get_nowait()
                except queue.Empty:
                    self.failures.append((time.time(), "the pool of clinicians ran out"))
                    return
                started, before = time.time(), self.requests
                try:
                    self.complete(clinician)
                except (Refused, OSError, http.client.HTTPException) as exc:
                    self.failures.append((time.time(), f"clinician {clinician['user']}: {exc}"))
                    self.close()
                    continue
                self.record.append(
                    {
                        "user": clinician["user"],
                        "started": started,
                        "done": time.time(),
                        "requests": self.requests - before,
                    }
                )
        finally:
            connection.close()
            self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def send(self, method: str, path: str, cookie: str, data: dict | None = None, *, expect: int):
        headers = {"Host": self.host, "Cookie": cookie}
        body = None
        if method == "POST":
            body = urlencode(data or {}, doseq=True)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": CSRF_SECRET,
                "Referer": f"https://{self.host}{path}",
            }
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        self.requests += 1
        if response.will_close:
            self.close()
        if response.status != expect:
            raise Refused(f"{method} {path} answered {response.status}, not {expect}")
        return response.getheader("Location", ""), content.decode(errors="replace")

    def complete(self, clinician: dict) -> None:
        from quizzes.grading import answer_key
        from quizzes.models import Attempt

        plan, cookie = clinician["plan"], clinician["cookie"]
        self.send("POST", "/learn/enroll/", cookie, {"course": plan["id"]}, expect=302)
        for lesson_id, url in plan["lessons"]:
            _, html = self.send("GET", url, cookie, expect=200)
            served = self.SERVED.search(html)
            data = {"lesson": lesson_id, "served": served.group(1) if served else ""}
            self.send("POST", "/learn/complete/", cookie, data, expect=302)
        location, _ = self.send(
            "POST", "/learn/post-test/start/", cookie, {"post_test": plan["post_test"]}, expect=302
        )
        attempt_id = int(re.search(r"/attempts/(\d+)/", location).group(1))
        attempt_path = f"/learn/attempts/{attempt_id}/"
        self.send("GET", attempt_path, cookie, expect=200)
        questions = Attempt.objects.values_list("questions", flat=True).get(pk=attempt_id)
        answers = {f"q-{qid}": ids for qid, ids in answer_key(questions).items()}
        self.send("POST", f"{attempt_path}submit/", cookie, answers, expect=302)
        self.send("GET", attempt_path, cookie, expect=200)
        evaluation = f"/learn/courses/{plan['id']}/evaluation/"
        self.send("GET", evaluation, cookie, expect=200)
        self.send("POST", evaluation, cookie, plan["evaluation"], expect=302)


# --- One phase ---------------------------------------------------------------------------------


def cpu_groups(cluster: Cluster, snapshot: dict, database: str, forwards: list[int]) -> dict:
    """Which processes are which part (pids as in ``snapshot``)."""
    groups = {
        name: netns_tree(snapshot, cluster.processes[name].pid) for name in WEB_HOSTS + WORKER_HOSTS
    }
    groups["haproxy"] = {cluster.processes["haproxy"].pid}
    groups["forwards"] = proc.descendants(snapshot, forwards)
    groups["postgres"] = {
        pid
        for pid, p in snapshot.items()
        if p.command.startswith("postgres:") and f" {database} " in p.command
    }
    groups["redis"] = {pid for pid, p in snapshot.items() if p.command.startswith("redis-server")}
    groups["this process"] = {os.getpid()}
    return groups


def netns_tree(snapshot: dict, pid: int) -> set[int]:
    return proc.descendants(snapshot, [pid])


class Sampler(threading.Thread):
    """Twice a second, the runnable processes (less itself): how far past the
    cores the machine's demand went while the load ran. Once a second, every
    process's CPU time, kept as last seen: a process that ends during the phase
    (a PostgreSQL backend replaced after CONN_MAX_AGE, a forward's connection)
    then still counts, up to its last second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.samples: list[int] = []
        self.seen: dict[int, proc.Proc] = {}
        self.done = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self.done.wait(0.5):
            self.samples.append(max(0, proc.runnable() - 1))
            tick += 1
            if tick % 2 == 0:
                self.seen.update(proc.processes())


def phase_run(ctx: dict, hosts: list[str], duration: int, label: str) -> dict:
    """One measured window of ``duration`` seconds with ``hosts`` in service. The
    completers run throughout the run (a completion takes several seconds, so
    starting them per phase would leave each phase's first seconds without any);
    a phase counts the completions that ended within its window."""
    sock, completers = ctx["haproxy"], ctx["completers"]
    haproxy_in_service(sock, hosts)
    haproxy_idle_wait(sock, allowed=len(completers))
    haproxy_command(sock, "clear counters all")
    sampler = Sampler()
    requests_before = sum(c.requests for c in completers)
    before, machine_before, started = proc.processes(), proc.machine_cpu(), time.time()
    sampler.start()
    wrk = wrk_run(ctx["wrk"], ctx["port"], ctx["script"], ctx["connections"], duration)
    ended = time.time()
    after, machine_after = proc.processes(), proc.machine_cpu()
    completer_requests = sum(c.requests for c in completers) - requests_before
    sampler.done.set()
    sampler.join()
    after = {**sampler.seen, **after}
    load = load_average()
    servers = {s["svname"]: s for s in haproxy_servers(sock)}
    backend = next(r for r in haproxy_stats(sock) if r["svname"] == "BACKEND")
    wall = ended - started
    groups = cpu_groups(ctx["cluster"], after, ctx["database"], ctx["forwards"])
    cpu = {name: proc.cpu_between(before, after, pids) / wall for name, pids in groups.items()}
    cpu["wrk"] = wrk["cpu_s"] / wall
    # /proc/stat and the wall clock are read a moment apart: never more than the cores.
    busy = min((machine_after[0] - machine_before[0]) / wall, float(os.cpu_count()))
    cpu["interrupts"] = (machine_after[2] - machine_before[2]) / wall
    cpu["rest of the machine"] = max(0.0, busy - sum(cpu.values()))
    in_window = [r for r in ctx["record"] if started <= r["done"] <= ended]
    served = {n: sum(int(servers[n][f"hrsp_{c}xx"] or 0) for c in range(1, 6)) for n in WEB_HOSTS}
    result = {
        "label": label,
        "hosts": len(hosts),
        "seconds": wall,
        "started": started,
        "ended": ended,
        "wrk": wrk,
        "completions": in_window,
        "completer_requests": completer_requests,
        "failures": [f for c in completers for f in c.failures if started <= f[0] <= ended],
        "served": served,
        "errors_5xx": sum(int(servers[n]["hrsp_5xx"] or 0) for n in WEB_HOSTS),
        "queue_max": int(backend["qmax"] or 0),
        "cpu": cpu,
        "busy": busy,
        "cores": os.cpu_count(),
        "runnable": statistics.fmean(sampler.samples) if sampler.samples else 0.0,
        "load": load,
    }
    total = wrk["requests"] + result["completer_requests"]
    log(
        f"{label}: {wrk['rps']:.0f} req/s mix (p95 {wrk['p95_ms']:.0f} ms, {wrk['bad']} errors), "
        f"{len(in_window)} completions, {total / wall:.0f} req/s in all; served {served}; "
        f"machine {busy:.2f} of {os.cpu_count()} cores busy, load {load:.2f}"
    )
    return result


# --- After the load: certificates ---------------------------------------------------------------


def drain(limit: float = 120) -> float:
    """Until every issued certificate is stored and emailed; returns the seconds waited."""
    from certificates.models import Certificate

    start = time.monotonic()
    while time.monotonic() - start < limit:
        pending = Certificate.objects.filter(status=Certificate.Status.VALID).filter(
            rendered_at__isnull=True
        ) | Certificate.objects.filter(status=Certificate.Status.VALID, emailed_at__isnull=True)
        if not pending.exists():
            break
        time.sleep(0.25)
    return time.monotonic() - start


def certificates_check(scratch: Path, users: list[int], phases: list[dict]) -> dict:
    from django.db.models import Count

    from certificates.models import Certificate
    from courses.models import CourseCompletion

    completions = list(
        CourseCompletion.objects.filter(enrollment__user_id__in=users).values(
            "pk", "enrollment_id", "completed_at"
        )
    )
    certificates = list(
        Certificate.objects.filter(user_id__in=users).values(
            "pk",
            "enrollment_id",
            "accreditor_id",
            "status",
            "issued_at",
            "rendered_at",
            "emailed_at",
        )
    )
    by_enrollment: dict[int, list[dict]] = {}
    for certificate in certificates:
        by_enrollment.setdefault(certificate["enrollment_id"], []).append(certificate)
    duplicated_rows = (
        Certificate.objects.filter(user_id__in=users)
        .values("enrollment_id", "accreditor_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    without = [c for c in completions if c["enrollment_id"] not in by_enrollment]
    undelivered = [c for c in certificates if c["rendered_at"] is None or c["emailed_at"] is None]
    renders: dict[int, list[str]] = {}
    emails: dict[int, list[str]] = {}
    for path in sorted(scratch.glob("tasks-*.jsonl")):
        for line in path.read_text().splitlines():
            task = json.loads(line)
            target = {"certificates.render": renders, "certificates.email": emails}.get(
                task["task"]
            )
            if target is not None:
                certificate_id = (task["args"] or [task["kwargs"].get("certificate_id")])[0]
                target.setdefault(certificate_id, []).append(task["worker"].split("@")[0])
    ids = {c["pk"] for c in certificates}
    rendered_by: dict[str, int] = {}
    for certificate_id, workers in renders.items():
        if certificate_id in ids:
            rendered_by[workers[0]] = rendered_by.get(workers[0], 0) + 1
    emailed_by: dict[str, int] = {}
    for certificate_id, workers in emails.items():
        if certificate_id in ids:
            emailed_by[workers[0]] = emailed_by.get(workers[0], 0) + 1
    latency = {}
    completed_at = {c["enrollment_id"]: c["completed_at"] for c in completions}
    for phase in phases:
        seconds = sorted(
            (c["rendered_at"] - completed_at[c["enrollment_id"]]).total_seconds()
            for c in certificates
            if c["rendered_at"] is not None
            and c["enrollment_id"] in completed_at
            and phase["started"] <= completed_at[c["enrollment_id"]].timestamp() <= phase["ended"]
        )
        latency[phase["label"]] = seconds
    every = sorted(s for values in latency.values() for s in values)
    return {
        "completions": len(completions),
        "certificates": len(certificates),
        "held": sum(c["status"] != Certificate.Status.VALID for c in certificates),
        "duplicated_rows": duplicated_rows,
        "without_certificate": len(without),
        "undelivered": len(undelivered),
        "rendered_by": rendered_by,
        "emailed_by": emailed_by,
        "rendered_twice": sum(len(w) > 1 for c, w in renders.items() if c in ids),
        "not_rendered_in_log": len(ids - set(renders)),
        "latency": latency,
        "latency_all": every,
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, max(0, math.ceil(share * len(values)) - 1))]


# --- Report ------------------------------------------------------------------------------------


CPU_LABELS = {
    "web1": "web host 1 (gunicorn)",
    "web2": "web host 2 (gunicorn)",
    "worker1": "worker host 1 (Celery)",
    "worker2": "worker host 2 (Celery)",
    "postgres": "PostgreSQL (this database's backends)",
    "redis": "Redis (shared with other work)",
    "haproxy": "HAProxy",
    "forwards": "socat forwards",
    "wrk": "wrk",
    "this process": "completers (this process)",
    "interrupts": "kernel interrupts, softirqs (network: bridge, veths, loopback)",
    "rest of the machine": "rest of the machine (other work)",
}


def report(phases: list[dict], checks: dict, ctx: dict, *, loads, command: str) -> str:
    one = [p for p in phases if p["hosts"] == 1]
    two = [p for p in phases if p["hosts"] == 2]

    def total_rps(p):
        return (p["wrk"]["requests"] + p["completer_requests"]) / p["seconds"]

    lines = [
        "| Phase | web hosts | mix req/s (wrk) | p50 / p95 ms | completions /s | all req/s | served by web 1 / web 2 | HAProxy queue max | errors | CPU busy (of 2 cores) | runnable | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]  # fmt: skip
    for p in phases:
        w = p["wrk"]
        errors = w["bad"] + len(p["failures"])
        lines.append(
            f"| {p['label']} | {p['hosts']} | {w['rps']:.1f} | {w['p50_ms']:.0f} / {w['p95_ms']:.0f} "
            f"| {len(p['completions']) / p['seconds']:.2f} | {total_rps(p):.1f} "
            f"| {p['served']['web1']:,} / {p['served']['web2']:,} | {p['queue_max']} | {errors} "
            f"| {p['busy']:.2f} ({p['busy'] / p['cores']:.0%}) | {p['runnable']:.1f} | {p['load']:.2f} |"
        )
    lines += [
        "",
        "**CPU by part** (cores used: CPU seconds over the phase's seconds, from /proc)",
        "",
    ]
    lines.append("| Part | " + " | ".join(p["label"] for p in phases) + " |")
    lines.append("|---|" + "---|" * len(phases))
    for key, label in CPU_LABELS.items():
        lines.append(
            f"| {label} | " + " | ".join(f"{p['cpu'].get(key, 0):.2f}" for p in phases) + " |"
        )
    lines.append(
        "| **machine busy** | " + " | ".join(f"**{p['busy']:.2f}**" for p in phases) + " |"
    )

    mean_one = statistics.fmean(total_rps(p) for p in one) if one else float("nan")
    mean_two = statistics.fmean(total_rps(p) for p in two) if two else float("nan")
    mix_one = statistics.fmean(p["wrk"]["rps"] for p in one) if one else float("nan")
    mix_two = statistics.fmean(p["wrk"]["rps"] for p in two) if two else float("nan")
    comp_one = statistics.fmean(len(p["completions"]) / p["seconds"] for p in one) if one else 0
    comp_two = statistics.fmean(len(p["completions"]) / p["seconds"] for p in two) if two else 0
    p95 = percentile(checks["latency_all"], 0.95)
    measured_pdf = bool(checks["latency_all"])
    both_workers = all(checks["rendered_by"].get(n, 0) > 0 for n in WORKER_HOSTS)
    none_duplicated = checks["duplicated_rows"] == 0 and checks["rendered_twice"] == 0
    none_lost = (
        checks["without_certificate"] == 0 and checks["undelivered"] == 0 and checks["held"] == 0
    )
    served_two = [sum(p["served"][n] for p in two) for n in WEB_HOSTS]
    both_hosts = all(served_two)

    def met(ok: bool) -> str:
        return "meets" if ok else "**misses**"

    per_phase_p95 = "; ".join(
        f"{label} {percentile(values, 0.95):.2f} s ({len(values)})"
        for label, values in checks["latency"].items()
    )
    rendered = ", ".join(f"{n} {checks['rendered_by'].get(n, 0)}" for n in WORKER_HOSTS)
    emailed = ", ".join(f"{n} {checks['emailed_by'].get(n, 0)}" for n in WORKER_HOSTS)
    targets = [
        "| Target (issue 19) | Measured | |",
        "|---|---|---|",
        f"| Both web hosts serve the load | with two in service: web 1 {served_two[0]:,}, web 2 {served_two[1]:,} requests | {met(both_hosts)} |",
        f"| Throughput with one and with two web hosts (reported) | all requests {mean_one:.1f} → {mean_two:.1f} req/s (×{mean_two / mean_one:.2f}); the mix {mix_one:.1f} → {mix_two:.1f}; completions {comp_one:.2f} → {comp_two:.2f} /s | — |",
        f"| Certificates issued by both workers | rendered: {rendered}; emailed: {emailed} | {met(both_workers)} |",
        f"| None duplicated | {checks['duplicated_rows']} enrollments with two certificates for one accreditor; {checks['rendered_twice']} certificates rendered twice | {met(none_duplicated)} |",
        f"| None lost | {checks['completions']} completions, {checks['certificates']} certificates; {checks['without_certificate']} completions without one, {checks['undelivered']} not stored and emailed after the drain, {checks['held']} held | {met(none_lost)} |",
        f"| Completion → PDF available p95 ≤ {PDF_P95_TARGET_S:.0f} s while the page load runs | "
        + (f"p95 {p95:.2f} s, median {percentile(checks['latency_all'], 0.5):.2f} s over {len(checks['latency_all'])} certificates (per phase: {per_phase_p95}) | {met(p95 <= PDF_P95_TARGET_S)} |"
           if measured_pdf else "no completion fell inside a phase (phases too short) | not measured |"),
    ]  # fmt: skip

    # What saturates first: the busiest phase's figures, said in a sentence.
    busiest = max(phases, key=lambda p: p["busy"])
    ranked = sorted(((v, CPU_LABELS[k]) for k, v in busiest["cpu"].items()), reverse=True)
    top = ", ".join(f"{label} {value:.2f}" for value, label in ranked[:4])
    cores = busiest["cores"]
    cpu_bound = busiest["busy"] >= 0.9 * cores or busiest["runnable"] > cores

    def cores_of(group: list[dict], keys: list[str]) -> float:
        return statistics.fmean(sum(p["cpu"][k] for k in keys) for p in group) if group else 0.0

    web_one, web_two = cores_of(one, WEB_HOSTS), cores_of(two, WEB_HOSTS)
    rest_one, rest_two = (
        cores_of(one, ["rest of the machine"]),
        cores_of(two, ["rest of the machine"]),
    )
    per_request = {  # CPU milliseconds per request, over every phase
        key: 1000
        * sum(p["cpu"][k] * p["seconds"] for p in phases for k in keys)
        / sum(total_rps(p) * p["seconds"] for p in phases)
        for key, keys in {
            "web": WEB_HOSTS,
            "postgres": ["postgres"],
            "proxy": ["haproxy", "forwards"],
        }.items()
    }
    saturation = (
        f"**What saturates first: {'the CPU' if cpu_bound else 'not the CPU'}.** In the busiest "
        f"phase ({busiest['label']}) the machine was {busiest['busy']:.2f} of {cores} cores busy "
        f"({busiest['busy'] / cores:.0%}), with {busiest['runnable']:.1f} processes runnable on "
        f"average (more than {cores} means work waiting for a core) and a load average of "
        f"{busiest['load']:.2f}; the largest users (cores): {top}. "
    )
    if cpu_bound:
        saturation += (
            f"The web hosts used {web_one:.2f} cores with one host in service and {web_two:.2f} "
            f"with two, while the rest of the machine's work went {rest_one:.2f} → {rest_two:.2f}: "
            f"on the same {cores} cores a second host adds processes, not CPU, and what it gains "
            "(the ratio above) is a larger share of the cores taken from the other work. "
        )
    else:
        saturation += (
            f"HAProxy's queue reached {busiest['queue_max']} requests: the web hosts' sync "
            "workers were the limit before the cores were. "
        )
    saturation += (
        f"CPU per request of this load (all phases): web hosts {per_request['web']:.1f} ms, "
        f"PostgreSQL {per_request['postgres']:.1f} ms, HAProxy and the forwards "
        f"{per_request['proxy']:.1f} ms; so on hosts with cores of their own each web core would "
        f"serve about {1000 / per_request['web']:.0f} req/s of it, and the one PostgreSQL about "
        f"{1000 / max(per_request['postgres'], 0.01):.0f} req/s per core before it is the shared limit."
    )
    opening = section_opening(
        machine=f"{machine_description()}; HAProxy {ctx['haproxy_version']}",
        command=command,
        loads=loads,
        load_note=": the machine was shared with other work (its CPU is the last row of the CPU "
        "table), so rates are lower bounds.",
    )
    head = (
        "\n".join(opening) + "\n\n"
        f"Two web hosts ({ctx['web_workers']} gunicorn sync workers each, production settings) and "
        f"two Celery worker hosts (`--concurrency={ctx['worker_concurrency']}` each) in network "
        f"namespaces of their own on a bridge {netns.NETWORK}.0/24; PostgreSQL and Redis are the "
        "machine's, reached at the bridge's address through socat; HAProxy in front (leastconn, "
        f"at most {ctx['web_workers']} requests at a time per host, the rest queued). "
        f"Load for {ctx['duration']} s per phase: wrk `-c{ctx['connections']}` sends the reading mix "
        f"(in 20 requests: {', '.join(f'{k} {v}' for k, v in MIX.items())}; signed-in requests "
        f"rotate over {ctx['readers']} clinicians), and {len(ctx['completers'])} completer threads take "
        "clinicians through whole courses over HTTP (enroll, each lesson opened and marked "
        "complete, post-test started, opened, submitted and its result opened, evaluation opened "
        "and posted with the attestation, which completes the course and issues the certificate; "
        "the answer key is read from the attempt's row). One web host: the other in maintenance "
        "in HAProxy. \"all req/s\" counts wrk's and the completers' requests.\n\n"
    )
    notes = (
        "\n\nCertificates are counted in the database (completions of the completers' "
        "enrollments, their certificate rows, rendered and emailed timestamps) after the queue "
        f"was drained ({ctx['drain_s']:.1f} s after the last phase); which worker rendered each "
        "comes from the workers' task log (benchmarks.harness.task_log). Completion → PDF is the "
        "certificate's `rendered_at` less the completion's `completed_at` (one clock: the same "
        "kernel), for completions made during the phases. Celery beat is not run: a certificate "
        "the sweep would have re-sent counts as lost here."
    )
    flows = [c for p in phases for c in p["completions"]]
    if flows:
        notes += (
            f" A completion took {statistics.median(c['done'] - c['started'] for c in flows):.1f} s "
            f"(median) and {statistics.median(c['requests'] for c in flows):.0f} requests."
        )
    every_failure = [text for c in ctx["completers"] for _, text in c.failures]
    failures = [f for f in every_failure if "ran out" not in f]
    if failures:
        notes += f"\n\nCompleter failures ({len(failures)}), first: {failures[0]}."
    if len(failures) < len(every_failure):
        notes += "\n\nThe completers ran out of prepared clinicians: completions are a lower bound."
    return (
        head
        + "\n".join(lines)
        + "\n\n**Targets**\n\n"
        + "\n".join(targets)
        + "\n\n"
        + saturation
        + notes
    )


# --- Main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per phase")
    parser.add_argument("--rounds", type=int, default=1, help="one host then two, this many times")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections")
    parser.add_argument("--completers", type=int, default=4, help="threads completing courses")
    parser.add_argument("--readers", type=int, default=50, help="signed-in clinicians in the mix")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web host")
    parser.add_argument("--worker-concurrency", type=int, default=1, help="per worker host")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the scratch files (logs)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print(NEEDS_ROOT)
        return 0
    tools_ensure()
    with Path(__file__).open() as lock:  # one run at a time; no lock file left behind
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SystemExit("Another cluster benchmark is running on this machine.") from None
        leftovers_sweep()
        from services import PROJECT_ROOT, ServiceError, ensure_services

        try:
            with ensure_services(mode="test", root=PROJECT_ROOT) as services_env:
                return run(args, services_env)
        except ServiceError as exc:
            raise SystemExit(f"PostgreSQL or Redis: {exc}") from None


def run(args, services_env: dict) -> int:
    where = endpoints(services_env)
    run_id = uuid.uuid4().hex[:8]
    queue_name = f"practicum-cluster-{run_id}"
    prefix = f"bench-cluster-{run_id}"
    scratch = Path(tempfile.mkdtemp(prefix="practicum-bench-cluster-"))
    for folder in ("static", "media", "private", "keys"):
        (scratch / folder).mkdir()
    common = {
        "DJANGO_SETTINGS_MODULE": "benchmarks.harness.cluster_settings",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": f"127.0.0.1,localhost,testserver,{netns.GATEWAY}",
        "BENCH_CACHE_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": queue_name,
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "PRIVATE_MEDIA_ROOT": str(scratch / "private"),
        "CREDENTIAL_SIGNING_KEY_DIR": str(scratch / "keys"),
        "EMAIL_URL": "dummymail://",
        "PYTHONUNBUFFERED": "1",
    }
    local = {
        **common,
        "DATABASE_URL": where["database"],
        "CACHE_URL": where["cache"],
        "CELERY_BROKER_URL": where["broker"],
    }
    hosts_env = {
        **os.environ,
        **common,
        **{
            key: url_moved(local[key], netns.GATEWAY, default_port(local[key]))
            for key in ("DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL")
        },
    }
    os.environ.update(local)
    cluster = Cluster(scratch)
    cluster.state |= {
        "admin_url": where["admin"],
        "database": where["name"],
        "broker": where["broker"],
        "cache": where["cache"],
        "queue": queue_name,
        "prefix": prefix,
    }
    state_write(cluster.state)
    from benchmarks.pages import database_recreate

    database_recreate(where["admin"], where["name"])
    loads = [load_average()]
    try:
        import django

        django.setup()
        # Enough clinicians for a completion every 2 s per thread (one takes several).
        pool_size = 20 + args.completers * args.duration * args.rounds

        log(
            f"database {where['name']}: migrating, seeding, {args.readers} readers, {pool_size} completers"
        )
        started = time.monotonic()
        fixtures = prepare(args.readers, pool_size)
        log(f"prepared in {time.monotonic() - started:.0f} s; starting the hosts")
        netns.network_up(HOSTS)
        forwards = forwards_start(cluster, [where["database"], where["broker"], where["cache"]])
        for name in WEB_HOSTS:
            web_start(cluster, name, hosts_env, args.web_workers)
        for name in WORKER_HOSTS:
            worker_start(cluster, name, hosts_env, queue_name, args.worker_concurrency)
        for name in WEB_HOSTS:
            web_ready(cluster, name)
        workers_ready(cluster)
        from benchmarks.pages import free_port

        port = free_port()
        sock = haproxy_start(cluster, port, args.web_workers)
        version = subprocess.run(["haproxy", "-v"], capture_output=True, text=True).stdout
        host = f"127.0.0.1:{port}"
        entries = mix_entries(fixtures)
        for entry in {(e["method"], e["path"]): e for e in entries}.values():  # each answers
            headers = {"Host": host, "Cookie": entry.get("cookie", "")}
            if entry["method"] == "POST":
                headers |= {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": CSRF_SECRET,
                    "Referer": f"https://{host}/",
                    "Accept": "application/json",
                }
            status, _ = http_request(
                "127.0.0.1", port, entry["method"], entry["path"], headers, entry.get("body")
            )
            if status != 200:
                raise SystemExit(
                    f"{entry['method']} {entry['path']} answered {status} through HAProxy"
                )
        pool: queue.Queue = queue.Queue()
        for clinician in fixtures["pool"]:
            pool.put(clinician)
        record: list[dict] = []
        completers = [
            Completer(port, pool, cluster.stopping, record) for _ in range(args.completers)
        ]
        ctx = {
            "cluster": cluster,
            "haproxy": sock,
            "port": port,
            "completers": completers,
            "record": record,
            "connections": args.connections,
            "wrk": shutil.which("wrk"),
            "script": wrk_mix_script(entries, host, scratch, "mix"),
            "database": where["name"],
            "forwards": forwards,
        }
        # Every gunicorn worker of both hosts answers each kind of request once before
        # anything is measured (imports, template compilation, per-process caches).
        haproxy_in_service(sock, WEB_HOSTS)
        wrk_run(ctx["wrk"], port, ctx["script"], args.web_workers * 2, 3)
        log(f"load: {args.duration} s per phase, {args.rounds} round(s)")
        for completer in completers:
            completer.start()
        phases = []
        for round_ in range(1, args.rounds + 1):
            for hosts in (WEB_HOSTS[:1], WEB_HOSTS):
                label = f"{len(hosts)} host{'s' * (len(hosts) > 1)}" + (
                    f", round {round_}" if args.rounds > 1 else ""
                )
                phases.append(phase_run(ctx, hosts, args.duration, label))
        cluster.stopping.set()  # each completer finishes the course it is in
        for completer in completers:
            completer.join(120)
        drained = drain()
        loads.append(load_average())
        users = [c["user"] for c in fixtures["pool"]]
        checks = certificates_check(scratch, users, phases)
        log(
            f"certificates: {checks['certificates']} for {checks['completions']} completions; "
            f"rendered by {checks['rendered_by']}; drained in {drained:.1f} s"
        )
        ctx |= {
            "haproxy_version": (version.split()[2] if version else "?"),
            "web_workers": args.web_workers,
            "worker_concurrency": args.worker_concurrency,
            "duration": args.duration,
            "readers": args.readers,
            "drain_s": drained,
        }
        given = " ".join(a for a in sys.argv[1:] if a not in ("--no-write", "--keep"))
        command = (
            f'make bench-cluster ARGS="{given}"  (or: .venv/bin/python benchmarks/cluster.py {given})'
            if given
            else "make bench-cluster  (or: .venv/bin/python benchmarks/cluster.py)"
        )
        body = report(phases, checks, ctx, loads=loads, command=command)
        report_publish(
            section="cluster",
            title="Cluster: two web hosts, two workers",
            body=body,
            write=not args.no_write,
        )
    finally:
        teardown(cluster, where, queue_name, prefix, keep=args.keep)
    return 0


def teardown(cluster: Cluster, where: dict, queue_name: str, prefix: str, *, keep: bool) -> None:
    """Everything the run made, each step on its own (one failing does not stop the
    rest), with Ctrl-C held off meanwhile so that a second one cannot leave half."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        log("tearing down")
        cluster.stopping.set()
        cluster.stop_all()
        steps = [
            ("network", netns.network_down),
            ("redis", lambda: redis_tidy(where["broker"], where["cache"], queue_name, prefix)),
            ("database", lambda: _database_drop(where)),
        ]
        if not keep:
            steps.append(("scratch", lambda: shutil.rmtree(cluster.scratch, ignore_errors=True)))
        else:
            log(f"kept {cluster.scratch}")
        for name, step in steps:
            try:
                step()
            except Exception as exc:
                log(f"teardown of the {name} failed: {exc}")
        STATE.unlink(missing_ok=True)
    finally:
        signal.signal(signal.SIGINT, previous)


def _database_drop(where: dict) -> None:
    from django.db import connections

    from benchmarks.pages import database_recreate

    connections.close_all()
    database_recreate(where["admin"], where["name"], drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
