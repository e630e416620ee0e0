"""Reusable lesson blocks. Every block has its own template under
templates/components/blocks/ and contributes its visible words to the
lesson's word count (see `block_words`)."""

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
