"""The catalog at /courses/: filters by credit category, accreditor, profession,
level, format, topic and credit hours, kept in the URL; search over courses and
their lessons, best matches first, with the matched words marked; pages of results."""

import re

import pytest
from django.test import Client

from courses.models import CoursePage, LessonPage
from courses.selectors import CATALOG_PAGE_SIZE
from courses.selectors.catalog import _headline_plain
from tests.factories import AccreditorFactory, catalog_get, course_build, course_build_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]


def _lesson_says(course, html: str) -> None:
    lesson = LessonPage.objects.child_of(course).first()
    lesson.body = [*lesson.body.raw_data, {"type": "paragraph", "value": html}]
    lesson.save_revision().publish()


@pytest.fixture
def catalog():
    catalog = catalog_get()
    apa = AccreditorFactory(delivery_formats=["self_paced_reading", "self_paced_multimedia"])
    aswb = AccreditorFactory(
        short_name="ASWB ACE",
        name="ASWB Approved Continuing Education",
        professions=["social_worker"],
        delivery_formats=["self_paced_reading", "self_paced_multimedia"],
    )
    short = course_build(
        title="Alliance ruptures", lessons=1, hours="0.25", accreditors=[apa],
        summary="Noticing and repairing ruptures.", level="introductory", estimated_minutes=15,
    )  # fmt: skip
    short.topics.add("alliance")
    short.save_revision().publish()
    long = course_build(
        title="Supervising trainees", lessons=2, words_per_lesson=12_000, hours="2",
        accreditors=[apa, aswb], summary="Supervision for new supervisors.",
        delivery_format="self_paced_multimedia", estimated_minutes=45,
    )  # fmt: skip
    long.topics.add("supervision", "ethics")
    long.save_revision().publish()
    _lesson_says(long, "<p>The parallel-process phenomenon, explained.</p>")
    course_build_in(
        category="ethics", title="Boundaries in small communities", accreditors=[aswb],
        summary="Dual relationships where everyone knows everyone.", level="advanced",
    )  # fmt: skip
    course_build(title="Unpublished draft", lessons=1, hours="0.25", publish=False)
    return catalog


def _get(query: str = "") -> str:
    response = Client().get("/courses/" + query)
    assert response.status_code == 200
    return response.content.decode()


def _titles(query: str = "") -> list[str]:
    return re.findall(r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a></h2>', _get(query))


ALL = ["Alliance ruptures", "Supervising trainees", "Boundaries in small communities"]


def test_catalog_lists_published_courses_only_in_catalog_order(catalog):
    assert _titles() == ALL


def test_filter_by_credit_category(catalog):
    assert _titles("?category=ethics") == ["Boundaries in small communities"]
    assert _titles("?category=general") == ["Alliance ruptures", "Supervising trainees"]
    assert _titles("?category=cultural_diversity") == []


def test_filter_by_accreditor(catalog):
    aswb = AccreditorFactory(short_name="ASWB ACE")
    apa = AccreditorFactory(short_name="APA")
    assert _titles(f"?accreditor={aswb.pk}") == [
        "Supervising trainees",
        "Boundaries in small communities",
    ]
    assert _titles(f"?accreditor={apa.pk}") == ["Alliance ruptures", "Supervising trainees"]


def test_accreditor_and_category_select_the_same_credit(catalog):
    """Ethics credit from APA: Supervising trainees has APA credit and ASWB credit,
    but no ethics credit from APA."""
    apa = AccreditorFactory(short_name="APA")
    aswb = AccreditorFactory(short_name="ASWB ACE")
    assert _titles(f"?accreditor={apa.pk}&category=ethics") == []
    assert _titles(f"?accreditor={aswb.pk}&category=ethics") == ["Boundaries in small communities"]
    assert _titles("?profession=psychologist&category=ethics") == []


def test_filter_by_level_and_format(catalog):
    assert _titles("?level=introductory") == ["Alliance ruptures"]
    assert _titles("?level=advanced") == ["Boundaries in small communities"]
    assert _titles("?format=self_paced_multimedia") == ["Supervising trainees"]
    assert _titles("?format=live_webinar") == []


def test_filter_by_profession(catalog):
    assert _titles("?profession=social_worker") == [
        "Supervising trainees",
        "Boundaries in small communities",
    ]
    assert _titles("?profession=psychologist") == ["Alliance ruptures", "Supervising trainees"]
    assert _titles("?profession=counselor") == []


def test_filter_by_topic(catalog):
    assert _titles("?topic=supervision") == ["Supervising trainees"]
    assert _titles("?topic=alliance") == ["Alliance ruptures"]


def test_filter_by_credit_hours(catalog):
    assert _titles("?hours=1") == ["Alliance ruptures", "Boundaries in small communities"]
    assert _titles("?hours=2") == ALL
    assert _titles("?hours=0.1") == []


@pytest.mark.parametrize(
    "query",
    [
        "?profession=nonsense",
        "?category=astrology",
        "?accreditor=999999",
        "?accreditor=abc",
        "?accreditor=" + "9" * 30,
        "?level=expert",
        "?format=carrier-pigeon",
        "?topic=unknown",
        "?hours=NaN",
        "?hours=lots",
        "?page=zero",
        "?page=999999",
    ],
)
def test_a_value_that_is_no_choice_filters_nothing(catalog, query):
    assert _titles(query) == ALL


def test_filters_combine(catalog):
    assert _titles("?profession=psychologist&topic=ethics&hours=3") == ["Supervising trainees"]
    assert _titles("?profession=social_worker&hours=1&level=advanced") == [
        "Boundaries in small communities"
    ]
    assert _titles("?profession=social_worker&level=introductory") == []


def test_search_finds_courses_by_their_text_and_by_their_lessons(catalog):
    assert _titles("?q=ruptures") == ["Alliance ruptures"]
    assert _titles("?q=parallel-process") == ["Supervising trainees"], "found through a lesson"
    assert _titles("?q=supervisors") == ["Supervising trainees"]
    assert _titles("?q=zeugma") == []
    assert _titles("?q=draft") == [], "unpublished courses are not found"


def test_search_and_filters_combine(catalog):
    assert _titles("?q=supervisors&profession=social_worker") == ["Supervising trainees"]
    assert _titles("?q=supervisors&level=advanced") == []


def test_the_best_match_comes_first_whatever_the_catalog_order(catalog):
    apa = AccreditorFactory(short_name="APA")
    once = course_build(
        title="Consultation groups", accreditors=[apa], summary="Peer consultation for clinicians."
    )
    _lesson_says(once, "<p>Sometimes a group discusses grief.</p>")
    course_build(
        title="Grief and bereavement",
        accreditors=[apa],
        summary="Grief after a death: grief's course, complicated grief, grief in the family.",
    )
    # Catalog order puts "Consultation groups" first; relevance puts the course about grief first.
    assert _titles("?q=grief") == ["Grief and bereavement", "Consultation groups"]
    assert _titles("?q=grief&page=1") == ["Grief and bereavement", "Consultation groups"]


def test_a_match_in_the_course_ranks_above_a_match_in_a_lesson_alone(catalog):
    apa = AccreditorFactory(short_name="APA")
    in_lesson = course_build(title="Working with couples", accreditors=[apa])
    _lesson_says(in_lesson, "<p>Mentalization in couples work.</p>")
    course_build(
        title="Mentalization basics", accreditors=[apa], summary="An introduction to mentalization."
    )
    assert _titles("?q=mentalization") == ["Mentalization basics", "Working with couples"]


def test_search_results_mark_where_the_words_matched(catalog):
    html = _get("?q=parallel-process")
    card = html.split('<h2 class="card-title">')[1]
    assert "In the lesson “Lesson 1”:" in card
    snippet = re.search(r'<p class="snippet">(.*?)</p>', card, re.S).group(1)
    # ts_headline marks each part of a hyphenated word.
    assert "The <mark>parallel</mark>-<mark>process</mark> phenomenon" in snippet, snippet
    own = _get("?q=supervisors").split('<h2 class="card-title">')[1]
    assert "<mark>supervisors</mark>" in own and "In the lesson" not in own


def test_snippets_escape_the_indexed_text(catalog):
    apa = AccreditorFactory(short_name="APA")
    course_build(
        title="Doses", accreditors=[apa], summary='When 5 < 6 & "zanzibar" > 3 <img src=x>.'
    )
    card = _get("?q=zanzibar").split('<h2 class="card-title">')[1]
    snippet = re.search(r'<p class="snippet">(.*?)</p>', card, re.S).group(1)
    assert "5 &lt; 6 &amp; &quot;<mark>zanzibar</mark>&quot; &gt; 3" in snippet
    assert re.sub(r"</?mark>", "", snippet).count("<") == 0


def test_the_fallback_snippet_marks_words_beginning_with_a_searched_term():
    text = " ".join(f"w{n}" for n in range(60)) + " the Ruptures <b>repair</b> " + "tail " * 40
    snippet = _headline_plain(text, query="rupture")
    assert "<mark>Ruptures</mark>" in snippet
    assert "&lt;b&gt;repair&lt;/b&gt;" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert _headline_plain("nothing here", query="rupture") == ""
    assert _headline_plain("anything", query="a") == "", "one-letter terms mark nothing"


def test_results_come_in_pages_that_keep_the_filters(catalog):
    apa = AccreditorFactory(short_name="APA")
    for n in range(CATALOG_PAGE_SIZE + 2):
        course_build(title=f"Extra course {n:02d}", accreditors=[apa], level="advanced")
    first = _get("?level=advanced")
    assert len(re.findall(r'class="card-title"', first)) == CATALOG_PAGE_SIZE
    assert "15 courses match · page 1 of 2" in first
    assert '<nav class="pagination" aria-label="Pages of courses">' in first
    assert 'href="?level=advanced&amp;page=2" rel="next"' in first
    assert 'href="?level=advanced&amp;page=1" aria-current="page"' in first
    assert _titles("?level=advanced&page=2") == [
        "Extra course 11",
        "Extra course 12",
        "Extra course 13",
    ]


def test_the_filter_form_keeps_the_choices_in_the_url_and_labels_each_field(catalog):
    aswb = AccreditorFactory(short_name="ASWB ACE")
    html = _get(f"?q=trainees&category=general&accreditor={aswb.pk}&level=intermediate")
    assert 'role="search" aria-label="Search and filter courses"' in html
    assert "<legend>Filter courses</legend>" in html
    for name in ("q", "category", "accreditor", "profession", "level", "format", "hours", "topic"):
        assert f'<label for="{name}">' in html
        assert re.search(rf'<(input|select)[^>]*name="{name}"[^>]*id="{name}"', html) or re.search(
            rf'<(input|select)[^>]*id="{name}"[^>]*name="{name}"', html
        )
    assert 'value="trainees"' in html
    assert '<option value="general" selected>' in html
    assert f'<option value="{aswb.pk}" selected>ASWB ACE</option>' in html
    assert '<option value="intermediate" selected>' in html
    assert 'role="status"' in html and "1 course matches, best matches first" in html


def test_each_card_shows_its_credit_and_a_time_that_agrees_with_it(catalog):
    html = _get()
    cards = dict(
        re.findall(r'<h2 class="card-title"><a [^>]+>([^<]+)</a></h2>(.*?)</li>', html, re.S)
    )
    # 0.25 h, estimated 15 min: agrees, shown as authored.
    assert "<strong>0.25 CE hours</strong> · about 15 min" in cards["Alliance ruptures"]
    # 2 h, estimated 45 min by its author: the card shows the credit's own 120 min.
    assert "<strong>2 CE hours</strong> · about 120 min" in cards["Supervising trainees"]
    assert '<span class="tag">ASWB ACE 2 h</span>' in cards["Supervising trainees"]
    assert "ASWB ACE, ethics 0.5 h" in cards["Boundaries in small communities"]
    assert "2.00" not in html


def test_the_course_page_shows_the_same_time_as_its_card(catalog):
    course = CoursePage.objects.get(title="Supervising trainees")
    html = Client().get(course.url).content.decode()
    assert "120 minutes" in html and "45 minutes" not in html


def test_the_home_page_shows_featured_then_recent_courses(catalog):
    featured = CoursePage.objects.get(title="Supervising trainees")
    featured.featured = True
    featured.save_revision().publish()
    home = Client().get("/").content.decode()
    sections = re.findall(r'<h2 id="(\w+)-heading">([^<]+)</h2>(.*?)</section>', home, re.S)
    assert [(key, heading) for key, heading, _ in sections] == [
        ("featured", "Featured courses"),
        ("recent", "Recently added"),
    ]
    cards = {
        key: re.findall(r'<h3 class="card-title"><a [^>]+>([^<]+)</a>', body)
        for key, _, body in sections
    }
    assert cards["featured"] == ["Supervising trainees"]
    # The most recently published first; the featured course is not repeated; drafts never.
    assert cards["recent"] == ["Boundaries in small communities", "Alliance ruptures"]
    assert "about 120 min" in home
