"""Reads of the catalog: filters, relevance, pages of results and their snippets."""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Prefetch, Sum, Value
from django.db.models.functions import Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import Tag
from wagtail.search.models import IndexEntry

from ..models import (
    Accreditor,
    CourseCredit,
    CoursePage,
    LessonPage,
)

#: Courses on one page of the catalog.
CATALOG_PAGE_SIZE = 12
#: A match in a lesson counts this much of a match in the course's own text.
LESSON_WEIGHT = 0.5
#: Words of a snippet, about.
SNIPPET_WORDS = 30
# What a headline puts around a match before it becomes <mark> (stripped from the text first).
_OPEN, _CLOSE = "\u27e6", "\u27e7"


@dataclass(frozen=True)
class CatalogFilters:
    """What the catalog filters by; empty values filter nothing."""

    q: str = ""
    profession: str = ""
    topic: str = ""
    category: str = ""
    accreditor_id: int | None = None
    level: str = ""
    delivery_format: str = ""
    max_hours: Decimal | None = None

    @property
    def any(self) -> bool:
        return any(value not in ("", None) for value in self.__dict__.values())


@dataclass
class CatalogResult:
    """One page of the catalog: its courses (credits and topics loaded), each with
    `snippet` (safe HTML with <mark>, "" when none) and `snippet_lesson` (the title
    of the lesson it comes from, "" for the course's own text)."""

    page: Page
    courses: list[CoursePage] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page.paginator.count


def catalog_page(*, index, filters: CatalogFilters, page_number=1) -> CatalogResult:
    """One page of the courses the filters find, in catalog order or by relevance when
    searching, with a snippet of where the search matched (constant queries)."""
    found = _filtered(index=index, filters=filters)
    lessons: dict[int, LessonPage] = {}
    if filters.q:
        ids, lessons = _by_relevance(index=index, query=filters.q, found=found)
    else:
        ids = list(found.order_by("path").values_list("pk", flat=True))
    page = Paginator(ids, CATALOG_PAGE_SIZE).get_page(page_number)
    courses = _load(list(page.object_list))
    if filters.q:
        _attach_snippets(courses, lessons=lessons, query=filters.q)
    return CatalogResult(page=page, courses=courses)


def _filtered(*, index, filters: CatalogFilters):
    courses = CoursePage.objects.live().public().descendant_of(index)
    # Accreditor, profession and category select one credit row together: "ethics
    # credit from ASWB ACE" is not ethics credit from one accreditor and ASWB's general.
    rows = {}
    if filters.profession:
        # Accreditors are few: pick those serving the profession here (portable across
        # databases), then filter courses by them in SQL.
        rows["accreditor_id__in"] = [
            a.pk
            for a in Accreditor.objects.only("pk", "professions")
            if filters.profession in a.professions
        ]
    if filters.accreditor_id is not None:
        rows["accreditor_id"] = filters.accreditor_id
    if filters.category:
        rows["category"] = filters.category
    if rows:
        courses = courses.filter(pk__in=CourseCredit.objects.filter(**rows).values("page_id"))
    if filters.topic:
        courses = courses.filter(topics__slug=filters.topic)
    if filters.level:
        courses = courses.filter(level=filters.level)
    if filters.delivery_format:
        courses = courses.filter(delivery_format=filters.delivery_format)
    if filters.max_hours is not None:
        # A course's hours are its largest total under any one accreditor.
        too_long = (
            CourseCredit.objects.values("page_id", "accreditor_id")
            .annotate(total=Sum("hours"))
            .filter(total__gt=filters.max_hours)
            .values("page_id")
        )
        courses = courses.exclude(pk__in=too_long)
    return courses


def _relevance(score) -> float:
    # PostgreSQL's ts_rank grows with relevance; SQLite's bm25 falls below zero with it.
    return abs(score or 0.0)


def _by_relevance(*, index, query: str, found) -> tuple[list[int], dict[int, LessonPage]]:
    """Course ids by relevance, and each course's best-matching lesson. A course ranks by
    the better of its own text's score and its best lesson's, weighted (LESSON_WEIGHT);
    ties keep catalog order. Two searches of the site's index, whatever the catalog's size."""
    paths = dict(found.order_by("path").values_list("pk", "path"))
    order = {pk: n for n, pk in enumerate(paths)}
    by_path = {path: pk for pk, path in paths.items()}
    rank: dict[int, float] = {}
    best_lesson: dict[int, LessonPage] = {}
    for course in (
        CoursePage.objects.live().public().descendant_of(index).search(query)
    ).annotate_score("_score"):
        if course.pk in paths:
            rank[course.pk] = max(rank.get(course.pk, 0.0), _relevance(course._score))
    for lesson in (
        LessonPage.objects.live().public().descendant_of(index).search(query)
    ).annotate_score("_score"):
        course_id = by_path.get(lesson.path[: -CoursePage.steplen])
        if course_id is None:
            continue
        best_lesson.setdefault(course_id, lesson)  # results come best first
        rank[course_id] = max(rank.get(course_id, 0.0), LESSON_WEIGHT * _relevance(lesson._score))
    return sorted(rank, key=lambda pk: (-rank[pk], order[pk])), best_lesson


def _load(ids: list[int]) -> list[CoursePage]:
    courses = (
        CoursePage.objects.filter(pk__in=ids)
        .select_related("hero_image")
        .prefetch_related(
            Prefetch(
                "credits",
                queryset=CourseCredit.objects.select_related("accreditor").order_by(
                    "accreditor__short_name", "category"
                ),
            ),
            "topics",
        )
    )
    position = {pk: n for n, pk in enumerate(ids)}
    return sorted(courses, key=lambda course: position[course.pk])


# --- Snippets ------------------------------------------------------------------------------


def _attach_snippets(courses: list[CoursePage], *, lessons: dict[int, LessonPage], query: str):
    """Each course's snippet: from its own text when the search matched there, else from
    its best-matching lesson (two queries, whatever the page's size)."""
    own = _snippets(CoursePage, [c.pk for c in courses], query=query)
    lesson_ids = [lessons[c.pk].pk for c in courses if c.pk in lessons]
    from_lessons = _snippets(LessonPage, lesson_ids, query=query)
    for course in courses:
        course.snippet, course.snippet_lesson = own.get(course.pk, ""), ""
        lesson = lessons.get(course.pk)
        if not course.snippet and lesson is not None and from_lessons.get(lesson.pk):
            course.snippet, course.snippet_lesson = from_lessons[lesson.pk], lesson.title


def _snippets(model, ids: list[int], *, query: str) -> dict[int, SafeString]:
    """{id: snippet with the matches marked} for the rows whose indexed text matches."""
    if not ids:
        return {}
    entries = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
        object_id__in=[str(pk) for pk in ids],
    )
    if connection.vendor == "postgresql":
        rows = _headlines_postgresql(entries, query=query)
    else:
        rows = {
            object_id: _headline_plain(text or "", query=query)
            for object_id, text in entries.values_list("object_id", "body")
        }
    return {int(object_id): snippet for object_id, snippet in rows.items() if snippet}


def _headlines_postgresql(entries, *, query: str) -> dict[str, SafeString]:
    # Strip the markers from the text first, so that only ts_headline's mark a match.
    text = Replace(Replace("body_text", Value(_OPEN), Value("")), Value(_CLOSE), Value(""))
    headline = SearchHeadline(
        text,
        SearchQuery(query, search_type="websearch"),
        start_sel=_OPEN,
        stop_sel=_CLOSE,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        max_fragments=1,
    )
    return {
        object_id: _marked(found)
        for object_id, found in entries.annotate(headline=headline).values_list(
            "object_id", "headline"
        )
    }


def _marked(headline: str, *, before: bool = True, after: bool = True) -> SafeString:
    """Escape the headline's text, then turn its markers into <mark>; "" when nothing
    matched. `before`, `after`: the text goes on there (an ellipsis)."""
    if _OPEN not in headline:
        return SafeString("")
    html = escape(headline).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return mark_safe(f"{'…' if before else ''}{html}{'…' if after else ''}")  # noqa: S308


def _headline_plain(text: str, *, query: str) -> SafeString:
    """The fallback without ts_headline (SQLite): the words around the first word that
    begins with a searched term, each such word marked."""
    terms = [t for t in re.findall(r"\w+", query.lower()) if len(t) > 1]
    if not terms:
        return SafeString("")
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)
    words = text.split()
    first = next((n for n, word in enumerate(words) if pattern.search(word)), None)
    if first is None:
        return SafeString("")
    start = max(0, first - SNIPPET_WORDS // 3)
    window = words[start : start + SNIPPET_WORDS]
    marked = " ".join(
        pattern.sub(lambda m: f"{_OPEN}{m.group(0)}{_CLOSE}", _unmarked(word)) for word in window
    )
    return _marked(marked, before=start > 0, after=start + SNIPPET_WORDS < len(words))


def _unmarked(text: str) -> str:
    return text.replace(_OPEN, "").replace(_CLOSE, "")


# --- What the filters offer ----------------------------------------------------------------


def catalog_topics(*, index) -> list:
    return list(
        Tag.objects.filter(courses_coursetopic_items__content_object__path__startswith=index.path)
        .distinct()
        .order_by("name")
    )


def catalog_accreditors(*, index) -> list[Accreditor]:
    """The accreditors under which some published course of the catalog gives credit."""
    live = CoursePage.objects.live().public().descendant_of(index).values("pk")
    return list(
        Accreditor.objects.filter(
            pk__in=CourseCredit.objects.filter(page__in=live).values("accreditor_id")
        ).order_by("short_name")
    )


# --- The home page -------------------------------------------------------------------------


def home_courses(*, featured: int = 3, recent: int = 3) -> dict[str, list[CoursePage]]:
    """The home page's courses: up to `featured` featured ones (catalog order), then the
    `recent` most recently published of the others. Constant queries."""
    live = CoursePage.objects.live().public()
    featured_ids = list(live.filter(featured=True).order_by("path").values_list("pk", flat=True))
    recent_ids = list(
        live.exclude(pk__in=featured_ids[:featured])
        .order_by("-first_published_at", "-pk")
        .values_list("pk", flat=True)[:recent]
    )
    courses = {c.pk: c for c in _load(featured_ids[:featured] + recent_ids)}
    return {
        "featured": [courses[pk] for pk in featured_ids[:featured]],
        "recent": [courses[pk] for pk in recent_ids],
    }
