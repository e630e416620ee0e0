"""Blocks shared by every page type (policy pages, lessons)."""

from wagtail import blocks


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading 2"), ("h3", "Heading 3")], default="h2")

    class Meta:
        icon = "title"
        template = "components/blocks/heading.html"


class CalloutBlock(blocks.StructBlock):
    tone = blocks.ChoiceBlock(
        choices=[("info", "Information"), ("caution", "Caution"), ("ethics", "Ethics")],
        default="info",
    )
    title = blocks.CharBlock(max_length=200)
    body = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "warning"
        template = "components/blocks/callout.html"


RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "blockquote"]


class BasicStreamBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, template="components/blocks/paragraph.html"
    )
    heading = HeadingBlock()
    callout = CalloutBlock()
