"""The layout a phone relies on, as served (the phone journey in tests/browser
checks where it lands on a 390 x 844 screen): the compact menu's disclosure
button, the lesson outline folded into a <details> placed before the lesson, and
the lesson's action that offers the next lesson once this one is done."""

import re

import pytest

from tests.courses.conftest import client_for
from tests.factories import lessons_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def test_the_header_has_a_menu_button_that_controls_both_navigations(client):
    html = client.get("/courses/").content.decode()
    button = re.search(r'<button type="button" class="menu-toggle[^"]*"([^>]*)>Menu</button>', html)
    assert button, "no Menu button in the header"
    assert 'aria-expanded="false"' in button.group(1)
    assert 'aria-controls="site-menu"' in button.group(1)
    menu = html[html.index('<div class="site-menu" id="site-menu">') :]
    assert menu.index('aria-label="Main"') < menu.index('aria-label="Account"')
    # The script that folds it is a file (the CSP forbids inline scripts).
    assert re.search(r'<script src="/static/js/layout\.js" defer></script>', html)


def test_the_lesson_outline_is_a_details_before_the_lesson_text(course, clinician):
    client = client_for(clinician)
    client.post("/learn/enroll/", {"course": course.pk})
    _, second, _ = lessons_of(course)
    html = client.get(second.url).content.decode()
    outline = re.search(r'<details class="[^"]*lesson-outline[^"]*" data-open-wide>', html)
    assert outline, "the outline is not a <details> that opens on wide screens"
    assert "<summary>Course outline" in html
    assert "lesson 2 of 3" in html
    # Before the lesson's text, and not a heading before the lesson's h1.
    assert outline.start() < html.index("<h1>")
    assert not re.search(r"<h[2-6][^>]*>", html[outline.start() : html.index("<h1>")])


def test_a_completed_lesson_offers_the_next_lesson_in_its_action_bar(course, clinician):
    client = client_for(clinician)
    client.post("/learn/enroll/", {"course": course.pk})
    first, second, _ = lessons_of(course)
    client.get(first.url)
    client.post("/learn/heartbeat/", {"lesson": first.pk, "seconds": "0"})  # opens it
    client.post("/learn/complete/", {"lesson": first.pk})
    html = client.get(first.url).content.decode()
    bar = html[
        html.index('class="card lesson-complete"') : html.index(
            "</form>", html.index('class="card lesson-complete"')
        )
    ]
    assert (
        f'<a href="{second.url}">Next lesson<span class="visually-hidden">: {second.title}</span></a>'
    ) in bar
    html = client.get(second.url).content.decode()
    bar = html[html.index('class="card lesson-complete"') :]
    assert "Mark lesson complete" in bar[: bar.index("</form>")]
