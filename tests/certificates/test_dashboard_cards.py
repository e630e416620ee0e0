"""The dashboard's course cards are rendered from plain data and kept in the
process by that data (courses.templatetags.dashboard_cards): a dashboard seen
again with nothing changed renders no card, a card whose course moved on is
rendered afresh, and a kept card is the same HTML as a fresh one, in every state
a card can be in (not started, in progress, certificate being prepared, completed)."""

import pytest

from cms import site_cache
from courses.services import enrollment_create
from courses.templatetags import dashboard_cards
from tests import factories as make
from tests.courses.conftest import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("site_cache_on")]


@pytest.fixture(autouse=True)
def empty_memo(monkeypatch):
    monkeypatch.setattr(site_cache, "_memos", {})


@pytest.fixture
def renders(monkeypatch) -> list:
    """The cards rendered from the template (not taken from the memo)."""
    rendered = []
    original = dashboard_cards._render
    monkeypatch.setattr(
        dashboard_cards, "_render", lambda card: rendered.append(card) or original(card)
    )
    return rendered


def _cards(client) -> str:
    """The dashboard's course cards (up to the licenses that follow them)."""
    response = client.get("/dashboard/")
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('id="enrollments"')
    return page[start : page.index("data-dashboard-licenses", start)]


@pytest.fixture
def four_cards(deliver):
    """A clinician with a course in each state a card shows."""
    from certificates.models import Certificate

    apa = make.AccreditorFactory()
    user = make.clinician()
    enrollment_create(user=user, course=make.course_build(title="Not started", accreditors=[apa]))
    reading = make.course_build(title="In progress", accreditors=[apa])
    enrollment_create(user=user, course=reading)
    make.lesson_done(user=user, lesson=make.lessons_of(reading)[0])
    # Completed, its certificate still being prepared (no worker has rendered it) ...
    make.course_completed_by(user=user, title="Preparing", accreditors=[apa])
    # ... and completed with its certificate delivered.
    done, _ = make.course_completed_by(user=user, title="Done", accreditors=[apa])
    deliver(Certificate.objects.get(enrollment=done))
    return user


def test_a_kept_card_is_the_same_html_as_a_fresh_one_in_every_state(four_cards, renders, settings):
    client = client_for(four_cards)
    fresh = _cards(client)
    assert len(renders) == 4
    for title in ("Not started", "In progress", "Preparing", "Done"):
        assert title in fresh
    assert "You completed this course on" in fresh and "Next step:" in fresh
    assert "data-status-url=" in fresh  # a certificate step the page keeps current

    kept = _cards(client)
    assert len(renders) == 4  # nothing rendered again
    assert kept == fresh
    settings.SITE_CACHE_SECONDS = 0  # the memo off: every card from the template
    assert _cards(client) == fresh
    assert len(renders) == 8


def test_a_card_whose_course_moved_on_is_rendered_afresh_and_shows_it(renders):
    user = make.clinician()
    course = make.course_build(title="Stuck treatments", lessons=3)
    enrollment_create(user=user, course=course)
    client = client_for(user)
    assert 'value="0"' in _cards(client)
    make.lesson_done(user=user, lesson=make.lessons_of(course)[0])
    cards = _cards(client)
    assert 'aria-valuetext="1 of 3 lessons"' in cards
    assert len(renders) == 2


def test_two_clinicians_never_share_a_card(renders):
    course = make.course_build(title="Stuck treatments")
    first, second = make.clinician(), make.clinician(full_name="Sam Okafor")
    ids = [enrollment_create(user=u, course=course).pk for u in (first, second)]
    assert f'data-enrollment="{ids[0]}"' in _cards(client_for(first))
    assert f'data-enrollment="{ids[1]}"' in _cards(client_for(second))
    assert len(renders) == 2


def test_the_memo_keeps_only_its_newest_cards(monkeypatch):
    monkeypatch.setattr(dashboard_cards, "MEMO_ENTRIES", 2)
    course = make.course_build(title="Stuck treatments")
    for name in ("Ann One", "Bo Two", "Cy Three"):
        user = make.clinician(full_name=name)
        enrollment_create(user=user, course=course)
        _cards(client_for(user))
    assert site_cache.memo_kept(dashboard_cards.MEMO_KIND) == 2


def test_a_card_seen_again_stays_kept_while_others_come_and_go(monkeypatch, renders):
    """The memo drops the card used longest ago, not the one made first: a
    clinician back on the dashboard keeps theirs while others come and go."""
    monkeypatch.setattr(dashboard_cards, "MEMO_ENTRIES", 2)
    course = make.course_build(title="Stuck treatments")
    clients = []
    for name in ("Ann One", "Bo Two", "Cy Three"):
        user = make.clinician(full_name=name)
        enrollment_create(user=user, course=course)
        clients.append(client_for(user))
    regular, second, third = clients
    _cards(regular)
    _cards(second)
    _cards(regular)  # seen again: the newest used
    _cards(third)  # the memo is full: the second's card goes, not the regular's
    assert len(renders) == 3
    _cards(regular)
    assert len(renders) == 3
    _cards(second)
    assert len(renders) == 4
