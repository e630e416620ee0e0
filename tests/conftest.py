"""Shared fixtures: a real Celery worker process on the real broker, the email
file backend, and the demo site tree."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def _worker_env(db_name: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}{':' + db['PASSWORD'] if db.get('PASSWORD') else ''}"
                f"@{db['HOST']}:{db['PORT']}/{db_name}"
            ),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_TASK_DEFAULT_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
            "EMAIL_FILE_PATH": settings.EMAIL_FILE_PATH,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class WorkerProcess:
    """A real `celery worker` child process, on the test database and the test queue."""

    def __init__(self, db_name: str, log_path: Path):
        self.db_name = db_name
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self, *, concurrency: int = 1, pool: str = "prefork") -> None:
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cms",
                "worker",
                "--loglevel=INFO",
                f"--concurrency={concurrency}",
                f"--pool={pool}",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=_worker_env(self.db_name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        from cms.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Celery worker exited early; see {self.log_path}")
            if "ready." in self.log_path.read_text(errors="replace"):
                # One round trip proves the worker consumes our queue.
                app.send_task(
                    "cms.ping", args=["ready"], queue=settings.CELERY_TASK_DEFAULT_QUEUE
                ).get(timeout=30)
                return
            time.sleep(0.2)
        raise RuntimeError(f"Celery worker not ready after {timeout}s; see {self.log_path}")

    def kill(self, sig=signal.SIGKILL) -> None:
        """Kill the whole process group (main process and pool children)."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture(scope="session")
def worker_factory(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start real Celery workers against the test database; all stopped at the end."""
    db_name = settings.DATABASES["default"]["NAME"]
    workers: list[WorkerProcess] = []
    logs = tmp_path_factory.mktemp("celery")

    def start(**kwargs) -> WorkerProcess:
        worker = WorkerProcess(db_name, logs / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.start(**kwargs)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="session")
def celery_worker(worker_factory):
    """One shared real worker for the session."""
    return worker_factory()


@pytest.fixture
def mailbox(settings):
    """Messages the file email backend wrote during the test, oldest first.

    pytest-django swaps in the locmem backend for every test; the file backend
    is put back so that this process and the worker process write alike.
    """
    from email import message_from_bytes
    from email.policy import default

    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

    folder = Path(settings.EMAIL_FILE_PATH)
    before = set(folder.glob("*.log"))

    def read():
        messages = []
        for path in sorted(set(folder.glob("*.log")) - before, key=lambda p: p.stat().st_mtime):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk.strip(), policy=default))
        return messages

    return read


@pytest.fixture
def site_tree(db):
    from cms.seed import site_tree_ensure

    return site_tree_ensure()


def pytest_collection_modifyitems(config, items):
    """Browser journeys run last, on demo content they seed once and never flush,
    so no other test sees their rows and no flush removes the content under them.

    They get a plain `django_db` mark: the test database is set up for them, and
    their own reads run in a transaction that is rolled back (the server and the
    worker commit in their own connections, which those reads see)."""
    browser_dir = ROOT / "tests" / "browser"
    browser, others = [], []
    for item in items:
        if browser_dir in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db)
            browser.append(item)
        else:
            others.append(item)
    items[:] = others + browser
