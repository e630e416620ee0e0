"""Every lesson block renders (for an enrolled clinician, as the lesson page
shows it), headings never skip a level whichever block comes first, and the word
count reads the text a clinician reads."""

from html.parser import HTMLParser
from itertools import pairwise

import pytest
import wagtail_factories
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from courses.blocks import LessonStreamBlock, lesson_heading_levels
from courses.models import LessonPage
from courses.services import enrollment_create
from courses.wordcount import hours_from_words, stream_word_count, text_word_count
from tests.courses.conftest import client_for
from tests.factories import course_build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("isolated_registry")]

VIDEO_URL = "https://www.youtube.com/watch?v=abcdefghijk"


@pytest.fixture
def video_embed():
    """The oEmbed answer Wagtail caches for the video, so no test reaches YouTube."""
    return Embed.objects.create(
        url=VIDEO_URL,
        hash=get_embed_hash(VIDEO_URL),
        type="video",
        html=(
            '<iframe width="560" height="315" src="https://www.youtube.com/embed/abcdefghijk'
            '?feature=oembed" frameborder="0" allowfullscreen></iframe>'
        ),
        title="Repairing a rupture",
        provider_name="YouTube",
    )


def every_block(*, image, document) -> list[dict]:
    return [
        {"type": "paragraph", "value": "<p>Ruptures are <b>normal</b> events.</p>"},
        {"type": "heading", "value": {"text": "Noticing ruptures", "level": "h2"}},
        {
            "type": "pull_quote",
            "value": {"quote": "The alliance is repaired, not kept.", "attribution": "Safran"},
        },
        {
            "type": "case_vignette",
            "value": {
                "title": "Maria withdraws",
                "body": "<p>Maria goes quiet after a tough question.</p>",
                "notice": "Composite case: names and identifying details are fictional.",
            },
        },
        {"type": "reflection_prompt", "value": {"prompt": "When did a client go quiet on you?"}},
        {
            "type": "video",
            "value": {
                "video": VIDEO_URL,
                "title": "Repairing a rupture",
                "transcript": "<p>Therapist: I noticed you went quiet.</p>",
                "minutes": 4,
            },
        },
        {
            "type": "image",
            "value": {
                "image": image.pk,
                "alt_text": "A therapist and a client sitting at an angle",
                "caption": "Seating at an angle eases eye contact.",
            },
        },
        {
            "type": "document",
            "value": {
                "document": document.pk,
                "title": "Rupture markers checklist",
                "description": "One page, printable",
            },
        },
        {
            "type": "key_takeaways",
            "value": {"items": ["Name the rupture.", "Invite the client's view."]},
        },
        {
            "type": "callout",
            "value": {
                "tone": "ethics",
                "title": "Document repairs",
                "body": "<p>Note the repair in the record.</p>",
            },
        },
    ]


def test_a_lesson_with_every_block_renders_each_of_them(video_embed, clinician):
    image = wagtail_factories.ImageFactory(title="Seating")
    document = wagtail_factories.DocumentFactory(title="Checklist")
    body = every_block(image=image, document=document)
    assert {b["type"] for b in body} == set(LessonStreamBlock.base_blocks), "every block type"
    course = course_build(lessons=1, hours="0.25")
    lesson = LessonPage.objects.child_of(course).get()
    lesson.body = body
    lesson.save_revision().publish()
    enrollment_create(user=clinician, course=course)

    response = client_for(clinician).get(lesson.url)
    assert response.status_code == 200
    html = response.content.decode()
    prompt_id = next(
        b.id
        for b in LessonPage.objects.get(pk=lesson.pk).body
        if b.block_type == "reflection_prompt"
    )

    assert "<p>Ruptures are <b>normal</b> events.</p>" in html
    assert "<h2>Noticing ruptures</h2>" in html
    # Titled blocks under the h2 section are h3s, styled as before.
    assert (
        '<blockquote class="block-quote"><p>The alliance is repaired, not kept.</p><footer>— Safran</footer></blockquote>'
        in html
    )
    assert '<section class="block-vignette" aria-label="Case vignette: Maria withdraws">' in html
    assert '<h3 class="as-h3">Case vignette: Maria withdraws</h3>' in html
    assert (
        '<p class="notice">Composite case: names and identifying details are fictional.</p>' in html
    )
    assert f'<h3 id="reflect-{prompt_id}" class="as-h3">Reflect</h3>' in html
    assert f'<textarea id="journal-{prompt_id}" name="text"' in html
    assert (
        '<iframe title="Repairing a rupture" width="560" height="315" src="https://www.youtube-nocookie.com/embed/abcdefghijk'
        in html
    )
    assert "Therapist: I noticed you went quiet." in html
    assert "<figcaption>Repairing a rupture (4 min)</figcaption>" in html
    assert 'alt="A therapist and a client sitting at an angle"' in html
    assert "<figcaption>Seating at an angle eases eye contact.</figcaption>" in html
    assert f'<a href="{document.url}" download>Rupture markers checklist</a>' in html
    assert "One page, printable" in html
    assert (
        '<section class="block-takeaways" aria-label="Key takeaways"><h3 class="as-h3">Key takeaways</h3><ul><li>Name the rupture.</li><li>Invite the client&#x27;s view.</li></ul></section>'
        in html
    )
    assert '<aside class="block-callout tone-ethics" aria-label="Ethics: Document repairs">' in html
    assert '<h3 class="as-h3">Document repairs</h3>' in html
    assert "<p>Note the repair in the record.</p>" in html


# --- Heading order (WCAG 1.3.1; axe-core's `heading-order`) ---------------------------------


class _Headings(HTMLParser):
    """The page's headings in document order: (level, class, text)."""

    def __init__(self):
        super().__init__()
        self.headings: list[tuple[int, str, str]] = []
        self.mismatched: list[str] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            if self._open is not None:
                self.mismatched.append(f"<{tag}> inside <h{self._open[0]}>")
            self._open = [int(tag[1]), dict(attrs).get("class") or "", ""]

    def handle_data(self, data):
        if self._open is not None:
            self._open[2] += data

    def handle_endtag(self, tag):
        if len(tag) == 2 and tag[0] == "h" and tag[1] in "123456":
            if self._open is None or tag != f"h{self._open[0]}":
                self.mismatched.append(f"</{tag}> closes {self._open and self._open[0]}")
                return
            level, css_class, text = self._open
            self.headings.append((level, css_class, " ".join(text.split())))
            self._open = None


def headings_of(html: str) -> list[tuple[int, str, str]]:
    parser = _Headings()
    parser.feed(html)
    parser.close()
    assert parser.mismatched == [], "every heading closes with its own level"
    assert parser._open is None, "no heading left open"
    return parser.headings


def skipped_levels(headings) -> list[tuple]:
    """Pairs where a heading is more than one level below the heading before it."""
    return [(before, after) for before, after in pairwise(headings) if after[0] > before[0] + 1]


def article_of(html: str) -> str:
    start = html.index('<article class="prose lesson"')
    return html[start : html.index("</article>", start)]


H3_HEADING = {"type": "heading", "value": {"text": "A subsection", "level": "h3"}}
# Blocks whose rich text holds headings (Draftail's "h3" feature), as the editor stores them.
RICH_HEADING_VARIANTS = {
    "heading (h3)": H3_HEADING,
    "paragraph with a heading": {
        "type": "paragraph",
        "value": '<h3 data-block-key="k1">Why it matters</h3><p data-block-key="k2">Because.</p>',
    },
    "video with headings in its transcript": {
        "type": "video",
        "value": {
            "video": VIDEO_URL,
            "title": "Repairing a rupture",
            "transcript": '<h3 data-block-key="t1">Part one</h3><p data-block-key="t2">T.</p>',
            "minutes": 4,
        },
    },
    "case vignette with a heading in its body": {
        "type": "case_vignette",
        "value": {
            "title": "Ana returns",
            "body": '<h3 data-block-key="v1">Session 3</h3><p data-block-key="v2">She came back.</p>',
            "notice": "Composite case: names and identifying details are fictional.",
        },
    },
}
FIRST_BLOCKS = [
    *LessonStreamBlock.base_blocks,  # each block type, as `every_block` writes it
    *RICH_HEADING_VARIANTS,
]


@pytest.fixture
def render_lesson(video_embed, clinician):
    """Publishes a lesson body and returns its page's HTML, as an enrolled clinician gets it."""
    course = course_build(lessons=1, hours="0.25")
    lesson = LessonPage.objects.child_of(course).get()
    enrollment_create(user=clinician, course=course)
    client = client_for(clinician)

    def render(body: list[dict]) -> str:
        lesson.body = body
        lesson.save_revision().publish()
        response = client.get(lesson.url)
        assert response.status_code == 200
        return response.content.decode()

    return render


@pytest.mark.parametrize("first", FIRST_BLOCKS)
def test_headings_never_skip_a_level_whichever_block_comes_first(first, render_lesson):
    image = wagtail_factories.ImageFactory(title="Seating")
    document = wagtail_factories.DocumentFactory(title="Checklist")
    blocks = every_block(image=image, document=document)
    first_block = RICH_HEADING_VARIANTS.get(first) or next(b for b in blocks if b["type"] == first)
    # Then every block after an h3 section, after an h2 section, and after rich-text headings.
    body = [first_block, H3_HEADING, *blocks, H3_HEADING, *blocks, *RICH_HEADING_VARIANTS.values()]

    headings = headings_of(render_lesson(body))

    assert headings[0][0] == 1, "the lesson title is the first heading"
    assert [h for h in headings if h[0] == 1] == [headings[0]], "one h1"
    assert skipped_levels(headings) == []
    # Every heading the blocks carry was rendered (none lost to the re-levelling).
    texts = [text for _, _, text in headings]
    for expected in ("Reflect", "Key takeaways", "Document repairs", "Part one", "Session 3"):
        assert expected in texts


def test_heading_levels_follow_the_lesson_structure(render_lesson):
    body = [
        {"type": "reflection_prompt", "value": {"prompt": "What do you expect?"}},
        H3_HEADING,
        {
            "type": "callout",
            "value": {"tone": "info", "title": "A note", "body": "<p>Note.</p>"},
        },
        {"type": "heading", "value": {"text": "A section", "level": "h2"}},
        {"type": "heading", "value": {"text": "Its subsection", "level": "h3"}},
        {"type": "key_takeaways", "value": {"items": ["One."]}},
        RICH_HEADING_VARIANTS["paragraph with a heading"],
        RICH_HEADING_VARIANTS["case vignette with a heading in its body"],
        {"type": "heading", "value": {"text": "Another section", "level": "h2"}},
        RICH_HEADING_VARIANTS["video with headings in its transcript"],
    ]

    headings = headings_of(article_of(render_lesson(body)))

    assert [(level, text) for level, _, text in headings] == [
        (1, "Lesson 1"),
        (2, "Reflect"),  # first thing in the lesson: under the h1
        (2, "A subsection"),  # an "h3" before any h2 is rendered as an h2 ...
        (3, "A note"),
        (2, "A section"),
        (3, "Its subsection"),
        (4, "Key takeaways"),  # a titled block sits below the section it is in
        (3, "Why it matters"),  # rich-text h3 after an h3: stays an h3
        (4, "Case vignette: Ana returns"),
        (5, "Session 3"),  # headings in a vignette's body sit below its title
        (2, "Another section"),
        (3, "Part one"),  # a transcript's headings sit in the current section
    ]
    # ... and every moved heading keeps its authored look.
    classes = {text: css_class for _, css_class, text in headings}
    assert classes["A subsection"] == "as-h3"
    assert classes["Its subsection"] == ""
    assert classes["Reflect"] == classes["Key takeaways"] == classes["A note"] == "as-h3"
    assert classes["Session 3"] == "as-h3"


def test_lesson_heading_levels_of_a_stream():
    stream = LessonStreamBlock().to_python(
        [
            {"type": "callout", "value": {"tone": "info", "title": "T", "body": "<p>B.</p>"}},
            {"type": "heading", "value": {"text": "S", "level": "h3"}},
            {"type": "paragraph", "value": "<h3>R</h3><p>P.</p>"},
            {"type": "reflection_prompt", "value": {"prompt": "Q"}},
            {"type": "heading", "value": {"text": "S2", "level": "h2"}},
            {"type": "pull_quote", "value": {"quote": "Q", "attribution": ""}},
        ]
    )
    assert [level for _, level in lesson_heading_levels(stream)] == [2, 2, 3, 4, 2, 3]


@pytest.mark.parametrize("block_type", ["callout", "case_vignette", "key_takeaways"])
def test_titled_blocks_outside_a_lesson_open_with_an_h2(block_type):
    # Policy pages (the site layer's StreamField) render blocks without computed levels.
    block = LessonStreamBlock.base_blocks[block_type]
    value = block.to_python(
        {
            "callout": {"tone": "info", "title": "T", "body": "<p>B.</p>"},
            "case_vignette": {"title": "T", "body": "<p>B.</p>", "notice": "N"},
            "key_takeaways": {"items": ["One."]},
        }[block_type]
    )
    levels = [level for level, _, _ in headings_of(block.render(value))]
    assert levels == [2]


def test_a_video_the_provider_cannot_describe_becomes_a_link(clinician):
    url = "https://vimeo.com/000000001"
    Embed.objects.create(url=url, hash=get_embed_hash(url), type="video", html="")
    course = course_build(lessons=1, hours="0.25")
    lesson = LessonPage.objects.child_of(course).get()
    lesson.body = [
        {
            "type": "video",
            "value": {"video": url, "title": "Intake", "transcript": "<p>T.</p>", "minutes": 2},
        },
        {"type": "paragraph", "value": "<p>" + "word " * 2600 + "</p>"},
    ]
    lesson.save_revision().publish()
    enrollment_create(user=clinician, course=course)
    html = client_for(clinician).get(lesson.url).content.decode()
    assert f'<a href="{url}">Watch Intake on its provider’s site</a>' in html


def test_word_count_reads_the_text_a_clinician_reads():
    image_id, document_id = 1, 2
    body = every_block(
        image=type("I", (), {"pk": image_id}), document=type("D", (), {"pk": document_id})
    )
    # paragraph 4, heading 2, quote 6+1, vignette 2+7, prompt 8, image caption 7,
    # document 3+3, takeaways 3+4, callout 2+6; the video counts by its minutes instead.
    assert stream_word_count(body) == 4 + 2 + 7 + 9 + 8 + 7 + 6 + 7 + 8


def test_text_word_count_ignores_markup_and_keeps_hyphenated_words_whole():
    assert text_word_count("<p>Self-report &amp; client’s <em>view</em></p>") == 3
    assert text_word_count("<p></p>") == 0


@pytest.mark.parametrize(
    ("words", "hours"),
    [(0, "0.00"), (2499, "0.00"), (2500, "0.25"), (9999, "0.75"), (10000, "1.00"), (26000, "2.50")],
)
def test_hours_from_words_round_down_to_the_quarter_hour(words, hours):
    assert str(hours_from_words(words, words_per_hour=10_000)) == hours
