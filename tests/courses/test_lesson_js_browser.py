"""cms/static/js/lesson.js in real headless Chromium: heartbeats go out only while
the tab is visible and the reader has used the page in the last five minutes,
each claiming the seconds since the previous one. The browser's clock is
Playwright's fake clock, so minutes pass without waiting; the server side of the
rule (what is credited) is tested in test_heartbeats.py."""

from urllib.parse import parse_qs

import pytest
from django.test import Client

from courses.services import enrollment_create
from tests.factories import UserFactory, course_build, lessons_of

# A live server needs committed rows: a transactional test. Its course is built from
# scratch (courses.seed and cms.seed rebuild what an earlier flush removed).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("isolated_registry"),
]

MINUTE = 60_000


def _claims(beat: dict, seconds: int) -> bool:
    """The fake clock still runs in real time between steps: allow a second or two."""
    return seconds <= int(beat["seconds"]) <= seconds + 2


@pytest.fixture
def reading(live_server, monkeypatch):
    """An enrolled clinician's browser on a lesson, with a fake clock and a log of beats.
    The browser is closed before the test database is flushed."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS, chromium_path

    # Playwright's sync API runs an event loop in this thread; ORM calls stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    user = UserFactory()
    course = course_build(lessons=2)
    enrollment_create(user=user, course=course)
    lesson = lessons_of(course)[0]
    client = Client()
    client.force_login(user)
    lesson_url = live_server.url + lesson.url  # every ORM call before the browser starts
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    beats: list[dict] = []
    errors: list[str] = []

    def record(request):
        if request.method == "POST" and request.url.endswith("/learn/heartbeat/"):
            beats.append({k: v[0] for k, v in parse_qs(request.post_data or "").items()})

    page.on("request", record)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.install()
    page.goto(lesson_url)
    page.wait_for_load_state("networkidle")
    try:
        yield page, beats, lesson
        assert errors == []
    finally:
        context.close()
        chromium.close()
        playwright.stop()


def _set_visibility(page, state: str):
    page.evaluate(
        """state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""",
        state,
    )


def test_beats_while_the_reader_is_active_and_stops_when_idle(reading):
    page, beats, lesson = reading
    assert beats == [{"lesson": str(lesson.pk), "seconds": "0"}], "the baseline beat"

    page.mouse.move(200, 300)
    page.clock.run_for(30_000)
    page.wait_for_load_state("networkidle")
    assert beats[-1]["lesson"] == str(lesson.pk) and _claims(beats[-1], 30)

    # No input for six minutes: beats continue up to five minutes after the last input, then stop.
    count = len(beats)
    page.clock.run_for(6 * MINUTE)
    page.wait_for_load_state("networkidle")
    assert 8 <= len(beats) - count <= 10
    count = len(beats)
    page.clock.run_for(2 * MINUTE)
    assert len(beats) == count, "idle: no beats"

    # Input again: beating resumes, each beat claiming only its own interval.
    page.keyboard.press("ArrowDown")
    page.clock.run_for(30_000)
    page.wait_for_load_state("networkidle")
    assert _claims(beats[-1], 30)


def test_a_hidden_tab_does_not_beat_and_returns_with_a_fresh_baseline(reading):
    page, beats, lesson = reading
    page.mouse.move(100, 100)
    page.clock.run_for(10_000)
    _set_visibility(page, "hidden")
    page.wait_for_load_state("networkidle")
    assert _claims(beats[-1], 10), "the stretch read before leaving"

    count = len(beats)
    page.clock.run_for(5 * MINUTE)
    assert len(beats) == count, "no beats while hidden"

    _set_visibility(page, "visible")
    page.wait_for_load_state("networkidle")
    assert beats[-1] == {"lesson": str(lesson.pk), "seconds": "0"}, "time away is never claimed"
    page.clock.run_for(30_000)
    page.wait_for_load_state("networkidle")
    # The next beat claims only the time since coming back (the interval keeps its phase).
    assert 0 < int(beats[-1]["seconds"]) <= 32
