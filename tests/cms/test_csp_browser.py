"""The Content-Security-Policy in a real headless Chromium: the lesson page's own
script runs under script-src 'self', and the Wagtail page editor loads with its
admin-only relaxation; neither page reports a single CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from courses.services import enrollment_create
from tests.factories import UserFactory, course_build, lessons_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


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
