"""Reusable lesson blocks. Every block has its own template under
templates/components/blocks/ and contributes its visible words to the
lesson's word count (see `courses.wordcount`).

Heading levels follow the lesson's structure (`lesson_heading_levels`): the
lesson page passes each block the level its own heading takes, so that the
outline never skips a level whichever block comes first."""

import re

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from cms.blocks import RICH_TEXT_FEATURES, CalloutBlock, HeadingBlock


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "components/blocks/pull_quote.html"


class CaseVignetteBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    notice = blocks.CharBlock(
        max_length=300,
        default="Composite case: names and identifying details are fictional.",
    )

    class Meta:
        icon = "user"
        template = "components/blocks/case_vignette.html"


class ReflectionPromptBlock(blocks.StructBlock):
    """A private journal box: what a clinician writes here is saved for them
    alone (courses.JournalEntry, keyed by this block's id)."""

    prompt = blocks.TextBlock()

    class Meta:
        icon = "edit"
        template = "components/blocks/reflection_prompt.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(help_text="YouTube or Vimeo link")
    title = blocks.CharBlock(max_length=200)
    transcript = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, help_text="Required for accessibility."
    )
    minutes = blocks.IntegerBlock(
        min_value=0, help_text="Running time, for the media-minutes credit rule."
    )

    class Meta:
        icon = "media"
        template = "components/blocks/video.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(max_length=300, help_text="Describe the image for screen readers.")
    caption = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "image"
        template = "components/blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock()
    title = blocks.CharBlock(max_length=200)
    description = blocks.CharBlock(required=False, max_length=300)

    class Meta:
        icon = "doc-full"
        template = "components/blocks/document.html"


class KeyTakeawaysBlock(blocks.StructBlock):
    items = blocks.ListBlock(blocks.CharBlock(max_length=500), min_num=1)

    class Meta:
        icon = "list-ul"
        template = "components/blocks/key_takeaways.html"


class LessonStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="components/blocks/paragraph.html"
    )
    heading = HeadingBlock()
    pull_quote = PullQuoteBlock()
    case_vignette = CaseVignetteBlock()
    reflection_prompt = ReflectionPromptBlock()
    video = VideoBlock()
    image = ImageBlock()
    document = DocumentBlock()
    key_takeaways = KeyTakeawaysBlock()
    callout = CalloutBlock()


class ReferenceBlock(blocks.StructBlock):
    authors = blocks.CharBlock(max_length=500)
    year = blocks.CharBlock(max_length=20)
    title = blocks.CharBlock(max_length=500)
    source = blocks.CharBlock(
        max_length=500, help_text="Journal, volume(issue), pages — or publisher."
    )
    doi = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "doc-full-inverse"
        template = "components/blocks/reference.html"


# --- Heading levels -------------------------------------------------------------------------

# Blocks that open with a heading of their own (a titled box). Their heading sits one
# level below the section they appear in, and does not open a section: the blocks that
# follow still belong to the section around the box.
TITLED_BLOCKS = frozenset({"case_vignette", "reflection_prompt", "key_takeaways", "callout"})

_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b([^>]*)>", re.IGNORECASE)
_HAS_CLASS = re.compile(r"\bclass\s*=", re.IGNORECASE)


def rich_text_heading_levels(html: str) -> list[int]:
    """The levels of the headings in a piece of rich text, in order."""
    return [int(m.group(2)) for m in _HEADING_TAG.finditer(html) if not m.group(1)]


def rich_text_headings_at(html: str, *, level: int) -> str:
    """Rich text with its headings moved so that the highest one is at `level`; the
    others keep their distance from it (never below h6). A moved heading keeps its
    authored look through an `as-hN` class."""
    levels = rich_text_heading_levels(html)
    if not levels:
        return html
    shift = level - min(levels)
    if shift == 0:
        return html

    def moved(match: re.Match) -> str:
        closing, authored, attrs = match.group(1), int(match.group(2)), match.group(3)
        new = max(1, min(6, authored + shift))
        if closing:
            return f"</h{new}>"
        if new != authored and not _HAS_CLASS.search(attrs):
            attrs = f' class="as-h{authored}"{attrs}'
        return f"<h{new}{attrs}>"

    return _HEADING_TAG.sub(moved, html)


def lesson_heading_levels(body, *, top: int = 1) -> list[tuple[object, int]]:
    """Each block of a lesson body with the level its (first) heading takes, so that
    no heading is more than one level below the one before it. `top` is the level of
    the page's own title (the lesson's <h1>).

    - A heading block keeps the level the author chose unless that would skip one
      (an "h3" before any "h2" is rendered as an h2); it opens a section.
    - Headings inside a paragraph's rich text are treated the same way.
    - A titled block (reflection prompt, callout, case vignette, key takeaways) is
      headed one level below the current section. Other blocks get that level too,
      for any headings in their own rich text (a video transcript).
    """
    section = top
    levels = []
    for block in body:
        if block.block_type == "heading":
            authored = 3 if block.value.get("level") == "h3" else 2
            level = min(authored, section + 1)
            section = level
        elif block.block_type == "paragraph":
            source = str(getattr(block.value, "source", block.value) or "")
            rich = rich_text_heading_levels(source)
            level = min(min(rich), section + 1) if rich else min(section + 1, 6)
            if rich:
                section = max(1, min(6, rich[-1] + level - min(rich)))
        else:
            level = min(section + 1, 6)
        levels.append((block, level))
    return levels
