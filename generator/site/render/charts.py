"""Draw charts as inline SVG at build time: bars, columns and a heat map, themed by CSS variables.

Text takes `currentColor` and bars the theme's accent colour (see docs/assets/stylesheets/
paperbrief.css), so charts follow Material's light and dark schemes and need no script.
Labels go into `Html` templates as text, so escape() cleans them; numbers are formatted here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from generator.site.render.html import Html

FONT = 12  # label size in viewBox units
ROW = 22  # height of one bar row
LABEL_WIDTH = 190  # room for row labels
BAR_WIDTH = 360  # the longest bar
VALUE_ROOM = 44  # room right of a bar for its value


@dataclass(frozen=True)
class Bar:
    """One labelled value of a chart."""

    label: str
    value: int


def text_width(text: str) -> float:
    """Estimate the drawn width of text in font units (wide CJK glyphs count double)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text) * FONT


def clip(text: str, width: float) -> str:
    """Shorten text with an ellipsis so it fits a width in viewBox units."""
    if text_width(text) <= width:
        return text
    out = ""
    for char in text:
        if text_width(out + char + "…") > width:
            break
        out += char
    return out.rstrip() + "…"


def _svg(width: int, height: int, chart_id: str, title: str, body: list[Html]) -> Html:
    # One line per element and no blank line: the SVG stays one block wherever it is placed.
    return Html("\n").join(
        [
            # Natural size (1 unit = 1 CSS pixel); the stylesheet shrinks it to narrow screens.
            Html(
                '<svg class="pb-chart" xmlns="http://www.w3.org/2000/svg" width="{w}" '
                'height="{h}" viewBox="0 0 {w} {h}" '
                'role="img" aria-labelledby="{id}-title" fill="currentColor" '
                'font-size="{font}" preserveAspectRatio="xMinYMin meet">'
            ).format(w=width, h=height, id=chart_id, font=FONT),
            Html('<title id="{}-title">{}</title>').format(chart_id, title),
            *body,
            Html("</svg>"),
        ]
    )


def _value(x: float, y: float, value: int, anchor: str = "start") -> Html:
    return Html(
        '<text class="pb-chart__value" x="{:.1f}" y="{:.1f}" text-anchor="{}" '
        'dominant-baseline="central">{}</text>'
    ).format(x, y, anchor, value)


# A label slanted down-left at 45 degrees (column and heat-map heads).
_SLANTED_LABEL = Html(
    '<text class="pb-chart__label" x="{x:.1f}" y="{y:.1f}"{anchor} '
    'transform="rotate(-45 {x:.1f} {y:.1f})">{label}</text>'
)
_END = Html(' text-anchor="end"')
_ROW_LABEL = Html(
    '<text class="pb-chart__label" x="{}" y="{:.1f}" '
    'text-anchor="end" dominant-baseline="central">{}</text>'
)


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Html:
    """Return horizontal bars, one row per item, labels on the left."""
    top = max((b.value for b in bars), default=0) or 1
    height = ROW * len(bars) + 8
    body: list[Html] = []
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        length = BAR_WIDTH * bar.value / top
        body.append(
            _ROW_LABEL.format(LABEL_WIDTH - 8, y + ROW / 2, clip(bar.label, LABEL_WIDTH - 12))
        )
        body.append(
            Html(
                '<rect class="pb-chart__bar" x="{}" y="{}" width="{:.1f}" height="{}" rx="2"/>'
            ).format(LABEL_WIDTH, y + 3, length, ROW - 6)
        )
        body.append(_value(LABEL_WIDTH + length + 6, y + ROW / 2, bar.value))
    return _svg(LABEL_WIDTH + BAR_WIDTH + VALUE_ROOM, height, chart_id, title, body)


def column_chart(chart_id: str, title: str, bars: Sequence[Bar]) -> Html:
    """Return vertical columns left to right (a time axis), labels slanted underneath."""
    plot_height = 180
    top = max((b.value for b in bars), default=0) or 1
    slot = max(16.0, min(48.0, 560 / max(len(bars), 1)))
    widest = max((text_width(b.label) for b in bars), default=0.0)
    # Labels wider than a column slant down-left at 45 degrees: room below and left of them.
    slanted = widest > slot - 4
    label_room = widest * 0.72 + 16 if slanted else FONT + 12
    start = max(24.0, label_room) if slanted else 24.0
    width = int(start + slot * len(bars) + 24)
    height = int(20 + plot_height + label_room)
    body = [
        Html('<line class="pb-chart__axis" x1="{:.1f}" y1="{}" x2="{}" y2="{}"/>').format(
            start - 8, 20 + plot_height, width - 8, 20 + plot_height
        )
    ]
    # Slanted labels would collide when columns are narrow: label every k-th column only.
    every = max(1, round(FONT * 1.4 / slot)) if slanted else 1
    for i, bar in enumerate(bars):
        x = start + i * slot
        length = plot_height * bar.value / top
        y = 20 + plot_height - length
        body.append(
            Html(
                '<rect class="pb-chart__bar" x="{:.1f}" y="{:.1f}" '
                'width="{:.1f}" height="{:.1f}" rx="2"/>'
            ).format(x + slot * 0.15, y, slot * 0.7, length)
        )
        body.append(_value(x + slot / 2, y - 9, bar.value, "middle"))
        if not slanted:
            body.append(
                Html(
                    '<text class="pb-chart__label" x="{:.1f}" y="{}" text-anchor="middle">{}</text>'
                ).format(x + slot / 2, 20 + plot_height + FONT + 4, bar.label)
            )
        elif i % every == 0:
            lx, ly = x + slot / 2, 20 + plot_height + 10
            body.append(_SLANTED_LABEL.format(x=lx, y=ly, anchor=_END, label=bar.label))
    return _svg(width, height, chart_id, title, body)


def heat_map(
    chart_id: str,
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[int]],
) -> Html:
    """Return a grid of cells shaded by value, with the value printed in each non-empty cell."""
    cell = 34
    column_label = min(150.0, max((text_width(c) for c in columns), default=0.0))
    head = column_label * 0.71 + 16  # labels slanted at 45 degrees
    top = max((v for row in values for v in row), default=0) or 1
    width = int(LABEL_WIDTH + cell * len(columns) + column_label * 0.71 + 8)
    height = int(head + cell * len(rows) + 8)
    body: list[Html] = []
    for j, name in enumerate(columns):
        x, y = LABEL_WIDTH + j * cell + cell / 2, head - 6
        body.append(
            _SLANTED_LABEL.format(x=x, y=y, anchor=Html(""), label=clip(name, column_label))
        )
    for i, name in enumerate(rows):
        y = head + i * cell
        body.append(_ROW_LABEL.format(LABEL_WIDTH - 8, y + cell / 2, clip(name, LABEL_WIDTH - 12)))
        for j, value in enumerate(values[i]):
            x = LABEL_WIDTH + j * cell
            if value:
                shade = 0.15 + 0.85 * value / top
                body.append(
                    Html(
                        '<rect class="pb-chart__cell" x="{}" y="{:.1f}" width="{}" '
                        'height="{}" fill-opacity="{:.2f}"/>'
                    ).format(x + 1, y + 1, cell - 2, cell - 2, shade)
                )
                body.append(_value(x + cell / 2, y + cell / 2, value, "middle"))
            else:
                body.append(
                    Html(
                        '<rect class="pb-chart__empty" x="{}" y="{:.1f}" width="{}" height="{}"/>'
                    ).format(x + 1, y + 1, cell - 2, cell - 2)
                )
    return _svg(width, height, chart_id, title, body)
