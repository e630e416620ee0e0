"""The catalog at /courses/: filters by profession, topic and credit hours, and
Wagtail search over courses and their lessons."""

import re

import pytest
from django.test import Client

from courses.models import LessonPage
from tests.factories import AccreditorFactory, catalog_get, course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


@pytest.fixture
def catalog():
    catalog = catalog_get()
    apa = AccreditorFactory()
    aswb = AccreditorFactory(
        short_name="ASWB ACE",
        name="ASWB Approved Continuing Education",
        professions=["social_worker"],
    )
    short = course_build(
        title="Alliance ruptures", lessons=1, hours="0.25", accreditors=[apa],
        summary="Noticing and repairing ruptures.",
    )  # fmt: skip
    short.topics.add("alliance")
    short.save_revision().publish()
    long = course_build(
        title="Supervising trainees", lessons=2, words_per_lesson=12_000, hours="2",
        accreditors=[apa, aswb], summary="Supervision for new supervisors.",
    )  # fmt: skip
    long.topics.add("supervision", "ethics")
    long.save_revision().publish()
    lesson = LessonPage.objects.child_of(long).first()
    lesson.body = [
        *lesson.body.raw_data,
        {"type": "paragraph", "value": "<p>The parallel-process phenomenon, explained.</p>"},
    ]
    lesson.save_revision().publish()
    course_build(title="Unpublished draft", lessons=1, hours="0.25", publish=False)
    return catalog


def _titles(query: str = "") -> list[str]:
    response = Client().get("/courses/" + query)
    assert response.status_code == 200
    return re.findall(
        r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a></h2>', response.content.decode()
    )


def test_catalog_lists_published_courses_only(catalog):
    assert _titles() == ["Alliance ruptures", "Supervising trainees"]


def test_filter_by_profession(catalog):
    assert _titles("?profession=social_worker") == ["Supervising trainees"]
    assert _titles("?profession=psychologist") == ["Alliance ruptures", "Supervising trainees"]
    assert _titles("?profession=counselor") == []
    assert _titles("?profession=nonsense") == ["Alliance ruptures", "Supervising trainees"]


def test_filter_by_topic(catalog):
    assert _titles("?topic=supervision") == ["Supervising trainees"]
    assert _titles("?topic=alliance") == ["Alliance ruptures"]
    assert _titles("?topic=unknown") == []


def test_filter_by_credit_hours(catalog):
    assert _titles("?hours=1") == ["Alliance ruptures"]
    assert _titles("?hours=2") == ["Alliance ruptures", "Supervising trainees"]
    assert _titles("?hours=0.1") == []
    assert _titles("?hours=NaN") == ["Alliance ruptures", "Supervising trainees"]
    assert _titles("?hours=lots") == ["Alliance ruptures", "Supervising trainees"]


def test_filters_combine(catalog):
    assert _titles("?profession=psychologist&topic=ethics&hours=3") == ["Supervising trainees"]
    assert _titles("?profession=social_worker&hours=1") == []


def test_search_finds_courses_by_their_text_and_by_their_lessons(catalog):
    assert _titles("?q=ruptures") == ["Alliance ruptures"]
    assert _titles("?q=parallel-process") == ["Supervising trainees"], "found through a lesson"
    assert _titles("?q=supervisors") == ["Supervising trainees"]
    assert _titles("?q=zeugma") == []
    assert _titles("?q=draft") == [], "unpublished courses are not found"


def test_catalog_shows_filters_with_labels_and_each_courses_credit(catalog):
    html = Client().get("/courses/?profession=social_worker").content.decode()
    for field in ("q", "profession", "topic", "hours"):
        assert f'<label for="{field}">' in html
        assert f'id="{field}" name="{field}"' in html
    assert '<option value="social_worker" selected>' in html
    assert "1 course matches" in html
    assert "2.00 CE hours" in html
    assert '<span class="tag">ASWB ACE</span>' in html
