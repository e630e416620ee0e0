import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from courses.blocks import lesson_heading_levels, rich_text_headings_at

register = template.Library()

_IFRAME = re.compile(r"<iframe\b", re.IGNORECASE)
_HAS_TITLE = re.compile(r"<iframe\b[^>]*\btitle=", re.IGNORECASE)


@register.filter
def privacy_embed(embed, title: str = ""):
    """An embed's HTML with YouTube's no-cookie host (the only YouTube host our CSP
    frames) and an accessible iframe title."""
    html = str(embed or "")
    if not _IFRAME.search(html):
        url = getattr(embed, "url", "")
        if not url:
            return ""
        # The provider could not be reached or sent no player: a link still gets there.
        label = escape(title or "the video")
        return mark_safe(f'<p><a href="{escape(url)}">Watch {label} on its provider’s site</a></p>')  # noqa: S308
    html = html.replace("https://www.youtube.com/embed/", "https://www.youtube-nocookie.com/embed/")
    if title and not _HAS_TITLE.search(html):
        html = _IFRAME.sub(f'<iframe title="{escape(title)}"', html, count=1)
    return mark_safe(html)  # noqa: S308 - the embed HTML comes from the oEmbed provider via Wagtail


@register.filter
def with_heading_levels(body):
    """A lesson body's blocks, each with the level its heading takes:
    `{% for block, level in page.body|with_heading_levels %}`."""
    return lesson_heading_levels(body)


@register.filter
def headings_at(html, level):
    """Rich text (already rendered) with its headings moved to start at `level`;
    unchanged without a level (a page that does not compute them)."""
    if not level:
        return html
    return mark_safe(rich_text_headings_at(str(html), level=int(level)))  # noqa: S308 - only heading tag names change
