"""Browser journeys: real headless Chromium (Debian's), driven by Playwright,
against a real gunicorn process and a real Celery worker on the test database.

The journeys run last in the session (see tests/conftest.py), on the demo
content that `seed_demo` loads once; they share it and never flush it, so each
journey signs up its own clinician. Every page a journey visits goes through
`visit()`, which runs axe-core on it and keeps a screenshot.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.conftest import ROOT, _worker_env

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the
# journeys make for their assertions are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
ARTIFACTS = ROOT / "test-artifacts"


def chromium_path() -> str:
    for candidate in (os.environ.get("CHROMIUM_PATH"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    raise RuntimeError(
        "Debian's chromium is required for the browser journeys and was not found. "
        "`make test` installs it (apt-get install chromium); or set CHROMIUM_PATH."
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveSite:
    url: str
    proc: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def demo_content(django_db_setup, django_db_blocker):
    """The demo site (`seed_demo`: policies, accounts, accreditors, launch modules)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture(scope="session")
def live_site(demo_content, celery_worker, tmp_path_factory) -> LiveSite:
    """gunicorn serving the test database on a free port of 127.0.0.1."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = _worker_env(settings.DATABASES["default"]["NAME"])
    env["SITE_URL"] = url
    log = log_path.open("ab")
    command = [
        sys.executable, "-m", "gunicorn", "cms.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4",
        "--timeout", "60", "--access-logfile", "-",
    ]  # fmt: skip
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    site = LiveSite(url=url, proc=proc, log_path=log_path)
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{site.log_tail()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not listen:\n{site.log_tail()}") from None
            time.sleep(0.2)
    yield site
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@dataclass
class A11yReport:
    """axe-core results of every page visited, written out at the end of the session."""

    pages: dict[str, list[dict]] = field(default_factory=dict)

    def add(self, name: str, url: str, violations: list[dict]) -> None:
        self.pages[f"{name} ({url})"] = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": len(v["nodes"]),
                "targets": [n["target"] for n in v["nodes"][:5]],
            }
            for v in violations
        ]


@pytest.fixture(scope="session")
def a11y_report():
    report = A11yReport()
    yield report
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "accessibility.json").write_text(json.dumps(report.pages, indent=2))


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    target = Path(os.environ.get("SCREENSHOT_DIR") or ARTIFACTS / "screenshots")
    if not target.is_absolute():
        target = ROOT / target
    target.mkdir(parents=True, exist_ok=True)
    print(f"\n[browser] screenshots are saved to {target}", file=sys.stderr)
    return target


class Journey:
    """One browser context (one person) walking the site."""

    def __init__(self, *, site: LiveSite, context, report: A11yReport, shots: Path, name: str):
        self.site = site
        self.context = context
        self.page = context.new_page()
        self.report = report
        self.shots = shots
        self.name = name
        self.console_errors: list[str] = []
        self.page.on(
            "console",
            lambda msg: self.console_errors.append(msg.text) if msg.type == "error" else None,
        )
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))

    def url(self, path: str) -> str:
        return self.site.url + path

    def goto(self, path: str, *, check: str | None = None):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, (
            f"{path} answered {response and response.status}"
        )
        if check:
            self.check(check)
        return response

    def check(self, label: str, *, screenshot: str | None = None) -> None:
        """axe-core on the current page: no serious or critical violation; screenshot."""
        from axe_playwright_python.sync_playwright import Axe

        self.page.wait_for_load_state("networkidle")
        results = Axe().run(self.page)
        violations = results.response["violations"]
        self.report.add(f"{self.name}: {label}", self.page.url, violations)
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"axe-core on {label} ({self.page.url}):\n" + "\n".join(blocking)
        self.page.screenshot(
            path=str(self.shots / f"{screenshot or self.name + '-' + _slug(label)}.png"),
            full_page=True,
        )


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


@pytest.fixture
def journey(live_site, chromium, a11y_report, screenshot_dir, request):
    """Open journeys (one per call); each gets its own cookie jar and viewport."""
    contexts = []

    def open_journey(name: str, **context_options) -> Journey:
        context_options.setdefault("viewport", {"width": 1280, "height": 900})
        context_options.setdefault("accept_downloads", True)
        context = chromium.new_context(**context_options)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Journey(
            site=live_site, context=context, report=a11y_report, shots=screenshot_dir, name=name
        )

    yield open_journey
    for context in contexts:
        context.close()
