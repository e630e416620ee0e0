"""Shared fixtures: a real Celery worker process on the real broker (and drained
of a test's tasks), the email file backend, an Administrator and their signed-in
client, an accreditor (APA) and a psychologist, the site cache switched on, and
the demo site tree."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.certificates.worker import worker_drain
from tests.factories import (
    AccreditorFactory,
    catalog_get,
    client_reauthenticated,
    clinician,
    staff_user,
)

ROOT = Path(__file__).resolve().parent.parent


def _worker_env(db_name: str) -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    # The queue below already carries this test process's suffix (cms/settings/test.py).
    env.pop("PYTEST_XDIST_WORKER", None)
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
    """A real `celery worker` child process, on the test database and the test queue
    (or on the database and queue that `env`, the whole environment, names)."""

    def __init__(self, db_name: str, log_path: Path, *, env: dict[str, str] | None = None):
        self.db_name = db_name
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen | None = None

    @property
    def queue(self) -> str:
        env = self.env or {}
        return env.get("CELERY_TASK_DEFAULT_QUEUE") or settings.CELERY_TASK_DEFAULT_QUEUE

    def start(self, *, concurrency: int = 1, pool: str = "prefork") -> None:
        self.stop()  # a restart never leaves the previous process running
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
                self.queue,
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=self.env or _worker_env(self.db_name),
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
                try:
                    app.send_task("cms.ping", args=["ready"], queue=self.queue).get(timeout=30)
                except Exception as error:
                    tail = self.log_path.read_text(errors="replace")[-3000:]
                    raise RuntimeError(
                        f"Celery worker started but answered no ping ({error!r}); its log ends:\n{tail}"
                    ) from error
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
def drained_worker(celery_worker):
    """The session's real worker, drained of this test's tasks at the end."""
    yield celery_worker
    worker_drain()


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
    # Where each file ended when the test began. Django names a file by the second
    # and the backend object's address, and appends to it: a backend made in the
    # same second at an address an earlier one had (this process or its worker)
    # writes on at the end of an old file, so new bytes are read, not new files.
    before = {path: path.stat().st_size for path in folder.glob("*.log")}

    def read():
        messages = []
        for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
            written = path.read_bytes()[before.get(path, 0) :]
            for chunk in written.split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(message_from_bytes(chunk.strip(), policy=default))
        return messages

    return read


@pytest.fixture
def iterator_calls(monkeypatch):
    """(model name, chunk_size) of every QuerySet.iterator() call during the test:
    proof that an export streams in chunks instead of loading a whole queryset."""
    from django.db.models.query import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append((self.model.__name__, chunk_size))
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    return calls


@pytest.fixture
def administrator(db):
    """A member of the Administrators group: Avery Admin, avery@example.org."""
    return staff_user(group="Administrators", full_name="Avery Admin", email="avery@example.org")


@pytest.fixture
def apa(db):
    return AccreditorFactory()


@pytest.fixture
def psychologist(db):
    """A clinician with one psychologist's license: Dana Whitfield."""
    return clinician(full_name="Dana Whitfield", professions=("psychologist",))


@pytest.fixture
def admin_client(client, administrator):
    """The test client signed in as `administrator`, who has just given the password
    again (so sensitive actions open without the password page)."""
    client.force_login(administrator)
    return client_reauthenticated(client)


@pytest.fixture
def site_cache_on(settings):
    """The site's content caches on (SITE_CACHE_SECONDS), as in production with
    Redis; the test settings keep them off, their cache being per process. The
    cache starts and ends empty."""
    from django.core.cache import cache

    settings.SITE_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


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


# --- What a flush takes away ---------------------------------------------------------------
#
# A transactional test (django_db(transaction=True)) ends with a flush of every table,
# which also removes the rows that data migrations made: Wagtail's root page, root
# collection and default locale, our staff groups and their permissions, the course
# approval workflow. Django's serialized rollback cannot restore them once another
# transactional test has flushed first, so after each transactional test the data
# migrations of our apps are replayed (they are idempotent) on top of Wagtail's roots,
# by the same function `manage.py bootstrap` uses (cms.bootstrap).


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if "transactional_db" in getattr(item, "fixturenames", ()):
        return True
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's fixtures are torn down (the flush among them),
    replay the data migrations and make the site tree again (below). Not after the
    last test: by then the session's fixtures have dropped the test database."""
    result = yield
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from cms.bootstrap import data_migrations_replay

        with item.config.stash[blocking_manager_key].unblock():
            data_migrations_replay()
            site_tree_commit()
    return result


# --- The site tree, made once for a test database ------------------------------------------
#
# Most tests build a course, and a course stands in the site: the home page, the four
# policy pages, the catalog with its approval workflow and the groups' page permissions
# (tests.factories.catalog_get). Made inside each test's transaction, that was about a
# second of every such test. It is made once, committed, when the test database is set
# up (and again after a flush): every test's transaction starts with it, and what a
# test changes of it is rolled back with the rest. A test that needs a database
# without it flushes (tests/cms/test_bootstrap.py).


def site_tree_commit() -> None:
    catalog_get()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        site_tree_commit()


# --- Production settings, behind the proxy -------------------------------------------------

# What production.py ends with that only describes the machine (database, cache,
# mail, file paths, URLs) or the demo content's placeholder provider numbers: the
# test values stay for these.
PRODUCTION_NAMES_KEPT_FROM_TEST = {
    "CACHES",
    "DATABASES",
    "EMAIL_BACKEND",
    "EMAIL_FILE_PATH",
    "MEDIA_ROOT",
    "PRIVATE_MEDIA_ROOT",
    "STATIC_ROOT",
    "STORAGES",
    "SITE_URL",
    "WAGTAILADMIN_BASE_URL",
    "CERTIFICATE_HOLD_PLACEHOLDER_NUMBERS",
}
PROXY_ADDR = "10.0.0.2"


@pytest.fixture
def production_settings(settings):
    """cms.settings.production over the test settings: every value production.py
    ends with (its own and those it inherits from base.py, the rate limits
    among them) except PRODUCTION_NAMES_KEPT_FROM_TEST. Rate-limit counters
    start empty. Requests must come as through the proxy: see `proxied_client`."""
    import importlib

    from django.core.cache import cache

    production = importlib.import_module("cms.settings.production")
    for name in dir(production):
        if not name.isupper() or name in PRODUCTION_NAMES_KEPT_FROM_TEST:
            continue
        value = getattr(production, name)
        if getattr(settings, name, object()) != value:
            setattr(settings, name, value)
    cache.clear()
    return settings


@pytest.fixture
def proxied_client(production_settings):
    """Test clients as seen behind the deployment's TLS proxy: REMOTE_ADDR is the
    proxy's, which appends the client's address to X-Forwarded-For and says
    the request came over HTTPS. `proxied_client("203.0.113.5")`; pass
    `forwarded_for=` to add what the client itself put in the header."""
    from django.test import Client

    def make(address: str, *, forwarded_for: str = "") -> Client:
        header = f"{forwarded_for}, {address}" if forwarded_for else address
        return Client(
            REMOTE_ADDR=PROXY_ADDR, HTTP_X_FORWARDED_FOR=header, HTTP_X_FORWARDED_PROTO="https"
        )

    return make
