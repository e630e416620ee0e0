"""Browser journeys: real headless Chromium (Debian's), driven by Playwright,
against a real gunicorn process and a real Celery worker on the test database.

The journeys run last in the session (see tests/conftest.py), on the demo
content that `seed_demo` loads once; they share it and never flush it, so each
journey signs up its own clinician. Every page a journey visits goes through
`Journey.check()`, which runs axe-core on it and keeps a screenshot.

Fixtures, from the outside in:

- `live_site`: gunicorn on a free port of 127.0.0.1, on the test database, with
  the session's Celery worker restarted to render certificates a little slowly
  (`RENDER_DELAY`), so that the dashboard is seen waiting for the certificate
  and then showing it without a reload;
- `chromium`: one browser for the session;
- `journey` (per test) and `session_journeys` (for walks that several tests
  share): `open(name, **context_options)` gives a `Journey`, one person in their
  own browser context (cookies, viewport);
- `clinician_walk`: the clinician journey (issue 7, journey 1) walked once, with
  what it produced (the certificate number, the PDF), for every test that needs
  a clinician with a certificate.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connections

from tests.browser import a11y
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
# Journey.settle: how long the network must stay quiet after the load event before
# a page is checked.
QUIET_SECONDS = 0.1
# The page's CSS animations and transitions that end within two seconds, ended (a
# cancelled one counts): a message fading in (Wagtail's, 0.5 s). Longer ones are
# decoration that repeats (the admin's 25 s "ping" on a badge) and are not awaited.
SHORT_ANIMATIONS_FINISHED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime - a.currentTime <= 2000)
    .map(a => a.finished.catch(() => null)))"""
# WCAG 2.0/2.1 A and AA, plus axe's best practices (reported, never blocking unless
# serious or critical).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
ARTIFACTS = ROOT / "test-artifacts"
# Seconds the worker waits before rendering a certificate: long enough that a
# clinician who finishes a course reaches the dashboard before the PDF exists.
RENDER_DELAY = "5"
# The admin views this project wrote itself, by URL prefix: their templates
# (templates/support/admin, templates/reports, templates/courses/admin, …) and
# their CSS (the apps' static admin.css) are ours, so axe's serious and critical
# violations there fail the journey, as on the front end. Every other /admin/ page
# (the page editor, the explorer, choosers, the users and settings views, the
# dashboard around our panels) is Wagtail's own markup, which our templates cannot
# change: its violations are recorded in the report only (docs/accessibility.md
# lists them with their upstream causes). A new admin view of ours joins this list.
PROJECT_ADMIN_PATHS = (
    "/admin/my-courses/",  # courses.home_views: the instructor's home
    "/admin/course-review/",  # courses.review_views: one review round
    "/admin/course-preview/",  # courses.preview_views: the whole course as a learner
    "/admin/course-duplicate/",  # courses.duplicate_views
    "/admin/post-tests/",  # quizzes.admin_views: question import and its preview
    "/admin/evaluations/",  # quizzes.admin_views: evaluation aggregates
    "/admin/support/",  # support.admin_views, support.override_views: inbox, overrides
    "/admin/audit-reports/",  # reports: roster, accreditor report, course reports, packets
    "/admin/certificates/",  # certificates.admin_views: listing, page, actions, bulk jobs
    "/admin/two-factor/",  # accounts.admin_views: resetting a person's two-factor
)


# Our panels on Wagtail's own pages (the dashboard): axe runs on them alone as well,
# and there a serious or critical violation fails the journey.
PROJECT_ADMIN_PANELS = (
    "[data-my-courses-panel]",  # courses: the instructor's courses
    "[data-review-queue]",  # courses: "Awaiting your review", grouped by course
    "[data-accreditor-warnings]",  # courses: placeholder numbers, approvals ending
    "[data-support-panel]",  # support: open and overdue requests
    "#certificates-attention-section",  # certificates: held, failed, pending emails
)


def axe_area(path: str) -> str:
    """Where a page sits for axe: "front end" (enforced, with the extra checks of
    tests/browser/a11y.py), "admin, ours" (enforced) or "admin, Wagtail" (recorded)."""
    if not path.startswith("/admin/"):
        return "front end"
    return "admin, ours" if path.startswith(PROJECT_ADMIN_PATHS) else "admin, Wagtail"


PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


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
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None:
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="session")
def demo_content(django_db_setup, django_db_blocker):
    """The demo site (`seed_demo`: policies, accounts, accreditors, launch modules)."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0)


@pytest.fixture(scope="session")
def slow_render_worker(celery_worker):
    """The session's real worker, restarted to render certificates `RENDER_DELAY`
    seconds late (a test-only setting, cms/settings/test.py). The browser tests run
    last, so nothing after them sees the slower worker."""
    celery_worker.stop()
    os.environ["CERTIFICATE_RENDER_TEST_DELAY"] = RENDER_DELAY
    try:
        celery_worker.start()
    finally:
        del os.environ["CERTIFICATE_RENDER_TEST_DELAY"]
    return celery_worker


@pytest.fixture(scope="session")
def live_site(demo_content, slow_render_worker, tmp_path_factory) -> LiveSite:
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


# Database connections opened by the journeys' own ORM reads. While Playwright's
# sync API is active, it marks its event loop as running in this thread, and Django
# then keeps connections per async context instead of per thread: the reads made
# during a journey get a connection of their own, which would outlive the test
# database ("being accessed by other users" when it is dropped).
_JOURNEY_CONNECTIONS: list = []


def journey_connection_track() -> None:
    """Remember the connection the current (journey) context uses, to close it at the end."""
    wrapper = connections["default"]
    if not any(wrapper is known for known in _JOURNEY_CONNECTIONS):
        _JOURNEY_CONNECTIONS.append(wrapper)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # Still inside Playwright (its loop marked running): these are the
        # journeys' connections, as the test bodies saw them.
        journey_connection_track()
        for wrapper in _JOURNEY_CONNECTIONS:
            wrapper.close()
        _JOURNEY_CONNECTIONS.clear()


# --- Accessibility report ------------------------------------------------------------------


@dataclass
class A11yReport:
    """axe-core results of every page visited, written out at the end of the session."""

    entries: list[dict] = field(default_factory=list)
    # Seconds spent in each part of `Journey.check` (settle, axe, screenshots).
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timed(self, part: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[part] = self.seconds.get(part, 0.0) + time.perf_counter() - started

    def add(
        self, *, journey: str, label: str, url: str, area: str, violations, panels: bool = False
    ) -> None:
        self.entries.append(
            {
                "journey": journey,
                "page": label,
                "path": urlparse(url).path,
                "area": area,
                # Our panels on a Wagtail page, checked on their own.
                "panels_only": panels,
                "blocking": area != "admin, Wagtail",
                "violations": [
                    {
                        "id": v["id"],
                        "impact": v["impact"],
                        "help": v["help"],
                        "nodes": len(v["nodes"]),
                        "targets": [n["target"] for n in v["nodes"][:5]],
                    }
                    for v in violations
                ],
            }
        )

    def summary(self) -> dict:
        """Violations by rule: impact, pages, nodes; by area (front end, our admin
        views, Wagtail's admin pages)."""
        rules: dict[str, dict] = {}
        for entry in self.entries:
            for v in entry["violations"]:
                rule = rules.setdefault(
                    f"{entry['area']}: {v['id']}",
                    {"impact": v["impact"], "help": v["help"], "pages": [], "nodes": 0},
                )
                rule["pages"].append(f"{entry['journey']}: {entry['page']}")
                rule["nodes"] += v["nodes"]
        pages = [e for e in self.entries if not e["panels_only"]]
        return {
            "pages_checked": len(pages),
            "front_end_pages": sum(1 for e in pages if e["area"] == "front end"),
            "admin_pages_ours": sum(1 for e in pages if e["area"] == "admin, ours"),
            "admin_pages_wagtail": sum(1 for e in pages if e["area"] == "admin, Wagtail"),
            "our_panels_checked": len(self.entries) - len(pages),
            "rules": dict(sorted(rules.items())),
        }


# What the run tells at its end (pytest_terminal_summary): where the evidence is.
_SUMMARY: dict = {}


@pytest.fixture(scope="session")
def a11y_report():
    report = A11yReport()
    yield report
    if report.entries:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / "accessibility.json"
        summary = report.summary()
        path.write_text(json.dumps({"summary": summary, "pages": report.entries}, indent=2))
        _SUMMARY["report"] = (path, summary)
        _SUMMARY["check_seconds"] = dict(report.seconds)


def pytest_terminal_summary(terminalreporter):
    if "screenshots" in _SUMMARY:
        terminalreporter.write_line(f"[browser] screenshots: {_SUMMARY['screenshots']}")
    if "report" in _SUMMARY:
        path, summary = _SUMMARY["report"]
        terminalreporter.write_line(
            f"[browser] axe-core: {summary['pages_checked']} pages "
            f"({summary['front_end_pages']} front end, {summary['admin_pages_ours']} of our "
            f"admin views, {summary['admin_pages_wagtail']} Wagtail admin; our panels on "
            f"{summary['our_panels_checked']} of those), "
            f"{len(summary['rules'])} rule(s) with violations; report: {path}"
        )
    if "check_seconds" in _SUMMARY:
        parts = ", ".join(f"{k} {v:.0f} s" for k, v in _SUMMARY["check_seconds"].items())
        terminalreporter.write_line(f"[browser] time in the page checks: {parts}")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    target = Path(os.environ.get("SCREENSHOT_DIR") or ARTIFACTS / "screenshots")
    if not target.is_absolute():
        target = ROOT / target
    target.mkdir(parents=True, exist_ok=True)
    _SUMMARY["screenshots"] = target
    return target


@pytest.fixture(scope="session")
def docs_screenshot_dir(screenshot_dir) -> Path:
    """Where the screenshots shown in docs/ go: docs/screenshots with `make
    screenshots` (DOCS_SCREENSHOT_DIR), else next to the other screenshots."""
    target = Path(os.environ.get("DOCS_SCREENSHOT_DIR") or screenshot_dir / "docs")
    if not target.is_absolute():
        target = ROOT / target
    target.mkdir(parents=True, exist_ok=True)
    return target


# --- Journeys ------------------------------------------------------------------------------


class Journey:
    """One person in their own browser context, walking the site.

    `check(label)` runs axe-core on the current page (front-end and allauth pages
    and our own admin views, `PROJECT_ADMIN_PATHS`, must have no serious or
    critical violation; Wagtail's own admin pages are recorded only) and saves a
    numbered screenshot; `docs=` also saves it under that name for
    docs/screenshots."""

    def __init__(
        self, *, site: LiveSite, context, report: A11yReport, shots: Path, docs: Path, name: str
    ):
        self.site = site
        self.context = context
        self.page = context.new_page()
        self.report = report
        self.shots = shots
        self.docs = docs
        self.name = name
        self.step = 0
        self.console_errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console_errors.append(str(exc)))
        self.page.on("response", self._response)
        # Requests in flight, for `settle` (a page's own fetches after it loaded).
        self._in_flight: set = set()
        self.page.on("request", lambda request: self._in_flight.add(request))
        self.page.on("requestfinished", lambda request: self._in_flight.discard(request))
        self.page.on("requestfailed", lambda request: self._in_flight.discard(request))
        journey_connection_track()

    def _response(self, response) -> None:
        # The browser's console names neither the resource nor the cause of a 5xx:
        # the error names both, with the server's log as it stood (its traceback).
        if response.status >= 500:
            self.console_errors.append(
                f"{response.status} from {response.request.method} {response.url}; "
                f"the server's log ends:\n{self.site.log_tail(60)}"
            )

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        # Wagtail's page editor runs its own axe-core content checks and logs their
        # results as console errors ("axe.run results"): not a script failure.
        if msg.text.startswith("axe.run results"):
            return
        # A form answered 400 on purpose (the journeys send invalid forms and assert
        # the errors); 5xx answers and script errors are kept.
        if re.match(r"Failed to load resource: .* status of 4\d\d", msg.text):
            return
        self.console_errors.append(msg.text)

    def url(self, path: str) -> str:
        return self.site.url + path

    @property
    def path(self) -> str:
        return urlparse(self.page.url).path

    def goto(self, path: str, *, check: str | None = None, docs: str | None = None):
        response = self.page.goto(self.url(path))
        assert response is not None and response.status < 400, (
            f"{path} answered {response and response.status}"
        )
        if check:
            self.check(check, docs=docs)
        return response

    def check(self, label: str, *, docs: str | None = None, full_page: bool = True) -> list:
        """axe-core on the current page: no serious or critical violation (except on
        Wagtail's own admin pages, recorded only); screenshot."""
        from axe_playwright_python.sync_playwright import Axe

        with self.report.timed("settle"):
            self.settle()
        with self.report.timed("axe"):
            if not self.page.evaluate("typeof window.axe === 'object'"):
                self.page.evaluate(Axe().axe_script)
            violations = self._axe("document")
        area = axe_area(self.path)
        self.report.add(
            journey=self.name, label=label, url=self.page.url, area=area, violations=violations
        )
        problems = _blocking(violations) if area != "admin, Wagtail" else []
        if area == "admin, Wagtail":
            with self.report.timed("axe"):
                problems = self._check_our_panels(label)
        self.step += 1
        path = self.shots / f"{self.name}-{self.step:02d}-{_slug(label)}.png"
        with self.report.timed("screenshots"):
            self.page.screenshot(path=str(path), full_page=full_page)
            if docs:
                # What a reader of the docs sees first: the top of the page, at its size.
                self.page.screenshot(path=str(self.docs / f"{docs}.png"))
        assert not problems, f"axe-core on {label} ({self.page.url}):\n" + "\n".join(problems)
        if area == "front end":
            a11y.assert_fields_labelled(self.page)
            if self.page.viewport_size["width"] < 500:
                a11y.assert_no_horizontal_scroll(self.page)
        return violations

    def settle(self, *, quiet: float = QUIET_SECONDS, timeout: float = 20.0) -> None:
        """Wait for the page's load event, then for `quiet` seconds with no request
        in flight (the fetches its scripts make once loaded), then for its short
        CSS animations and transitions to end (a message fading in has, halfway, a
        contrast that no reader is left with). Playwright's "networkidle" waits a
        fixed 0.5 s instead: over two hundred pages a run, that wait was the largest
        part of the checks' time."""
        self.page.wait_for_load_state("load")
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        while True:
            now = time.monotonic()
            if self._in_flight:
                quiet_since = now
            elif now - quiet_since >= quiet:
                break
            assert now < deadline, (
                f"{self.page.url}: requests still in flight after {timeout:.0f} s: "
                + ", ".join(sorted(r.url for r in self._in_flight))
            )
            self.page.wait_for_timeout(20)  # lets Playwright deliver the request events
        self.page.evaluate(SHORT_ANIMATIONS_FINISHED)

    def _check_our_panels(self, label: str) -> list[str]:
        """On a Wagtail page, axe-core on our panels alone (`PROJECT_ADMIN_PANELS`):
        their serious and critical violations."""
        panels = [s for s in PROJECT_ADMIN_PANELS if self.page.locator(s).count()]
        if not panels:
            return []
        ours = self._axe({"include": [[s] for s in panels]})
        self.report.add(
            journey=self.name, label=f"{label}: our panels ({', '.join(panels)})",
            url=self.page.url, area="admin, ours", violations=ours, panels=True,
        )  # fmt: skip
        return [f"in our panels: {p}" for p in _blocking(ours)]

    def _axe(self, context) -> list:
        """axe-core's violations in `context` ("document", or {"include": [...]})."""
        return self.page.evaluate(
            "([context, tags]) => axe.run(context === 'document' ? document : context,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
            ".then(r => r.violations)",
            [context, AXE_TAGS],
        )

    # --- mail -----------------------------------------------------------------

    def mail_to(self, address: str, *, subject: str, timeout: float = 20):
        """The newest message to `address` whose subject contains `subject`, as the
        server or the worker wrote it to the file email backend."""
        deadline = time.monotonic() + timeout
        while True:
            found = [
                m
                for m in _messages(Path(settings.EMAIL_FILE_PATH))
                if address.lower() in str(m["To"]).lower() and subject in str(m["Subject"])
            ]
            if found:
                return found[-1]
            assert time.monotonic() < deadline, f"no email “{subject}” to {address}"
            self.page.wait_for_timeout(250)


def _blocking(violations: list) -> list[str]:
    """The serious and critical violations, one line each (rule, impact, where)."""
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def _messages(folder: Path) -> list:
    messages = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(message_from_bytes(chunk.strip(), policy=default_policy))
    return messages


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


class JourneyOpener:
    def __init__(self, *, site, browser, report, shots, docs):
        self.site, self.browser, self.report = site, browser, report
        self.shots, self.docs = shots, docs
        self.contexts = []

    def __call__(self, name: str, **context_options) -> Journey:
        context_options.setdefault("viewport", {"width": 1280, "height": 900})
        context_options.setdefault("accept_downloads", True)
        context = self.browser.new_context(**context_options)
        context.set_default_timeout(20_000)
        self.contexts.append(context)
        return Journey(
            site=self.site, context=context, report=self.report, shots=self.shots,
            docs=self.docs, name=name,
        )  # fmt: skip

    def close(self) -> None:
        for context in self.contexts:
            context.close()
        self.contexts.clear()


def _journeys(live_site, chromium, a11y_report, screenshot_dir, docs_screenshot_dir):
    opener = JourneyOpener(
        site=live_site, browser=chromium, report=a11y_report, shots=screenshot_dir,
        docs=docs_screenshot_dir,
    )  # fmt: skip
    yield opener
    opener.close()


@pytest.fixture
def journey(live_site, chromium, a11y_report, screenshot_dir, docs_screenshot_dir):
    """Open journeys (one per call); each gets its own cookie jar and viewport."""
    yield from _journeys(live_site, chromium, a11y_report, screenshot_dir, docs_screenshot_dir)


@pytest.fixture(scope="session")
def session_journeys(live_site, chromium, a11y_report, screenshot_dir, docs_screenshot_dir):
    """Journeys that outlive one test (a walk several tests build on)."""
    yield from _journeys(live_site, chromium, a11y_report, screenshot_dir, docs_screenshot_dir)


@pytest.fixture(scope="session")
def clinician_walk(session_journeys, django_db_blocker):
    """Journey 1 walked once, at a laptop's size, with the mouse: a new clinician
    from signup to a verified certificate (see tests/browser/walks.py)."""
    from tests.browser.walks import clinician_walk_through

    with django_db_blocker.unblock():
        return clinician_walk_through(
            session_journeys("clinician"),
            course_slug="countertransference-as-information",
            second_course_slug="when-treatment-fails",
            docs_screenshots=True,
        )
