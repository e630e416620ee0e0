"""The Content-Security-Policy in a real headless Chromium: the lesson page's own
script runs under script-src 'self', and the Wagtail page editor loads with its
admin-only relaxation; neither page reports a single CSP violation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connections
from django.test import Client
from playwright.sync_api import expect

from courses.services import enrollment_create
from tests.factories import UserFactory, course_build, lessons_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

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


def test_lesson_script_runs_under_the_strict_policy(browser_as, live_server, site_tree):
    course = course_build()
    lesson = lessons_of(course)[0]  # the first lesson has a reflection prompt
    user = UserFactory()
    enrollment_create(user=user, course=course)
    page, console = browser_as(user)

    with page.expect_request(lambda r: r.url.endswith("/learn/heartbeat/")) as beat:
        response = page.goto(live_server.url + lesson.url)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp or csp.endswith("script-src 'self'")
    assert beat.value.method == "POST"

    # The journal box saves through the script (fetch), without leaving the page.
    page.fill(".journal-form textarea", "A private reflection.")
    page.click(".journal-form button[type=submit]")
    expect(page.locator(".journal-status")).to_contain_text("Saved")
    assert page.url == live_server.url + lesson.url
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m] == []


def test_wagtail_page_editor_loads_without_csp_violations(browser_as, live_server, site_tree):
    course = course_build()
    # A superuser: this test is about the policy, not the staff groups' permissions
    # (tests/accounts/test_staff_access.py covers those).
    page, console = browser_as(UserFactory(is_staff=True, is_superuser=True))

    page.goto(f"{live_server.url}/admin/pages/{course.id}/edit/", wait_until="networkidle")
    assert "Editing" in page.title()
    # Scripted parts of the editor are alive: the tabs switch panels.
    page.get_by_role("tab", name="Promote").click()
    assert page.get_by_role("tabpanel", name="Promote").is_visible()
    assert page.evaluate("window.__cspViolations") == []
    assert [m for m in console if "Content Security Policy" in m] == []
