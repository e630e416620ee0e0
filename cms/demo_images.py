"""The demo provider's logo and CE administrator's signature, drawn with Pillow.

Both are generated, never copied: the logo is a geometric mark with a
wordmark of the provider's name; the signature is a made-up flourish for the
fictional demo administrator, drawn as smooth pen strokes (Catmull-Rom
splines, i.e. chained cubic Bézier curves, stamped with a round nib whose
width follows the stroke's direction, as a pen's pressure would). Everything
is drawn at four times the size and scaled down, which is the anti-aliasing.

Deterministic: the same name gives byte-identical PNGs, so a re-run of the
seed, and the certificates' content-hashed frozen copies, see the same file.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator, Sequence

from PIL import Image, ImageDraw, ImageFont

SCALE = 4
TEAL = (29, 78, 95, 255)  # the certificate's accent colour
GOLD = (176, 141, 74, 255)
INK_GREY = (79, 91, 102, 255)
PEN_INK = (24, 38, 74, 255)  # blue-black fountain-pen ink

Point = tuple[float, float]


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Pillow's bundled font (Aileron), so the result does not depend on the
    # fonts of the machine that runs the seed.
    return ImageFont.load_default(size=size)


def _tracked(draw: ImageDraw.ImageDraw, xy: Point, text: str, font, fill, tracking: float):
    """Draw `text` with extra space between letters; returns the end x."""
    x, y = xy
    for char in text:
        draw.text((x, y), char, font=font, fill=fill)
        x += draw.textlength(char, font=font) + tracking
    return x - tracking


def _tracked_width(draw: ImageDraw.ImageDraw, text: str, font, tracking: float) -> float:
    return sum(draw.textlength(c, font=font) for c in text) + tracking * max(0, len(text) - 1)


def demo_logo_png(provider_name: str) -> bytes:
    """A transparent PNG, about 3.6 : 1: a round emblem (an open book under a
    diamond, the certificate's ornament) and the provider's name, its first
    word large and the rest below it."""
    words = provider_name.split() or ["Provider"]
    main, rest = words[0].upper(), " ".join(words[1:]).upper()
    s = SCALE
    height = 300 * s
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    main_font, rest_font = _font(118 * s), _font(40 * s)
    main_tracking, rest_tracking = 10 * s, 9.5 * s
    text_width = max(
        _tracked_width(probe, main, main_font, main_tracking),
        _tracked_width(probe, rest, rest_font, rest_tracking) if rest else 0,
    )
    emblem = 260 * s
    gap = 46 * s
    width = int(20 * s + emblem + gap + text_width + 20 * s)
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)

    # The emblem: a teal disc, a fine gold ring inside it, a white open book
    # and a gold diamond above it.
    cx, cy, r = 20 * s + emblem / 2, height / 2, emblem / 2
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=TEAL)
    ring = r - 14 * s
    draw.ellipse((cx - ring, cy - ring, cx + ring, cy + ring), outline=GOLD, width=4 * s)
    book_top, book_bottom, half = cy - 22 * s, cy + 62 * s, 86 * s
    for side in (-1, 1):  # each page: straight spine, curved top and bottom edges
        outer = cx + side * half
        top = _bezier((cx, book_top + 14 * s), (cx + side * half * 0.45, book_top - 16 * s),
                      (cx + side * half * 0.8, book_top - 10 * s), (outer, book_top + 4 * s))  # fmt: skip
        bottom = _bezier((outer, book_bottom - 8 * s), (cx + side * half * 0.75, book_bottom - 22 * s),
                         (cx + side * half * 0.4, book_bottom - 18 * s), (cx, book_bottom))  # fmt: skip
        page = [*top, *bottom]
        inset = [(x - side * 5 * s, y) for x, y in page]
        draw.polygon(inset, fill=(255, 255, 255, 255))
    draw.line((cx, book_top + 12 * s, cx, book_bottom), fill=TEAL, width=6 * s)
    d = 19 * s
    dy = cy - 72 * s
    draw.polygon([(cx, dy - d), (cx + d, dy), (cx, dy + d), (cx - d, dy)], fill=GOLD)

    # The wordmark.
    x = 20 * s + emblem + gap
    main_box = draw.textbbox((0, 0), main, font=main_font)
    main_y = (cy - 18 * s) - main_box[3]
    _tracked(draw, (x, main_y), main, main_font, TEAL, main_tracking)
    rule_y = cy + 4 * s
    draw.rectangle((x, rule_y, x + text_width, rule_y + 3 * s), fill=GOLD)
    if rest:
        rest_box = draw.textbbox((0, 0), rest, font=rest_font)
        _tracked(draw, (x, rule_y + 30 * s - rest_box[1]), rest, rest_font, INK_GREY, rest_tracking)
    return _png(image.resize((width // s, height // s), Image.Resampling.LANCZOS))


# --- The signature -------------------------------------------------------------------------

# The pen's path, in a 1000 x 300 box (y down), one list of points per stroke
# (the pen is lifted between strokes). Not any real person's hand: a made-up
# flourish for the fictional demo administrator, read loosely as "J. Avery".
SIGNATURE_STROKES: tuple[tuple[Point, ...], ...] = (
    # J: a hooked top, a long descender looping back up, running on to the A.
    (
        (78, 78),
        (118, 52),
        (168, 46),
        (196, 64),
        (178, 98),
        (160, 150),
        (146, 205),
        (126, 252),
        (92, 268),
        (66, 250),
        (74, 214),
        (120, 188),
        (188, 170),
        (236, 160),
    ),
    # Avery: a tall A, then low connected loops, the y's tail sweeping into an underline.
    (
        (232, 182),
        (262, 120),
        (292, 58),
        (306, 44),
        (312, 70),
        (322, 130),
        (334, 186),
        (320, 168),
        (290, 140),
        (262, 136),
        (300, 128),
        (352, 122),
        (372, 160),
        (384, 178),
        (400, 140),
        (418, 116),
        (446, 114),
        (458, 126),
        (440, 142),
        (420, 150),
        (428, 172),
        (458, 178),
        (494, 150),
        (510, 124),
        (520, 150),
        (530, 178),
        (548, 150),
        (572, 124),
        (596, 122),
        (596, 150),
        (600, 178),
        (628, 150),
        (650, 122),
        (656, 160),
        (640, 226),
        (612, 268),
        (580, 274),
        (572, 252),
        (620, 224),
        (720, 200),
        (830, 186),
        (930, 176),
    ),
    # The dot after the J.
    ((212, 204), (216, 208), (220, 213), (223, 217)),
)


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 24) -> list[Point]:
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def _spline(points: Sequence[Point]) -> Iterator[Point]:
    """A Catmull-Rom spline through `points`, as cubic Bézier segments, sampled densely."""
    if len(points) < 2:
        yield from points
        return
    padded = [points[0], *points, points[-1]]
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1], padded[i], padded[i + 1], padded[i + 2]
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        length = math.dist(p1, p2)
        yield from _bezier(p1, c1, c2, p2, steps=max(4, int(length)))[:-1]
    yield points[-1]


def demo_signature_png() -> bytes:
    """A transparent PNG (about 900 x 250) of the demo signature in pen ink."""
    s = SCALE
    width, height = 1000, 300
    image = Image.new("RGBA", (width * s, height * s), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    for stroke in SIGNATURE_STROKES:
        # A forward slant, as handwriting has.
        samples = [(x + (190 - y) * 0.2, y) for x, y in _spline(stroke)]
        count = len(samples)
        for i, (x, y) in enumerate(samples):
            prev = samples[max(0, i - 1)]
            nxt = samples[min(count - 1, i + 1)]
            dx, dy = nxt[0] - prev[0], nxt[1] - prev[1]
            # An oblique nib: broad on strokes running down and to the left,
            # fine on the up strokes and horizontals.
            angle = math.atan2(dy, dx)
            nib = abs(math.sin(angle - math.radians(-35))) ** 1.5
            # Ink thins as the pen lands and lifts.
            taper = min(1.0, (i + 1) / 14, (count - i) / 18)
            radius = (1.6 + 3.6 * nib) * (0.35 + 0.65 * taper) * s
            draw.ellipse(
                (x * s - radius, y * s - radius, x * s + radius, y * s + radius), fill=PEN_INK
            )
    # Cropped to the ink (and a little margin), so the signature fills the
    # space a certificate gives it.
    left, top, right, bottom = image.getbbox()
    pad = 8 * s
    image = image.crop((max(0, left - pad), max(0, top - pad), right + pad, bottom + pad))
    return _png(image.resize((image.width // s, image.height // s), Image.Resampling.LANCZOS))
