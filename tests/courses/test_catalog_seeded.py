"""The catalog on the seeded launch modules (loaded as `seed_demo` loads them): a
search finds the course about the words first, a filter by credit category finds
the course with ethics lessons, and every card's time agrees with its credit."""

import re

import pytest
from django.test import Client

from courses.models import Accreditor, CourseCredit
from tests.factories import launch_module_as_seeded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

COUNTERTRANSFERENCE = "Countertransference as clinical information"
GOOD_ENOUGH = "The good enough therapist: perfectionism, repair, and the ethics of limits"
FAILS = "When treatment fails: futility, failure and the therapeutic relationship"


@pytest.fixture
def seeded():
    for slug in (
        "countertransference-as-information",
        "good-enough-therapist",
        "when-treatment-fails",
    ):
        launch_module_as_seeded(slug)


def _cards(query: str = "") -> list[tuple[str, str]]:
    response = Client().get("/courses/" + query)
    assert response.status_code == 200
    return re.findall(
        r'<h2 class="card-title"><a [^>]+>([^<]+)</a></h2>(.*?)</li>',
        response.content.decode(),
        re.S,
    )


def _titles(query: str = "") -> list[str]:
    return [title.replace("&#x27;", "'") for title, _ in _cards(query)]


def test_searches_rank_the_course_about_the_words_first(seeded):
    assert _titles("?q=countertransference")[0] == COUNTERTRANSFERENCE
    assert _titles("?q=perfectionism")[0] == GOOD_ENOUGH
    assert _titles("?q=futility")[0] == FAILS
    assert _titles("?q=deterioration dropout")[0] == FAILS


def test_a_search_shows_where_it_matched(seeded):
    (_title, card), *_ = _cards("?q=futility")
    assert re.search(r'<p class="snippet">.*<mark>[Ff]utility</mark>', card, re.S)


def test_the_ethics_filter_finds_the_course_with_ethics_credit(seeded):
    with_ethics = set(
        CourseCredit.objects.filter(category="ethics").values_list("page__title", flat=True)
    )
    assert with_ethics == {GOOD_ENOUGH}
    assert _titles("?category=ethics") == [GOOD_ENOUGH]
    nbcc = Accreditor.objects.get(short_name="NBCC")
    assert _titles(f"?category=ethics&accreditor={nbcc.pk}") == [GOOD_ENOUGH]
    assert _titles("?category=cultural_diversity") == []
    assert _titles("?level=introductory") == []
    assert len(_titles("?level=intermediate&format=self_paced_reading")) == 3


def test_every_card_gives_a_time_that_agrees_with_its_credit(seeded):
    for _title, card in _cards():
        hours, minutes = re.search(
            r"<strong>([\d.]+) CE hours?</strong> · about (\d+) min", card
        ).groups()
        low = int(float(hours) * 60)
        assert low <= int(minutes) < low + 15, (hours, minutes)
