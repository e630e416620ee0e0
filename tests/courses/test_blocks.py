"""Every lesson block renders (for an enrolled clinician, as the lesson page
shows it), and the word count reads the text a clinician reads."""

import pytest
import wagtail_factories
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from courses.blocks import LessonStreamBlock
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
    assert (
        '<blockquote class="block-quote"><p>The alliance is repaired, not kept.</p><footer>— Safran</footer></blockquote>'
        in html
    )
    assert '<section class="block-vignette" aria-label="Case vignette: Maria withdraws">' in html
    assert (
        '<p class="notice">Composite case: names and identifying details are fictional.</p>' in html
    )
    assert f'<h3 id="reflect-{prompt_id}">Reflect</h3>' in html
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
        '<section class="block-takeaways" aria-label="Key takeaways"><h3>Key takeaways</h3><ul><li>Name the rupture.</li><li>Invite the client&#x27;s view.</li></ul></section>'
        in html
    )
    assert '<aside class="block-callout tone-ethics" aria-label="Ethics: Document repairs">' in html
    assert "<p>Note the repair in the record.</p>" in html


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
