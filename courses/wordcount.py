"""Word counts of lesson text, the basis of the word-count credit rule."""

import re
from decimal import ROUND_FLOOR, Decimal
from html import unescape

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

# Text the clinician reads, per block type; video is credited by its minutes instead.
_TEXT_FIELDS = {
    "paragraph": None,
    "heading": ("text",),
    "pull_quote": ("quote", "attribution"),
    "case_vignette": ("title", "body"),
    "reflection_prompt": ("prompt",),
    "key_takeaways": ("items",),
    "callout": ("title", "body"),
    "image": ("caption",),
    "document": ("title", "description"),
}


def text_word_count(text: str) -> int:
    return len(_WORD.findall(unescape(_TAG.sub(" ", text))))


def stream_word_count(raw_blocks) -> int:
    """Count words in StreamField raw data (a list of {"type", "value"} dicts)."""
    total = 0
    for block in raw_blocks or []:
        kind, value = block.get("type"), block.get("value")
        if kind not in _TEXT_FIELDS:
            continue
        fields = _TEXT_FIELDS[kind]
        if fields is None:
            total += text_word_count(value or "")
            continue
        for field in fields:
            part = (value or {}).get(field)
            if isinstance(part, list):
                for item in part:
                    # ListBlock items are stored as {"type": "item", "value": ..., "id": ...}
                    item_text = item.get("value") if isinstance(item, dict) else item
                    total += text_word_count(str(item_text or ""))
            elif part:
                total += text_word_count(str(part))
    return total


def stream_media_minutes(raw_blocks) -> int:
    return sum(
        int((b.get("value") or {}).get("minutes") or 0)
        for b in raw_blocks or []
        if b.get("type") == "video"
    )


def hours_from_words(words: int, *, words_per_hour: int) -> Decimal:
    """Credit hours by the word-count rule, rounded down to a quarter hour
    (never overstating what a participant reads)."""
    if words_per_hour <= 0:
        return Decimal("0")
    quarters = (Decimal(words) / Decimal(words_per_hour) * 4).to_integral_value(ROUND_FLOOR)
    return (quarters / 4).quantize(Decimal("0.01"))


def hours_from_reading_and_media(words: int, media_minutes: int, *, words_per_hour: int) -> Decimal:
    """Credit hours by the media-minutes rule: the reading time the word-count
    rule gives plus the media's running time, rounded down to a quarter hour."""
    reading = Decimal(words) * 60 / Decimal(words_per_hour) if words_per_hour > 0 else Decimal(0)
    quarters = ((reading + Decimal(media_minutes)) / 15).to_integral_value(ROUND_FLOOR)
    return (quarters / 4).quantize(Decimal("0.01"))
