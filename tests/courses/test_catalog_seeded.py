"""The catalog on the seeded launch modules (loaded as `seed_demo` loads them): a
search finds the course about the words first, on PostgreSQL and on SQLite (`make
run`'s default); a filter by credit category finds the course with ethics lessons,
and every card's time agrees with its credit."""

import re

import pytest

from courses.models import Accreditor, CourseCredit
from tests.courses import catalog_probe
from tests.courses.catalog_probe import FAILS, GOOD_ENOUGH, SEARCHES, cards
from tests.sqlite import sqlite_module_answers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


@pytest.fixture
def seeded():
    catalog_probe.seed()


def _titles(query: str = "") -> list[str]:
    return [title for title, _ in cards(query)]


def test_searches_rank_the_course_about_the_words_first(seeded):
    for query, course in SEARCHES.items():
        assert _titles(f"?q={query}")[0] == course, query


def test_a_search_shows_where_it_matched(seeded):
    (_title, card), *_ = cards("?q=futility")
    assert re.search(r'<p class="snippet">.*<mark>[Ff]utility</mark>', card, re.S)


def test_on_sqlite_searches_rank_and_mark_as_on_postgresql(seeded, tmp_path):
    """SQLite has no ts_rank and no ts_headline: the catalog ranks by Wagtail's
    SQLite full-text scores (bm25, which falls below zero as relevance grows) and
    marks the words itself. The same searches find the same course first, and the
    first card marks the words searched, on both databases."""
    postgresql = catalog_probe.probe()
    sqlite = sqlite_module_answers("tests.courses.catalog_probe", tmp_path)
    assert (postgresql["vendor"], sqlite["vendor"]) == ("postgresql", "sqlite")
    assert sqlite["backend"] == "SQLiteSearchBackend", "SQLite's full-text index, not LIKE"
    assert sqlite["catalog"] == postgresql["catalog"]
    # The searches must reorder the catalog to pass: these courses are not its first.
    assert sqlite["catalog"][0] not in (FAILS, GOOD_ENOUGH)
    for query, course in SEARCHES.items():
        for database in (postgresql, sqlite):
            found = database["searches"][query]
            assert found["titles"][0] == course, (database["vendor"], query, found["titles"])
            for term in query.split():
                assert re.search(rf"<mark>{term}</mark>", found["snippet"], re.I), (
                    database["vendor"], query, found["snippet"]
                )  # fmt: skip
        assert set(sqlite["searches"][query]["titles"]) == set(
            postgresql["searches"][query]["titles"]
        ), query


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
    for _title, card in cards():
        hours, minutes = re.search(
            r"<strong>([\d.]+) CE hours?</strong> · about (\d+) min", card
        ).groups()
        low = int(float(hours) * 60)
        assert low <= int(minutes) < low + 15, (hours, minutes)
