"""PDFs made for the tests: a synthetic font (so no system font is needed) and page builders."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fpdf import FPDF

CJK = "深度学习推理加速方法研究"
EXTRA = "ﬁﬂﬃ´¨ıéü∗†‡’—–¸\u0301"


def _build_font(path: Path) -> None:
    """Write a TrueType font whose glyphs are boxes: enough for text extraction tests."""
    chars = [chr(c) for c in range(32, 127)] + list(EXTRA) + list(CJK)
    names = [".notdef"] + [f"uni{ord(c):04X}" for c in chars]
    builder = FontBuilder(1000, isTTF=True)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(c): f"uni{ord(c):04X}" for c in chars})
    box = TTGlyphPen(None)
    box.moveTo((50, 0))
    box.lineTo((50, 700))
    box.lineTo((450, 700))
    box.lineTo((450, 0))
    box.closePath()
    glyph = box.glyph()
    empty = TTGlyphPen(None).glyph()
    builder.setupGlyf({n: (empty if n == "uni0020" else glyph) for n in names})
    widths = {n: (1000 if n[3:] and int(n[3:], 16) > 0x3000 else 520, 0) for n in names[1:]}
    builder.setupHorizontalMetrics({".notdef": (520, 0), **widths})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "PaperbriefTest", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    builder.save(str(path))


@pytest.fixture(scope="session")
def font_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("font") / "pbtest.ttf"
    _build_font(path)
    return path


@dataclass
class Paper:
    """The parts of a synthetic first page."""

    title: list[str] = field(
        default_factory=lambda: ["Sparse Attention for Fast", "Language Model Inference"]
    )
    authors: list[str] = field(default_factory=lambda: ["Alice Martin, Bob Chen and Carol Diaz"])
    affiliations: list[str] = field(
        default_factory=lambda: ["Department of Computer Science, Stanford University"]
    )
    heading: str | None = "Abstract"
    abstract: list[str] = field(
        default_factory=lambda: [
            "We present a method that makes language model inference",
            "faster by skipping attention to distant tokens. Our experi-",
            "ments on three benchmarks show a speedup of two times",
            "with automatically-",
            "generated masks and no loss of accuracy on long inputs.",
        ]
    )
    body_heading: str = "1 Introduction"
    body: list[str] = field(
        default_factory=lambda: [
            "Large language models are slow when inputs are long because",
            "attention grows with the square of the sequence length and",
            "memory traffic dominates the cost of every decoding step.",
        ]
    )
    right_column: list[str] = field(default_factory=list)
    interleave: bool = False
    stamp: str | None = None
    footer: str | None = None
    metadata_title: str | None = None
    pages: int = 1


def make_pdf(path: Path, font: Path, paper: Paper) -> Path:
    """Draw a paper's first page the way LaTeX lays one out, and save it."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.add_font("pb", fname=str(font))
    if paper.metadata_title:
        pdf.set_title(paper.metadata_title)
    pdf.add_page()
    y = 100.0
    pdf.set_font("pb", size=17)
    for line in paper.title:
        pdf.text(306 - len(line) * 17 * 0.26, y, line)
        y += 22
    y += 10
    pdf.set_font("pb", size=12)
    for line in paper.authors:
        pdf.text(306 - len(line) * 12 * 0.26, y, line)
        y += 16
    pdf.set_font("pb", size=10)
    for line in paper.affiliations:
        pdf.text(306 - len(line) * 10 * 0.26, y, line)
        y += 13
    y += 24
    if paper.heading:
        pdf.set_font("pb", size=12)
        pdf.text(140, y, paper.heading)
        y += 18
    pdf.set_font("pb", size=10 if paper.heading else 9)
    column_top = y
    left: list[tuple[float, str]] = []
    for line in paper.abstract:
        left.append((y, line))
        y += 12
    y += 14
    left.append((y, paper.body_heading))
    y += 16
    for line in paper.body:
        left.append((y, line))
        y += 12
    right = [(column_top + i * 12, line) for i, line in enumerate(paper.right_column)]
    if paper.interleave:
        # row by row, as some word processors write two columns
        rows = sorted([(yy, 72.0, t) for yy, t in left] + [(yy, 420.0, t) for yy, t in right])
        for yy, x, text in rows:
            _line(pdf, x, yy, text, paper)
    else:
        for yy, text in left:
            _line(pdf, 72, yy, text, paper)
        for yy, text in right:
            _line(pdf, 420, yy, text, paper)
    if paper.stamp:
        pdf.set_font("pb", size=20)
        with pdf.rotation(90, 30, 600):
            pdf.text(30, 600, paper.stamp)
    if paper.footer:
        pdf.set_font("pb", size=8)
        pdf.text(72, 740, paper.footer)
    for _ in range(paper.pages - 1):
        pdf.add_page()
        pdf.set_font("pb", size=10)
        pdf.text(72, 100, "More text on a later page of the paper.")
    pdf.output(str(path))
    return path


def _line(pdf: FPDF, x: float, y: float, text: str, paper: Paper) -> None:
    size = 12 if text == paper.body_heading else (10 if paper.heading else 9)
    if text in paper.body or text in paper.right_column:
        size = 10
    pdf.set_font("pb", size=size)
    pdf.text(x, y, text)


@pytest.fixture
def paper_pdf(tmp_path: Path, font_path: Path):
    """Return a function that writes a synthetic paper PDF into tmp_path."""

    def write(paper: Paper | None = None, name: str = "paper.pdf") -> Path:
        return make_pdf(tmp_path / name, font_path, paper or Paper())

    return write
