"""Issue 19, sixth round: the causes of the misses on `test5/` and older parts, each drawn by hand.

The PDFs are written operator by operator (tests/pdf/rawpdf.py); none copies a corpus paper.
"""

from __future__ import annotations

from tests.pdf.rawpdf import SAMPLE_BODY, abstract_at, marked_line, read_fields, text_lines

TITLE = text_lines(20, 720, ["Echoes of Whales in Shallow Bays"])


def test_a_hyphen_set_as_u2010_is_a_hyphen_in_names(tmp_path):
    # code 200 is drawn as the glyph 'hyphentwo' (U+2010), as some journals set given names
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin, Li\\310Zhi Liu, Bob Chen"])
        + text_lines(10, 675, ["Department of Physics, University of Oslo, Norway"])
        + abstract_at(640)
    )
    fields = read_fields(tmp_path, content, differences="200 /hyphentwo")
    assert fields.authors == ["Alice Martin", "Li-Zhi Liu", "Bob Chen"]
    assert fields.affiliations == ["Department of Physics, University of Oslo, Norway"]


def test_an_abstract_heading_drawn_after_its_text(tmp_path):
    # the content stream draws the body, the title block and the abstract's text first, and the
    # headings last: the text under "Abstract" is the abstract, and not the author block
    content = (
        text_lines(10, 300, ["1 Introduction is where the body of the paper starts on this page."])
        + TITLE
        + text_lines(12, 690, ["Alice Martin, Bob Chen"])
        + text_lines(10, 675, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(10, 625, SAMPLE_BODY)
        + text_lines(10, 580, ["Key words: Whale Songs; Shallow Water Acoustics; Bay Echoes"])
        + text_lines(12, 640, ["Abstract"])
        # a correspondence note in the other column comes after the heading in the stream
        + "".join(
            f"BT /F1 8 Tf 320 {200 - 10 * i} Td ({line}) Tj ET\n"
            for i, line in enumerate(
                [
                    "Address for correspondence: Alice Martin, Department of",
                    "Physics, University of Oslo, Norway. This is an open access",
                    "article distributed under the terms of the licence given here.",
                ]
            )
        )
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract == " ".join(SAMPLE_BODY)
    assert fields.authors == ["Alice Martin", "Bob Chen"]
    assert fields.affiliations == ["Department of Physics, University of Oslo, Norway"]


def test_a_heading_drawn_in_order_is_read_as_before(tmp_path):
    # the same page drawn top to bottom: the heading is followed by its text in the stream
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin, Bob Chen"])
        + text_lines(10, 675, ["Department of Physics, University of Oslo, Norway"])
        + abstract_at(640)
        + text_lines(10, 580, ["Key words: Whale Songs; Shallow Water Acoustics; Bay Echoes"])
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract == " ".join(SAMPLE_BODY)
    assert fields.authors == ["Alice Martin", "Bob Chen"]


def test_numbered_affiliations_set_one_part_per_line(tmp_path):
    # each numbered affiliation runs over several lines (department, post box, institution,
    # town) up to the next number; its street and place lines are no names
    content = (
        TITLE
        + "BT /F1 12 Tf 72 690 Td (Alice Martin,) Tj 0 4 Td /F1 8 Tf (1) Tj 0 -4 Td"
        + " /F1 12 Tf ( Bob Chen) Tj 0 4 Td /F1 8 Tf (2) Tj ET\n"
        + text_lines(
            9,
            670,
            [
                "1 Department of Physics and Astronomy",
                "P.O. Box 6010",
                "Marsh Harbour University",
                "Flagstaff, AZ 86011",
                "2 Lake Shore Observatory",
                "950 N. Cherry Avenue",
                "Las Condes",
                "Santiago",
            ],
            step=10,
        )
        + abstract_at(570)
    )
    fields = read_fields(tmp_path, content)
    assert fields.authors == ["Alice Martin", "Bob Chen"]
    assert fields.affiliations == [
        "Department of Physics and Astronomy, P.O. Box 6010, Marsh Harbour University,"
        " Flagstaff, AZ 86011",
        "Lake Shore Observatory, 950 N. Cherry Avenue, Las Condes, Santiago",
    ]


def test_an_affiliation_after_one_that_ends_in_its_country_stays_apart(tmp_path):
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + text_lines(
            9,
            670,
            [
                "1 Department of Physics, University of Oslo, Oslo, Norway",
                "Lake Shore Observatory, Santiago, Chile",
            ],
            step=10,
        )
        + abstract_at(620)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Oslo, Norway",
        "Lake Shore Observatory, Santiago, Chile",
    ]


def test_a_system_name_set_smaller_above_the_title_is_its_first_part(tmp_path):
    # "Orca 3" over "Listening to Whales in Shallow Bays": the abstract names the system again
    content = (
        text_lines(14, 740, ["Orca 3"])
        + text_lines(24, 700, ["Listening to Whales in Shallow Bays"])
        + text_lines(12, 670, ["Alice Martin and Bob Chen"])
        + text_lines(10, 655, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 620, ["Abstract"])
        + text_lines(10, 605, ["We present Orca 3, a model that hears whales. " + SAMPLE_BODY[0]])
        + text_lines(10, 593, SAMPLE_BODY[1:])
    )
    fields = read_fields(tmp_path, content)
    assert fields.title == "Orca 3: Listening to Whales in Shallow Bays"
    assert fields.authors == ["Alice Martin", "Bob Chen"]


def test_a_short_line_above_the_title_that_the_page_does_not_repeat_stays_out(tmp_path):
    content = (
        text_lines(14, 740, ["Marine Letters"])
        + text_lines(24, 700, ["Listening to Whales in Shallow Bays"])
        + text_lines(12, 670, ["Alice Martin and Bob Chen"])
        + abstract_at(620)
    )
    assert read_fields(tmp_path, content).title == "Listening to Whales in Shallow Bays"


def test_running_affiliations_keep_street_numbers_and_names_cut_at_a_line_end(tmp_path):
    # a paragraph of affiliations opened by markers: "12 Harbour Court" is a street, and a
    # line that ends without a comma ("Marine Acoustics") stops inside a name
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin, Bob Chen and Carol Diaz"])
        + marked_line(672, ["", "Department of Physics, University of Oslo, Oslo, Norway,"])
        + marked_line(660, ["", "Whale Trust, 12 Harbour Court, Bergen, Norway, ", "Marine Acoustics"])
        + text_lines(10, 648, ["Unit, Coastal Institute, Tromso, Norway"])
        + abstract_at(620)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Oslo, Norway",
        "Whale Trust, 12 Harbour Court, Bergen, Norway",
        "Marine Acoustics Unit, Coastal Institute, Tromso, Norway",
    ]


def test_full_size_affiliation_numbers_are_not_street_numbers(tmp_path):
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin 1, Bob Chen 2"])
        + text_lines(
            9,
            672,
            [
                "1 Department of Physics, University of Oslo, Norway, 2 Whale Trust,"
                " 12 Harbour Court, Bergen, Norway",
            ],
            step=10,
        )
        + abstract_at(630)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Norway",
        "Whale Trust, 12 Harbour Court, Bergen, Norway",
    ]


def test_a_correspondence_address_names_an_affiliation(tmp_path):
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + text_lines(10, 672, ["Department of Physics, University of Oslo, Oslo, Norway"])
        + text_lines(
            8,
            655,
            [
                "*Correspondence address. Whale Clinic, Bergen Hospital, Bergen, Norway.",
                "E-mail: alice@example.org",
            ],
            step=9,
        )
        + abstract_at(620)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Oslo, Norway",
        "Whale Clinic, Bergen Hospital, Bergen, Norway",
    ]
    # a name before the address is the author's, not part of it
    content = content.replace("address. Whale", "address. Alice Martin, Whale")
    assert read_fields(tmp_path, content).affiliations[1:] == [
        "Whale Clinic, Bergen Hospital, Bergen, Norway"
    ]


def test_a_paragraph_of_numbered_affiliations_wrapped_inside_names_and_countries(tmp_path):
    # full-size numbers, lines broken inside a name ("New" / "Orleans") and between a state and
    # its country ("California," / "United States of America")
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin 1, Bob Chen 2, Carol Diaz 3"])
        + text_lines(
            8,
            672,
            [
                "1 Department of Physics, Harbour University, La Jolla, California,",
                "United States of America, 2 Whale Trust, LLC, New",
                "Orleans, Louisiana, United States of America, 3 Coastal Institute, Bergen, Norway",
            ],
            step=10,
        )
        + abstract_at(620)
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, Harbour University, La Jolla, California, United States of America",
        "Whale Trust, LLC, New Orleans, Louisiana, United States of America",
        "Coastal Institute, Bergen, Norway",
    ]


def _raised(top: float, parts: list[str]) -> str:
    # a line of 10 pt text whose odd parts are raised 6 pt superscripts
    ops = [f"BT /F1 10 Tf 72 {top} Td"]
    for n, part in enumerate(parts):
        if n % 2:
            ops.append(f"/F1 6 Tf 4 Ts ({part}) Tj /F1 10 Tf 0 Ts")
        else:
            ops.append(f"({part}) Tj")
    return " ".join(ops) + " ET\n"


def test_superscripts_of_symbols_in_an_abstract_are_kept(tmp_path):
    # "Ca2+" and "x2" are formulae; a footnote marker after a word is still dropped
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin and Bob Chen"])
        + text_lines(12, 660, ["Abstract"])
        + _raised(
            645, ["Whales sense changes of Ca", "2+", " in sea water and the x", "2", " test"]
        )
        + _raised(633, ["shows it for all of the forty whales that we heard in the bays", "1", "."])
        + text_lines(10, 621, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract is not None
    assert fields.abstract.startswith(
        "Whales sense changes of Ca2+ in sea water and the x2 test shows it for all of the"
        " forty whales that we heard in the bays. We present"
    ), fields.abstract


def test_a_note_that_runs_on_to_an_institution_is_not_an_affiliation(tmp_path):
    content = (
        TITLE
        + text_lines(12, 690, ["ALICE MARTIN"])
        + text_lines(10, 676, ["Department of Physics, University of Oslo"])
        + text_lines(
            8,
            650,
            [
                "A. Martin, E-mail: alice@example.org. This work was done while she was at the",
                "University of Bergen. Research supported by a grant of the Whale Fund.",
            ],
            step=10,
        )
        + abstract_at(610)
    )
    fields = read_fields(tmp_path, content)
    assert fields.authors == ["Alice Martin"]
    assert fields.affiliations == ["Department of Physics, University of Oslo"]


def test_a_surname_of_two_capitals_alone_on_its_line_is_a_name(tmp_path):
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin"])
        + text_lines(10, 676, ["Department of Physics, University of Oslo"])
        + text_lines(12, 656, ["Andrew NG"])
        + text_lines(10, 642, ["Ocean Research Institute, Redmond WA"])
        + abstract_at(610)
    )
    fields = read_fields(tmp_path, content)
    assert fields.authors == ["Alice Martin", "Andrew Ng"]
    assert fields.affiliations == [
        "Department of Physics, University of Oslo",
        "Ocean Research Institute, Redmond WA",
    ]


def test_operators_of_a_mathematical_pi_font_printed_by_glyph_name(tmp_path):
    # codes 200-202 draw glyphs named H11001 (plus), H11002 (minus) and H11006 (plus-minus)
    content = (
        TITLE
        + text_lines(12, 690, ["Alice Martin"])
        + text_lines(10, 676, ["Department of Physics, University of Oslo"])
        + text_lines(12, 640, ["Abstract"])
        + text_lines(
            10, 625, ["Whales call at \\3103 kHz and \\311 20 dB and \\312 2 dB, phone \\31081."]
        )
        + text_lines(10, 613, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content, differences="200 /H11001 201 /H11002 202 /H11006")
    assert fields.abstract is not None
    assert fields.abstract.startswith(
        "Whales call at +3 kHz and \u2212 20 dB and ± 2 dB, phone +81."
    ), fields.abstract


def test_an_accent_drawn_after_its_letter_is_that_letters(tmp_path):
    # "Ste´phane", "Universite´ Paris": no language puts an acute on a p; the e before carries it
    content = (
        TITLE
        + text_lines(12, 690, ["Ste\\264phane Martin and Andr\\264e Chen"])
        + text_lines(10, 676, ["Laboratoire de Physique, Universite\\264 Paris-Nord, France"])
        + abstract_at(640)
    )
    fields = read_fields(tmp_path, content)
    assert fields.authors == ["Stéphane Martin", "André Chen"]
    assert fields.affiliations == ["Laboratoire de Physique, Université Paris-Nord, France"]
