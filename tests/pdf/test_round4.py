"""Issue 19, fourth round: the causes of the misses on `test3/`, each drawn by hand.

The PDFs are written operator by operator (tests/pdf/rawpdf.py); none copies a corpus paper.
"""

from __future__ import annotations

from generator.authoring.ingest.people import clean_name
from generator.authoring.ingest.text import clean_text
from tests.pdf.rawpdf import SAMPLE_BODY, read_fields, text_lines


def test_a_publishers_masthead_in_large_type_is_not_the_title(tmp_path):
    content = (
        text_lines(20, 740, ["ournal of Marine Acoustics"])
        + text_lines(40, 705, ["A Seaside Press journalJ"])
        + text_lines(22, 640, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 610, ["Alice Martin and Bob Chen"])
        + text_lines(10, 595, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 560, ["Abstract"])
        + text_lines(10, 545, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.title == "Echoes of Whales in Shallow Bays"
    assert fields.authors == ["Alice Martin", "Bob Chen"]


def test_a_journal_name_set_as_a_logo_is_not_the_title(tmp_path):
    # the logo repeats the journal's name from the citation line at the top of the page
    content = (
        text_lines(10, 760, ["Ocean Letters 2014, 6, 61-75; doi:10.1234/ol6010061"])
        + text_lines(28, 720, ["ocean letters"])
        + text_lines(10, 700, ["ISSN 1234-5678"])
        + text_lines(18, 650, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 620, ["Alice Martin and Bob Chen"])
        + text_lines(10, 605, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 570, ["Abstract"])
        + text_lines(10, 555, SAMPLE_BODY)
    )
    assert read_fields(tmp_path, content).title == "Echoes of Whales in Shallow Bays"
    # a title that merely shares words with the journal's name stays the title
    content = (
        content.replace("(ocean letters)", "(Ocean Letters on Whales)")
        .replace("(ISSN 1234-5678)", "(Research)")
        .replace(
            "/F1 18 Tf 72 650 Td (Echoes of Whales in Shallow Bays)",
            "/F1 10 Tf 72 650 Td (Article)",
        )
    )
    assert read_fields(tmp_path, content).title == "Ocean Letters on Whales"


def test_a_structured_abstract_whose_label_is_set_larger_starts_at_the_label(tmp_path):
    content = (
        text_lines(20, 700, ["Echoes of Whales in Shallow Bays"])
        + text_lines(9, 670, ["Alice Martin, MD, MS; Bob Chen, BA; and Carol Diaz, MD, MPH"])
        + "BT /F1 12 Tf 72 640 Td (Background: We present a method that makes inference) Tj ET\n"
        + text_lines(9, 628, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract is not None
    assert fields.abstract.startswith("Background: We present a method that makes inference We")
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]


def test_short_degrees_are_cut_only_after_a_comma():
    assert clean_name("Wendy M. Smith, BA") == "Wendy M. Smith"
    assert clean_name("Herbert Szeto, MD, MS, MPH") == "Herbert Szeto"
    assert clean_name("YI MA") == "YI MA"
    assert clean_name("Ann Lee, MPhil, DSc") == "Ann Lee"
    assert clean_name("Bob Chen MD, FACS") == "Bob Chen"


def test_an_affiliation_in_another_language_before_the_abstract_is_not_its_first_line(tmp_path):
    content = (
        text_lines(14, 700, ["Echoes of Whales in Shallow Bays"])
        + text_lines(10, 675, ["Riccardo Torre"])
        + text_lines(
            9,
            663,
            [
                "Dipartimento di Fisica e Astronomia, Università di Padova, and INFN di Padova, Italy"
            ],
        )
        + text_lines(9, 640, SAMPLE_BODY)
    )
    fields = read_fields(tmp_path, content)
    assert fields.abstract is not None and fields.abstract.startswith("We present a method")
    assert fields.affiliations == [
        "Dipartimento di Fisica e Astronomia, Università di Padova, and INFN di Padova, Italy"
    ]


def test_a_pointer_to_the_end_of_the_article_is_not_part_of_a_footnote_affiliation(tmp_path):
    content = (
        text_lines(20, 700, ["Echoes of Whales in Shallow Bays"])
        + text_lines(11, 670, ["Alice Martin and Bob Chen"])
        + text_lines(12, 640, ["Abstract"])
        + text_lines(10, 625, SAMPLE_BODY)
        + text_lines(10, 560, [f"{line} {line}"[:90] for line in SAMPLE_BODY * 3])
        + "BT /F1 5 Tf 72 133 Td (1) Tj ET\n"
        + text_lines(7, 130, ["Department of Physics, University of Oslo, Blindern, 0316"], step=9)
        + text_lines(
            7,
            121,
            [
                "Oslo, Norway",
                "Full list of author information is available at the end of the article",
            ],
            step=9,
        )
    )
    fields = read_fields(tmp_path, content)
    assert fields.affiliations == [
        "Department of Physics, University of Oslo, Blindern, 0316 Oslo, Norway"
    ]


def test_bracket_glyph_names_of_physics_fonts_are_brackets():
    assert (
        clean_text("microscopy /H20849SP-STM/H20850 /H20851doi/H20852")
        == "microscopy (SP-STM) [doi]"
    )
    assert clean_text("/H99999 stays") == "/H99999 stays"


def _title_page(title_ops: str) -> str:
    return (
        f"BT /F1 17 Tf 72 700 Td {title_ops} ET\n"
        + text_lines(12, 670, ["Alice Martin and Bob Chen"])
        + text_lines(10, 655, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 620, ["Abstract"])
        + text_lines(10, 605, SAMPLE_BODY)
    )


def test_a_raised_number_inside_a_title_is_an_exponent_but_one_at_its_end_a_marker(tmp_path):
    inner = "(Ising on S) Tj /F1 10 Tf 7 Ts (2) Tj /F1 17 Tf 0 Ts ( - The Affine Conjecture) Tj"
    assert read_fields(tmp_path, _title_page(inner)).title == "Ising on S2 - The Affine Conjecture"
    end = "(Ising on Spheres and Tori) Tj /F1 10 Tf 7 Ts (1) Tj"
    assert read_fields(tmp_path, _title_page(end)).title == "Ising on Spheres and Tori"


def test_what_someone_is_with_in_a_footnote_is_an_affiliation_up_to_the_e_mail(tmp_path):
    content = (
        text_lines(20, 700, ["Echoes of Whales in Shallow Bays"])
        + text_lines(11, 670, ["Alice Martin and Bob Chen"])
        + text_lines(12, 640, ["Abstract"])
        + text_lines(10, 625, SAMPLE_BODY)
        + text_lines(10, 560, [f"{line} {line}"[:90] for line in SAMPLE_BODY * 3])
        + text_lines(
            8,
            140,
            [
                "A. Martin is with the Department of Physics, University of Oslo, 0316 Oslo,",
                "Norway (e-mail: alice@uio.example).",
                "B. Chen was with Acme Robotics, Cleveland, OH 44124 USA, when this work was done",
                "(e-mail: bob@acme.example).",
            ],
            step=9,
        )
    )
    assert read_fields(tmp_path, content).affiliations == [
        "Department of Physics, University of Oslo, 0316 Oslo, Norway",
        "Acme Robotics, Cleveland, OH 44124 USA",
    ]


def test_a_journal_name_with_its_issn_below_is_not_the_title(tmp_path):
    content = (
        text_lines(26, 730, ["Marine Acoustics Letters"])
        + text_lines(10, 712, ["ISSN 1234-5678"])
        + text_lines(18, 660, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 630, ["Alice Martin and Bob Chen"])
        + text_lines(10, 615, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 580, ["Abstract"])
        + text_lines(10, 565, SAMPLE_BODY)
    )
    assert read_fields(tmp_path, content).title == "Echoes of Whales in Shallow Bays"


def test_a_summary_heading_opens_the_abstract_but_a_summary_of_something_does_not(tmp_path):
    content = (
        text_lines(20, 700, ["Echoes of Whales in Shallow Bays"])
        + text_lines(12, 670, ["Alice Martin and Bob Chen"])
        + text_lines(10, 655, ["Department of Physics, University of Oslo, Norway"])
        + text_lines(12, 620, ["Summary"])
        + text_lines(10, 605, ["Whales sing.", *SAMPLE_BODY])
    )
    abstract = read_fields(tmp_path, content).abstract
    assert abstract is not None and abstract.startswith("Whales sing. We present a method")
    heading = content.replace("(Summary)", "(Summary Statistics of Songs)")
    abstract = read_fields(tmp_path, heading).abstract
    assert abstract is not None and not abstract.startswith("Whales sing.")
