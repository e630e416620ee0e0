"""Server-side SVG charts for the report pages: no script, no CDN, no client
library. Each chart is a horizontal bar chart (one row per category, one bar
per series), an `<svg role="img">` with a title and a description; the page
shows the same numbers in a table for screen readers and for copying
(templates/reports/_chart.html)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

#: Bar colours per series (Wagtail admin's palette, readable on white, 3:1 at least).
COLOURS = ["#007d7e", "#5c2d91", "#b35900"]
LABEL_WIDTH = 260
BAR_AREA = 360
ROW = 22
BAR_GAP = 4


@dataclass
class Chart:
    """A chart's data: `categories` (row labels) and `series`, each a name and one
    value per category. `maximum` fixes the scale (5 for ratings); by default the
    largest value."""

    key: str
    title: str
    categories: list[str]
    series: list[tuple[str, list]]
    maximum: float | None = None
    unit: str = ""

    @property
    def rows(self) -> list[tuple[str, list]]:
        """(category, [value per series]): the table alternative."""
        return [
            (category, [values[i] for _, values in self.series])
            for i, category in enumerate(self.categories)
        ]

    @property
    def empty(self) -> bool:
        return not any(v for _, values in self.series for v in values)

    def svg(self) -> SafeString:
        return chart_svg(self)


def _number(value) -> str:
    if isinstance(value, Decimal | float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def chart_svg(chart: Chart) -> SafeString:
    values = [float(v or 0) for _, vs in chart.series for v in vs]
    top = chart.maximum or max(values, default=0) or 1
    per_row = len(chart.series) * (ROW - BAR_GAP) + BAR_GAP * 2
    legend = 24 if len(chart.series) > 1 else 0
    height = legend + per_row * len(chart.categories) + 4
    width = LABEL_WIDTH + BAR_AREA + 60
    parts = []
    for s, (name, _) in enumerate(chart.series if legend else []):
        x = LABEL_WIDTH + s * 150
        parts.append(
            format_html(
                '<rect x="{}" y="4" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="15" font-size="12">{}</text>',
                x,
                COLOURS[s % len(COLOURS)],
                x + 16,
                name,
            )
        )
    for i, category in enumerate(chart.categories):
        y0 = legend + i * per_row
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 8,
                y0 + per_row / 2 + 4,
                category if len(category) <= 40 else category[:39] + "…",
            )
        )
        for s, (_, series_values) in enumerate(chart.series):
            value = series_values[i]
            y = y0 + BAR_GAP + s * (ROW - BAR_GAP)
            length = round(BAR_AREA * float(value or 0) / top, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
                    '<text x="{}" y="{}" font-size="11">{}{}</text>',
                    LABEL_WIDTH,
                    y,
                    length,
                    ROW - BAR_GAP * 2,
                    COLOURS[s % len(COLOURS)],
                    LABEL_WIDTH + length + 4,
                    y + ROW - BAR_GAP * 2 - 3,
                    _number(value if value is not None else "–"),
                    chart.unit,
                )
            )
    description = "; ".join(
        f"{category}: "
        + ", ".join(
            f"{name} {_number(values[i]) if values[i] is not None else 'none'}{chart.unit}"
            for name, values in chart.series
        )
        for i, category in enumerate(chart.categories)
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        'viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'aria-labelledby="{key}-title {key}-desc">'
        '<title id="{key}-title">{title}</title><desc id="{key}-desc">{desc}</desc>'
        '<line x1="{lx}" y1="{top}" x2="{lx}" y2="{h}" stroke="#5c5c5c"/>{body}</svg>',
        w=width,
        h=height,
        key=chart.key,
        title=chart.title,
        desc=description,
        lx=LABEL_WIDTH,
        top=legend,
        body=mark_safe("".join(parts)),  # noqa: S308 (each part built by format_html)
    )
