import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.templatetags.wagtailcore_tags import richtext

from cms import site_cache
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


@register.simple_tag(takes_context=True)
def lesson_body(context, page):
    """A lesson's body ready to print, as ``(html, prompt, level)`` parts: ``html``
    for what every reader sees alike; for a reflection prompt, which holds the
    reader's own journal and is rendered per request by the page's template,
    ``prompt`` (its ``id`` and ``value.prompt``) with its heading ``level``.

    The parts are made once per published revision and kept in the site cache
    (cms.site_cache: any change to content, images or the site starts afresh), so
    a cached lesson's body is neither parsed nor rendered; a preview, whose
    content is not the published one, is never cached.
    """
    request = context.get("request")
    if getattr(request, "is_preview", False) or not page.pk:
        parts = _lesson_body_parts(page.body)
    else:
        revision = page.live_revision_id or page.latest_revision_id or ""
        parts = site_cache.cached(
            "lesson-body", (page.pk, revision), lambda: _lesson_body_parts(page.body)
        )
    # Rendered by our own block templates and Wagtail's rich text, never from input.
    return [
        (mark_safe(html), None, None) if prompt is None else (None, _Prompt(*prompt), level)  # noqa: S308
        for html, prompt, level in parts
    ]


class _Prompt:
    """A reflection prompt as the template reads it: ``id`` and ``value.prompt``."""

    def __init__(self, block_id: str, text: str):
        self.id = block_id
        self.value = {"prompt": text}


def _lesson_body_parts(blocks) -> list[tuple[str | None, tuple[str, str] | None, int | None]]:
    """``(html, None, None)`` for each run of shared blocks, ``(None, (id, prompt),
    level)`` for each reflection prompt: plain values, so the list can be cached."""
    parts: list[tuple[str | None, tuple[str, str] | None, int | None]] = []
    run: list[str] = []
    for block, level in lesson_heading_levels(blocks):
        if block.block_type == "reflection_prompt":
            if run:
                parts.append(("".join(run), None, None))
                run = []
            parts.append((None, (block.id or "", str(block.value.get("prompt", ""))), level))
        elif block.block_type == "paragraph":
            html = str(richtext(block.value))
            run.append(rich_text_headings_at(html, level=int(level)) if level else html)
        else:
            run.append(str(block.render_as_block(context={"heading_level": level})))
    if run:
        parts.append(("".join(run), None, None))
    return parts
