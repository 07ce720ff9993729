"""Issue 19, fifth round: the causes of the misses on `test4/`, each drawn by hand.

The PDFs are written operator by operator (tests/pdf/rawpdf.py); none copies a corpus paper.
"""

from __future__ import annotations

from tests.pdf.rawpdf import SAMPLE_BODY, marked_line, read_fields, text_lines


def test_a_slanted_label_is_kept_not_dropped_as_rotated(tmp_path):
    # an oblique face drawn by a sheared text matrix: the baseline stays horizontal
    content = (
        text_lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + text_lines(10, 675, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 640, ["Abstract"])
        + "BT 10 0 3 10 72 625 Tm /F1 1 Tf (Background:) Tj ET\n"
        + f"BT /F1 10 Tf 140 625 Td ({SAMPLE_BODY[0]}) Tj ET\n"
        + text_lines(10, 613, SAMPLE_BODY[1:])
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract is not None
    assert fields.abstract.startswith("Background: We present a method"), fields.abstract
    assert fields.title == "Echoes of Whales in Shallow Bays"


def test_a_line_turned_a_quarter_is_still_left_out(tmp_path):
    content = (
        "BT 0 10 -10 0 30 300 Tm /F1 1 Tf (arXiv:2401.00001v1 [cs.CL] 1 Jan 2024) Tj ET\n"
        + text_lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + text_lines(12, 640, ["Abstract"])
        + text_lines(10, 625, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.title == "Echoes of Whales in Shallow Bays"
    assert fields.abstract is not None and "arXiv" not in fields.abstract


def test_grouped_email_addresses_after_an_affiliation_are_dropped(tmp_path):
    # "{a|b}@host" and "{a, b}@host" are one address per author, shared host
    content = (
        text_lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 690, ["Alice Martin Bob Chen"])
        + text_lines(10, 675, ["Ocean Research Institute {alicem|bobc}@ori.org"])
        + text_lines(12, 640, ["Abstract"])
        + text_lines(10, 625, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == ["Ocean Research Institute"]
    content = content.replace("{alicem|bobc}", "{alicem, bobc}")
    assert read_fields(tmp_path, content).affiliations == ["Ocean Research Institute"]


def test_authors_printed_right_above_the_title_are_read(tmp_path):
    # some journals set the byline over the title; a name block lower down still gives affiliations
    content = (
        text_lines(8, 760, ["Ocean Acoustics (2005) 71:107-116"])
        + text_lines(
            10, 700, ["Alice Martin \xb7 Bob Chen \xb7 Carol Diaz", "Dan Evans \xb7 Eve Fischer"]
        )
        + text_lines(16, 660, ["Echoes of Whales in Shallow Bays"])
        + text_lines(10, 620, ["Abstract We present a method that makes language model inference"])
        + text_lines(10, 608, SAMPLE_BODY[1:])
        + text_lines(
            8, 200, ["A. Martin", "Department of Physics, University of Oslo, Oslo, Norway"]
        )
    )
    fields = read_fields(tmp_path, content)
    assert fields.title == "Echoes of Whales in Shallow Bays"
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz", "Dan Evans", "Eve Fischer"]
    assert fields.affiliations == ["Department of Physics, University of Oslo, Oslo, Norway"]


def test_a_marker_inside_a_wrapped_affiliation_opens_the_next_one(tmp_path):
    content = (
        text_lines(20, 720, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + marked_line(672, ["", "Department of Physics, University of Oslo, Blindern Street,"])
        + marked_line(660, ["Oslo, Norway, and ", "Institute of Marine Research, Bergen, Norway"])
        + text_lines(12, 630, ["Abstract"])
        + text_lines(10, 615, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Blindern Street, Oslo, Norway",
        "Institute of Marine Research, Bergen, Norway",
    ]
