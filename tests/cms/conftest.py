"""Fixtures of the tests in tests/cms that drive a real headless Chromium against
pytest-django's live server (not the journeys' gunicorn: tests/browser)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client

# Collects every violation the browser reports, before any page script runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


@pytest.fixture
def flushed_db_ready(transactional_db):
    """An earlier transactional test's flush removed what data migrations made; the
    course builder grants catalog permissions to the staff groups, so bring them back."""
    for name in ("Instructors", "Administrators"):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def browser_as(live_server, monkeypatch, flushed_db_ready):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # test makes meanwhile are still plain synchronous code.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Imported here, once that is set for this test only: importing the journeys'
    # conftest would otherwise allow async-unsafe ORM calls for the whole process.
    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    test_connections = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)

        def open_as(user):
            client = Client()
            client.force_login(user)
            # Under Playwright's sync API the test body runs in another context than
            # this fixture's teardown, with a database connection of its own: keep it
            # to close at the end, or it would outlive the test database.
            test_connections.append(connections["default"])
            context = browser.new_context()
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
            page = context.new_page()
            page.add_init_script(RECORD_VIOLATIONS)
            console = []
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: console.append(str(e)))
            return page, console

        yield open_as
        browser.close()
    for wrapper in test_connections:
        wrapper.close()
