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
    # where the last glyph ends, measured from the font's widths (None: not measured)
    right: float | None = None

    @property
    def end(self) -> float:
        """Return where the span ends on the x axis: measured, else estimated from the size."""
        if self.right is not None:
            return self.right
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

    def text(self, markers: str | None = None, powers: bool = False, formulae: bool = False) -> str:
        """Return the line's text; markers are kept, or replaced by `markers`.

        With `powers`, a raised number or letter set right after a letter and followed by more
        words on the line is an exponent ("Ising on S2 - ..."), not a footnote marker, and kept.
        With `formulae`, raised digits and signs glued to a symbol (one letter, or a capital and
        up to two small letters: "Ca2+", "χ2", "His388") are kept too.
        """
        parts: list[str] = []
        previous: Span | None = None
        raised = False  # the span before was a kept superscript ("Ca" "2" "+")
        last = max((i for i, sp in enumerate(self.spans) if sp.text.strip()), default=-1)
        for i, span in enumerate(self.spans):
            chunk = span.text.replace("\n", " ")
            if markers is not None and self.is_marker(span, previous):
                power = (
                    powers
                    and i < last
                    and previous is not None
                    and previous.text[-1:].isalpha()
                    and re.fullmatch(r"[0-9a-zA-Z]{1,2}", chunk) is not None
                    and any(ch.isalpha() for sp in self.spans[i + 1 :] for ch in sp.text)
                )
                formula = (
                    formulae
                    and previous is not None
                    and (raised or _SYMBOL_END.search(previous.text) is not None)
                    and _SUPERSCRIPT.fullmatch(chunk) is not None
                )
                raised = formula
                chunk = chunk if power or formula else markers
            else:
                raised = False
                if previous is not None and _small_caps(previous, span):
                    chunk = chunk.lower()
                elif previous is not None and parts and _spaced(previous, span):
                    parts.append(" ")  # a word space made by moving the pen, not a space glyph
            parts.append(chunk)
            previous = span
        return squash(clean_text("".join(parts)))

    @property
    def leading_marker(self) -> bool:
        """Tell whether the line starts with a superscript marker."""
        first = next((s for s in self.spans if s.text.strip()), None)
        return first is not None and self.is_marker(first) and len(self.spans) > 1


# a chemical or mathematical symbol right before a superscript: "Ca", "χ", "His", "CO"
_SYMBOL_END = re.compile(r"(?:^|[^\w])(?:[^\W\d_]|[A-Z][a-z]{1,2}|[A-Z]{2})$")
_SUPERSCRIPT = re.compile(r"[0-9+\-−]{1,4}")


def _spaced(previous: Span, span: Span) -> bool:
    """Tell whether a measured gap between two spans of a line is a word space."""
    return (
        previous.right is not None
        and span.right is not None
        and not previous.text[-1:].isspace()
        and not span.text[:1].isspace()
        and span.x - previous.right >= _WORD_GAP * max(previous.size, span.size)
    )


def cut_cells(line: Line) -> list[str] | None:
    """Cut a line at its wide measured gaps ('Ruifang Ge      Raymond J. Mooney'), or None."""
    groups: list[list[Span]] = [[]]
    previous: Span | None = None
    for span in line.spans:
        if (
            previous is not None
            and previous.right is not None
            and span.right is not None
            and span.x - previous.right >= _CELL_GAP * line.size
        ):
            groups.append([])
        groups[-1].append(span)
        previous = span
    if len(groups) < 2:
        return None
    cells = [Line(group).text(markers="") for group in groups]
    return cells if all(cells) else None


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


def _height(m: list[float]) -> float:
    """How much a matrix scales a glyph's height, across its baseline (a slant adds nothing)."""
    width = math.hypot(m[0], m[1])
    if width < 1e-9:
        return math.hypot(m[2], m[3])
    return abs(m[0] * m[3] - m[1] * m[2]) / width


def _font_bold(font: Any) -> bool:
    try:
        name = font.get("/BaseFont") if font else None
        if name is not None and hasattr(name, "get_object"):
            name = name.get_object()
        return bool(name and _BOLD.search(str(name)))
    except Exception:  # a broken font dictionary only costs the bold hint
        return False


def read_spans(page: Any) -> tuple[list[Span], str]:
    """Collect every text span of a page with its position, scaled font size and measured end.

    pypdf reports text in chunks placed where they start. A `_Pen` follows the text state
    through the same content stream and places every glyph by the font's widths, so each chunk
    is cut where its size, baseline or a wide gap changes, and knows where it ends.
    """
    pen = _Pen()
    plain = page.extract_text(
        visitor_operand_before=pen.before,
        visitor_operand_after=pen.after,
        visitor_text=pen.visit,
    )
    return pen.spans, plain


# gaps between glyphs, in ems: a word space, and a gap that sets names or columns apart
_WORD_GAP = 0.12
_CELL_GAP = 0.6
_SHOW = (b"Tj", b"TJ", b"'", b'"')
_NEW_LINE = (b"BT", b"Td", b"TD", b"Tm", b"T*")


@dataclass
class _Shown:
    """One text-showing operator with the text state that places its glyphs."""

    parts: list[Any]  # byte strings and TJ adjustments, in order
    tm: list[float]  # the text line matrix
    cm: list[float]
    restart: bool  # the line matrix was set since the previous operator: the pen starts over
    char_spacing: float
    word_spacing: float
    scale: float
    rise: float = 0.0  # Ts: raises the glyphs above the baseline (markers in some PDFs)


@dataclass
class _Glyph:
    x: float
    right: float
    y: float
    size: float
    text: str


class _Pen:
    """Follow a page's text state and measure the chunks pypdf's text visitor reports."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.done: list[_Shown] = []
        self.showing: _Shown | None = None
        self.restart = True
        self.char_spacing = 0.0
        self.word_spacing = 0.0
        self.scale = 1.0
        self.rise = 0.0
        self.leading = 0.0
        self.saved: list[tuple[float, float, float, float]] = []
        self.advance: float | None = 0.0  # None: lost (a glyph could not be measured)
        # by id of the font dictionary, which is kept too so that its id is not reused
        self.fonts: dict[int, tuple[Any, tuple[Any, float] | None]] = {}

    def before(
        self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]
    ) -> None:
        """Note the state an operator sets, and each text-showing operator (pypdf's callback)."""
        try:
            self._note(operator, operands, list(cm), list(tm))
        except Exception:  # a malformed operand only costs the measurement
            self.showing = None

    def _note(self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        if operator in _NEW_LINE:
            self.restart = True
            if operator == b"TD":
                self.leading = -float(operands[1])
        elif operator == b"TL":
            self.leading = float(operands[0])
        elif operator == b"q":
            self.saved.append((self.char_spacing, self.word_spacing, self.scale, self.rise))
        elif operator == b"Q" and self.saved:
            self.char_spacing, self.word_spacing, self.scale, self.rise = self.saved.pop()
        elif operator == b"Ts":
            self.rise = float(operands[0])
        elif operator == b"Tc":
            self.char_spacing = float(operands[0])
        elif operator == b"Tw":
            self.word_spacing = float(operands[0])
        elif operator == b"Tz":
            self.scale = float(operands[0]) / 100
        elif operator in _SHOW:
            if operator in (b"'", b'"'):  # move to the next line first
                if operator == b'"':
                    self.word_spacing, self.char_spacing = float(operands[0]), float(operands[1])
                tm[4] -= self.leading * tm[2]
                tm[5] -= self.leading * tm[3]
                self.restart = True
            parts = list(operands[0]) if operator == b"TJ" else [operands[-1]]
            self.showing = _Shown(
                parts,
                tm,
                cm,
                self.restart,
                self.char_spacing,
                self.word_spacing,
                self.scale,
                self.rise,
            )
            self.restart = False

    def after(self, operator: bytes, operands: list[Any], cm: list[float], tm: list[float]) -> None:
        """Queue a text-showing operator once pypdf has taken its text (pypdf's callback)."""
        if operator in _SHOW and self.showing is not None:
            self.done.append(self.showing)
        self.showing = None

    def visit(self, text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        """Turn one chunk of pypdf's text into spans (pypdf's callback)."""
        shown, self.done = self.done, []
        glyphs = self._place(shown, font, size)
        if not text:
            return
        if not text.strip() and "\n" not in text:
            # pypdf emits the gap between words as a chunk of its own
            if self.spans and not self.spans[-1].text.endswith((" ", "\n")):
                self.spans[-1].text += " "
            return
        m = _matrix(list(tm), list(cm))
        # the Tf size is in text space: the matrices scale it to page units
        scale = _height(m)
        # a shear (m[2]) only slants the glyphs of an oblique face: the baseline stays level
        rotated = abs(m[1]) > 1e-3 * max(scale, 1e-9) or m[0] <= 0 or m[3] < 0
        bold = _font_bold(font)
        try:
            trusted = not rotated and _same_letters(glyphs, text) and _plausible(glyphs)
            runs = _runs(glyphs) if trusted else []
        except Exception:  # the measurement is a refinement: without it, pypdf's chunk stays
            runs = []
        if runs:
            # the chunk's own leading and trailing white space (line breaks) stay with it
            runs[0].text = text[: len(text) - len(text.lstrip())] + runs[0].text
            runs[-1].text += text[len(text.rstrip()) :]
            for run in runs:
                self.spans.append(Span(run.x, run.y, run.size, run.text, bold, False, run.right))
            return
        self.spans.append(Span(m[4], m[5], round(size * scale, 2), text, bold, rotated))

    def _place(self, shown: list[_Shown], font_dict: Any, size: float) -> list[_Glyph]:
        """Place the glyphs of some text-showing operators by the font's widths."""
        glyphs: list[_Glyph] = []
        font = self._font(font_dict)
        for item in shown:
            if item.restart:
                self.advance = 0.0
            if font is None or self.advance is None:
                self.advance = None
                continue
            try:
                self._place_one(item, font, size, glyphs)
            except Exception:  # an odd font or operand only costs the measurement
                self.advance = None
        return glyphs

    def _place_one(
        self, item: _Shown, font: tuple[Any, float], size: float, out: list[_Glyph]
    ) -> None:
        reader_font, unit = font
        m = _matrix(item.tm, item.cm)
        page_size = round(size * _height(m), 2)
        advance = self.advance or 0.0
        for part in item.parts:
            if isinstance(part, (int, float)) and not isinstance(part, bool):
                advance -= float(part) / 1000 * size * item.scale
                continue
            if not isinstance(part, bytes):
                continue
            for text, width, space in _decode(reader_font, part):
                ink = width * unit * size * item.scale
                x = advance * m[0] + item.rise * m[2] + m[4]
                y = advance * m[1] + item.rise * m[3] + m[5]
                out.append(_Glyph(x, x + ink * m[0], y, page_size, text))
                advance += (width * unit * size + item.char_spacing) * item.scale
                if space:
                    advance += item.word_spacing * item.scale
        self.advance = advance

    def _font(self, font_dict: Any) -> tuple[Any, float] | None:
        """Return pypdf's reading of a font and its glyph unit, or None when it has none."""
        if font_dict is None:
            return None
        key = id(font_dict)
        if key not in self.fonts:
            try:
                from pypdf.generic._font import Font

                font = Font.from_font_resource(font_dict)
                if font.character_widths.get(font.space_char, 0) == 0:
                    font.space_width = 200  # what pypdf's text extraction assumes
                unit = 0.001
                if font.sub_type == "Type3" and "/FontMatrix" in font_dict:
                    unit = float(font_dict["/FontMatrix"][0])
                self.fonts[key] = (font_dict, (font, unit))
            except Exception:  # a font pypdf cannot read is not measured
                self.fonts[key] = (font_dict, None)
        return self.fonts[key][1]


def _decode(font: Any, data: bytes) -> list[tuple[str, float, bool]]:
    """Decode a string operand glyph by glyph: (text, width in glyph units, a single-byte space)."""
    glyphs: list[tuple[str, float, bool]] = []
    widths = font.character_widths
    if isinstance(font.encoding, str):
        try:
            codes = data.decode(font.encoding, "surrogatepass")
        except UnicodeDecodeError:
            codes = data.decode(font.encoding, "replace")
        for code in codes:
            width = (
                font.space_width if code == font.space_char else widths.get(code, widths["default"])
            )
            glyphs.append((font.character_map.get(code, code), float(width), False))
        return glyphs
    for byte in data:
        code = chr(byte)
        mapped = font.encoding.get(byte, code)
        text = "".join(font.character_map.get(ch, ch) for ch in mapped)
        width = font.space_width if code == font.space_char else widths.get(code, widths["default"])
        glyphs.append((text, float(width), byte == 32))
    return glyphs


def _same_letters(glyphs: list[_Glyph], text: str) -> bool:
    """Tell whether the measured glyphs spell the chunk pypdf reported (else it is not cut)."""
    return "".join("".join(g.text.split()) for g in glyphs) == "".join(text.split())


def _plausible(glyphs: list[_Glyph]) -> bool:
    """Tell whether measured glyphs have widths a text font gives (not a broken font matrix)."""
    ink = [(g.right - g.x) / g.size for g in glyphs if g.text.strip() and g.size > 0]
    if not ink:
        return False
    average = sum(ink) / len(ink)
    return all(-0.01 <= w <= 3.0 for w in ink) and 0.1 <= average <= 1.5


def _runs(glyphs: list[_Glyph]) -> list[_Glyph]:
    """Cut placed glyphs into runs of one size and baseline, also at wide gaps; space the words."""
    runs: list[_Glyph] = []
    spaced = False
    for glyph in glyphs:
        if not glyph.text.strip():
            spaced = True
            continue
        run = runs[-1] if runs else None
        if run is not None:
            gap = glyph.x - run.right
            same = abs(glyph.size - run.size) < 0.1 and abs(glyph.y - run.y) < 0.15 * run.size
            if same and -0.5 * run.size < gap < _CELL_GAP * run.size:
                space = " " if spaced or gap >= _WORD_GAP * run.size else ""
                run.text += space + glyph.text
                run.right = max(run.right, glyph.right)
                spaced = False
                continue
        runs.append(_Glyph(glyph.x, glyph.right, glyph.y, glyph.size, glyph.text))
        spaced = False
    return runs


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
    for line in lines:
        line.cells = cut_cells(line)
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
        line.cells = cut.get(line.text(markers="")) or line.cells
