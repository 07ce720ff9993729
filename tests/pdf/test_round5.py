"""Issue 19, fifth round: the causes of the misses on `test4/`, each drawn by hand.

The PDFs are written operator by operator (tests/pdf/rawpdf.py); none copies a corpus paper.
"""

from __future__ import annotations

from pathlib import Path

import pypdf

from generator.authoring.ingest.extract import PdfFields, extract_fields
from tests.pdf.rawpdf import raw_pdf

_BODY = [
    "We present a method that makes language model inference faster by skipping",
    "attention to distant tokens. Our experiments on three benchmarks show that the",
    "method gives a speedup of two times with no loss of accuracy on long inputs.",
]


def _read(tmp_path: Path, content: str) -> PdfFields:
    return extract_fields(pypdf.PdfReader(raw_pdf(tmp_path / "page.pdf", content)))


def _lines(size: float, top: float, lines: list[str], step: float = 12) -> str:
    return "".join(
        f"BT /F1 {size} Tf 72 {top - step * i} Td ({line}) Tj ET\n" for i, line in enumerate(lines)
    )


def test_a_slanted_label_is_kept_not_dropped_as_rotated(tmp_path):
    # an oblique face drawn by a sheared text matrix: the baseline stays horizontal
    content = (
        _lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + _lines(12, 690, ["Alice Martin and Bob Chen"])
        + _lines(10, 675, ["Department of Physics, University of Oslo, Norway"])
        + _lines(12, 640, ["Abstract"])
        + "BT 10 0 3 10 72 625 Tm /F1 1 Tf (Background:) Tj ET\n"
        + f"BT /F1 10 Tf 140 625 Td ({_BODY[0]}) Tj ET\n"
        + _lines(10, 613, _BODY[1:])
    )
    fields = _read(tmp_path, content)
    assert fields.abstract is not None
    assert fields.abstract.startswith("Background: We present a method"), fields.abstract
    assert fields.title == "Echoes of Whales in Shallow Bays"


def test_a_line_turned_a_quarter_is_still_left_out(tmp_path):
    content = (
        "BT 0 10 -10 0 30 300 Tm /F1 1 Tf (arXiv:2401.00001v1 [cs.CL] 1 Jan 2024) Tj ET\n"
        + _lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + _lines(12, 690, ["Alice Martin and Bob Chen"])
        + _lines(12, 640, ["Abstract"])
        + _lines(10, 625, _BODY)
    )
    fields = _read(tmp_path, content)
    assert fields.title == "Echoes of Whales in Shallow Bays"
    assert fields.abstract is not None and "arXiv" not in fields.abstract


def test_grouped_email_addresses_after_an_affiliation_are_dropped(tmp_path):
    # "{a|b}@host" and "{a, b}@host" are one address per author, shared host
    content = (
        _lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + _lines(12, 690, ["Alice Martin Bob Chen"])
        + _lines(10, 675, ["Ocean Research Institute {alicem|bobc}@ori.org"])
        + _lines(12, 640, ["Abstract"])
        + _lines(10, 625, _BODY)
    )
    fields = _read(tmp_path, content)
    assert fields.affiliations == ["Ocean Research Institute"]
    content = content.replace("{alicem|bobc}", "{alicem, bobc}")
    assert _read(tmp_path, content).affiliations == ["Ocean Research Institute"]


def test_authors_printed_right_above_the_title_are_read(tmp_path):
    # some journals set the byline over the title; a name block lower down still gives affiliations
    content = (
        _lines(8, 760, ["Ocean Acoustics (2005) 71:107-116"])
        + _lines(
            10, 700, ["Alice Martin \xb7 Bob Chen \xb7 Carol Diaz", "Dan Evans \xb7 Eve Fischer"]
        )
        + _lines(16, 660, ["Echoes of Whales in Shallow Bays"])
        + _lines(10, 620, ["Abstract We present a method that makes language model inference"])
        + _lines(10, 608, _BODY[1:])
        + _lines(8, 200, ["A. Martin", "Department of Physics, University of Oslo, Oslo, Norway"])
    )
    fields = _read(tmp_path, content)
    assert fields.title == "Echoes of Whales in Shallow Bays"
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz", "Dan Evans", "Eve Fischer"]
    assert fields.affiliations == ["Department of Physics, University of Oslo, Oslo, Norway"]


def _marked(top: float, parts: list[str]) -> str:
    # a line of 10 pt text whose "#" are raised 6 pt markers
    ops = [f"BT /F1 10 Tf 72 {top} Td"]
    for n, part in enumerate(parts):
        if n:
            ops.append("/F1 6 Tf 4 Ts (\\247) Tj /F1 10 Tf 0 Ts")
        ops.append(f"({part}) Tj")
    return " ".join(ops) + " ET\n"


def test_a_marker_inside_a_wrapped_affiliation_opens_the_next_one(tmp_path):
    content = (
        _lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + _lines(12, 690, ["Alice Martin and Bob Chen"])
        + _marked(672, ["", "Department of Physics, University of Oslo, Blindern Street,"])
        + _marked(660, ["Oslo, Norway, and ", "Institute of Marine Research, Bergen, Norway"])
        + _lines(12, 630, ["Abstract"])
        + _lines(10, 615, _BODY)
    )
    fields = _read(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Blindern Street, Oslo, Norway",
        "Institute of Marine Research, Bergen, Norway",
    ]
