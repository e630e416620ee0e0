"""Content-Security-Policy: the front end runs only the site's own scripts; the
Wagtail admin alone gets the inline-script relaxation it needs (cms/csp.py)."""

import re
from pathlib import Path

import pytest

from courses.services import enrollment_create
from tests.factories import UserFactory, course_build, lessons_of, staff_user

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_front_end_pages_run_scripts_from_the_site_itself_only(client, site_tree):
    course = course_build()
    lesson = lessons_of(course)[0]
    user = UserFactory()
    enrollment_create(user=user, course=course)
    client.force_login(user)
    for url in (
        "/",
        "/courses/",
        course.url,
        lesson.url,
        "/dashboard/",
        "/profile/",
        "/accounts/password/change/",
        "/accounts/2fa/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        directives = _directives(response)
        assert directives["script-src"] == ["'self'"], url
        assert directives["default-src"] == ["'self'"], url
        assert directives["object-src"] == ["'none'"], url
        assert directives["frame-ancestors"] == ["'self'"], url
    client.logout()
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        assert _directives(client.get(url))["script-src"] == ["'self'"], url


@pytest.mark.django_db
def test_only_the_wagtail_admin_allows_inline_scripts(client, site_tree):
    assert "'unsafe-inline'" in _directives(client.get("/admin/login/"))["script-src"]
    client.force_login(staff_user(group="Administrators"))
    response = client.get("/admin/")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == ["'self'", "'unsafe-inline'"]
    # A front-end page seen by the same staff user keeps the strict policy.
    assert _directives(client.get("/"))["script-src"] == ["'self'"]


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def test_site_templates_hold_no_inline_script_event_handler_or_javascript_url():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL):
            offenders += [
                f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)
            ]
    assert offenders == [], "the CSP (script-src 'self') would block these:\n" + "\n".join(
        offenders
    )
