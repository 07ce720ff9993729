"""Turn a pypdf page into positioned text spans and lines (content-stream order)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from generator.authoring.ingest.text import clean_text, squash

# Width of an average glyph as a fraction of the font size; only used to find wide gaps.
_GLYPH_WIDTH = 0.5
_MARKER_TEXT = re.compile(r"[\d\s,*∗†‡§¶♠♢♡♣♦⋆⋄□○•#✉]+|[a-z](?:\s?,\s?[a-z])*")
_BOLD = re.compile(r"bold|medi|semibold|black|heavy|cmbx|,bd|-bd|tb$", re.IGNORECASE)


@dataclass
class Span:
    """One run of text drawn with one font at one position."""

    x: float
    y: float
    size: float
    text: str
    bold: bool
    rotated: bool

    @property
    def end(self) -> float:
        """Estimate where the span ends on the x axis."""
        return self.x + len(self.text) * self.size * _GLYPH_WIDTH


@dataclass
class Line:
    """Spans that share a baseline and follow each other without a wide gap."""

    spans: list[Span] = field(default_factory=list)
    index: int = 0
    # the line cut at wide gaps, when one span holds several columns ("Ann Lee    Bo Chan")
    cells: list[str] | None = None

    @property
    def size(self) -> float:
        """Return the largest font size on the line (superscripts are smaller)."""
        return max((s.size for s in self.spans if s.text.strip()), default=0.0)

    @property
    def x(self) -> float:
        """Return where the line starts."""
        return min(s.x for s in self.spans)

    @property
    def y(self) -> float:
        """Return the baseline of the line's main text."""
        main = [s for s in self.spans if s.size >= self.size * 0.8]
        return (main or self.spans)[0].y

    @property
    def bold(self) -> bool:
        """Tell whether most of the line's characters are bold."""
        total = sum(len(s.text) for s in self.spans) or 1
        return sum(len(s.text) for s in self.spans if s.bold) * 2 > total

    def is_marker(self, span: Span, previous: Span | None = None) -> bool:
        """Tell whether a span is a superscript marker (affiliation, footnote)."""
        text = span.text.strip()
        if not text or len(text) > 8 or span.size >= self.size * 0.82:
            return False
        if previous is not None and _small_caps(previous, span):
            return False
        # a marker sits above the baseline; smaller capitals and subscripts do not
        rise = span.y - self.y
        if rise > self.size * 0.12:
            return True
        # some PDFs raise markers with a text rise the matrices do not show: trust symbols only
        return rise > -self.size * 0.1 and bool(_MARKER_TEXT.fullmatch(text))

    def text(self, markers: str | None = None) -> str:
        """Return the line's text; markers are kept, or replaced by `markers`."""
        parts: list[str] = []
        previous: Span | None = None
        for span in self.spans:
            chunk = span.text.replace("\n", " ")
            if markers is not None and self.is_marker(span, previous):
                chunk = markers
            elif previous is not None and _small_caps(previous, span):
                chunk = chunk.lower()
            parts.append(chunk)
            previous = span
        return squash(clean_text("".join(parts)))

    @property
    def leading_marker(self) -> bool:
        """Tell whether the line starts with a superscript marker."""
        first = next((s for s in self.spans if s.text.strip()), None)
        return first is not None and self.is_marker(first) and len(self.spans) > 1


def _small_caps(previous: Span, span: Span) -> bool:
    """Recognise the smaller capitals that follow a full-size capital in small caps."""
    text = span.text.strip()
    return (
        bool(text)
        and not span.text[0].isspace()
        and text.isupper()
        and text.isalpha()
        and span.size < previous.size * 0.92
        and previous.text.rstrip()[-1:].isupper()
        and abs(span.y - previous.y) < previous.size * 0.3
    )


def _matrix(tm: list[float], cm: list[float]) -> list[float]:
    a, b, c, d, e, f = tm
    A, B, C, D, E, F = cm
    return [
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    ]


def _font_bold(font: Any) -> bool:
    try:
        name = font.get("/BaseFont") if font else None
        if name is not None and hasattr(name, "get_object"):
            name = name.get_object()
        return bool(name and _BOLD.search(str(name)))
    except Exception:  # a broken font dictionary only costs the bold hint
        return False


def read_spans(page: Any) -> tuple[list[Span], str]:
    """Collect every text span of a page with its position and scaled font size."""
    spans: list[Span] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text:
            return
        if not text.strip() and "\n" not in text:
            # pypdf emits the gap between words as a chunk of its own
            if spans and not spans[-1].text.endswith((" ", "\n")):
                spans[-1].text += " "
            return
        m = _matrix(list(tm), list(cm))
        # the Tf size is in text space: the matrices scale it to page units
        scale = math.hypot(m[2], m[3])
        rotated = (
            abs(m[1]) > 1e-3 * max(scale, 1e-9) or abs(m[2]) > 1e-3 * max(scale, 1e-9) or m[3] < 0
        )
        spans.append(Span(m[4], m[5], round(size * scale, 2), text, _font_bold(font), rotated))

    plain = page.extract_text(visitor_text=visit)
    return spans, plain


def build_lines(spans: list[Span]) -> list[Line]:
    """Group upright spans into lines, splitting where a wide gap separates columns."""
    lines: list[Line] = []
    current: Line | None = None
    last: Span | None = None
    for span in spans:
        if span.rotated or span.size < 3:
            continue
        if not span.text.strip():
            if current is not None and "\n" in span.text:
                current = None
            continue
        if current is not None and last is not None and _continues(current, last, span):
            current.spans.append(span)
        else:
            current = Line([span], index=len(lines))
            lines.append(current)
        last = span
        if span.text.endswith("\n"):
            current = None
    return lines


def _continues(line: Line, last: Span, span: Span) -> bool:
    size = max(line.size, span.size)
    if min(abs(span.y - last.y), abs(span.y - line.y)) > size * 0.6:
        return False
    if span.x < line.x - size:
        return False
    return span.x - last.end <= 3 * size


_GAP = re.compile(r"\S(?: {3,})\S")


def attach_cells(lines: list[Line], layout_text: str) -> None:
    """Give each line that a wide gap cuts into columns its cells, read from the layout-mode text.

    One text-showing operator can draw several columns at once (kerning moves the pen): its
    span then holds "Ann Lee Bo Chan", and only the spacing of the layout-mode text tells
    where one column ends. A layout line is matched to a line by its text.
    """
    cut: dict[str, list[str]] = {}
    for raw in layout_text.splitlines():
        if not _GAP.search(raw):
            continue
        cells = [squash(clean_text(c)) for c in re.split(r" {3,}", raw.strip())]
        cells = [c for c in cells if c]
        if len(cells) >= 2:
            cut.setdefault(" ".join(cells), cells)
    if not cut:
        return
    for line in lines:
        line.cells = cut.get(line.text(markers=""))
