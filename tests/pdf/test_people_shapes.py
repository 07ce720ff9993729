"""Author and affiliation shapes from the second round of issue 19 (dev/ and the old test/ corpus).

Each test draws one shape the extractor missed on a real paper, or checks the text rule behind it.
"""

from __future__ import annotations

from generator.authoring.ingest.layout import Line, Span, attach_cells
from generator.authoring.ingest.people import footnote_affiliations, without_email
from tests.pdf.test_people import Span as Drawn
from tests.pdf.test_people import draw, page, superscript


def test_names_set_in_columns_by_one_operator_are_split_at_the_wide_gaps(tmp_path, font_path):
    # one string with wide gaps: a single span, whose columns only the layout-mode text shows
    block: list[Drawn] = [
        (100, 120, 12, "Alice Martin" + " " * 20 + "Robert Chen" + " " * 20 + "Carol Diaz"),
        (
            100,
            136,
            10,
            "Stanford University" + " " * 16 + "Stanford University" + " " * 14 + "Yahoo! Inc.",
        ),
        (
            100,
            148,
            10,
            "Computer Science Department"
            + " " * 6
            + "Computer Science Department"
            + " " * 4
            + "701 First Avenue",
        ),
    ]
    fields = draw(tmp_path / "columns.pdf", font_path, page(block))
    assert fields.authors == ["Alice Martin", "Robert Chen", "Carol Diaz"]
    assert fields.affiliations == [
        "Stanford University, Computer Science Department",
        "Yahoo! Inc.",
    ]


def test_attach_cells_matches_layout_lines_by_their_text():
    line = Line([Span(100.0, 700.0, 12.0, "Ann Lee Bo Chan Jo Park", False, False)])
    other = Line([Span(100.0, 680.0, 12.0, "A sentence of the abstract here", False, False)])
    attach_cells(
        [line, other], "   Ann Lee      Bo Chan     Jo Park\n  A sentence of the abstract here\n"
    )
    assert line.cells == ["Ann Lee", "Bo Chan", "Jo Park"]
    assert other.cells is None


def test_letter_markers_printed_at_full_size_after_names(tmp_path, font_path):
    block: list[Drawn] = [
        (72, 120, 12, "Patrick N.J. Lanea,c,*, Alice E. Bestb,c,d, Klaus Hickelb,c, Lu Zhangb,c"),
        superscript(72, 140, 8, "a"),
        (78, 140, 8, "School of Forest and Ecosystem Studies, University of Melbourne, Australia"),
        (72, 152, 8, "Received 1 October 2003; revised 22 December 2004; accepted 3 January 2005"),
    ]
    fields = draw(tmp_path / "letters.pdf", font_path, page(block))
    assert fields.authors == ["Patrick N.J. Lane", "Alice E. Best", "Klaus Hickel", "Lu Zhang"]
    # the dates under the affiliation are not its address
    assert fields.affiliations == [
        "School of Forest and Ecosystem Studies, University of Melbourne, Australia"
    ]


def test_names_that_lost_the_space_between_given_name_and_surname(tmp_path, font_path):
    block: list[Drawn] = [
        (72, 120, 11, "Ann Theurer2,3,CharlesMunthali3,NoorAlide4 and Flo Neuhann5")
    ]
    fields = draw(tmp_path / "glued.pdf", font_path, page(block))
    assert fields.authors == ["Ann Theurer", "Charles Munthali", "Noor Alide", "Flo Neuhann"]


def test_a_name_cut_at_the_end_of_an_author_line(tmp_path, font_path):
    block: list[Drawn] = [
        (72, 120, 10, "Pamela Forner, Anselmo Penas, Corina"),
        (72, 132, 10, "Forascu, Nicolas Moreau, Paulo Ro-"),
        (72, 144, 10, "cha, Edward Van"),
        (72, 156, 10, "Keuren and Erik Tjong Kim Sang"),
    ]
    fields = draw(tmp_path / "wrapped.pdf", font_path, page(block))
    assert fields.authors == [
        "Pamela Forner",
        "Anselmo Penas",
        "Corina Forascu",
        "Nicolas Moreau",
        "Paulo Rocha",
        "Edward Van Keuren",
        "Erik Tjong Kim Sang",
    ]


def test_affiliation_lines_that_end_with_the_email(tmp_path, font_path):
    block: list[Drawn] = [
        (72, 120, 11, "Pamela Forner1, Anselmo Penas2 and Nicolas Moreau3"),
        (90, 136, 9, "1 CELCT, Trento, Italy (forner@celct.it)"),
        (90, 147, 9, "2 Departamento de Lenguajes y Sistemas, UNED, Madrid, Spain"),
        (90, 158, 9, "(anselmo@lsi.uned.es)"),
        (90, 169, 9, "3 ELDA/ELRA, Paris, France (moreau@elda.org)"),
        (90, 180, 9, "Nicolas Moreau, Email: moreau@elda.org. Supported by a research grant"),
        (90, 191, 9, "4 Corresponding author: forner@celct.it and anselmo@lsi.uned.es"),
    ]
    fields = draw(tmp_path / "email-lines.pdf", font_path, page(block))
    assert fields.authors == ["Pamela Forner", "Anselmo Penas", "Nicolas Moreau"]
    assert fields.affiliations == [
        "CELCT, Trento, Italy",
        "Departamento de Lenguajes y Sistemas, UNED, Madrid, Spain",
        "ELDA/ELRA, Paris, France",
    ]


def test_without_email_keeps_the_rest_of_the_line():
    assert without_email("CELCT, Trento, Italy (forner@celct.it)") == "CELCT, Trento, Italy"
    assert without_email("DFKI, Germany, bogdan@dfki.de") == "DFKI, Germany"


def test_a_lab_name_above_its_street_and_email(tmp_path, font_path):
    block: list[Drawn] = [
        (150, 120, 12, "Denis Trystram"),
        (150, 134, 10, "ID-IMAG"),
        (150, 146, 10, "51 avenue Jean Kuntzmann"),
        (150, 158, 10, "38330 Montbonnot Saint-Martin, France"),
        (150, 172, 12, "denis.trystram@imag.fr"),
    ]
    fields = draw(tmp_path / "lab.pdf", font_path, page(block))
    assert fields.authors == ["Denis Trystram"]
    assert fields.affiliations[:1] == ["ID-IMAG"]
    assert all("Kuntzmann" not in a or a.startswith("ID-IMAG") for a in fields.affiliations)


def test_numbered_affiliations_in_one_paragraph_with_full_size_numbers(tmp_path, font_path):
    block: list[Drawn] = [
        (200, 120, 9, "Kayla Thomason1, Md Ali Babar1, Chris Beecher2, Greg MacDonald3"),
        (200, 136, 8, "1 Agronomy Dept., University of Florida, Gainesville, FL, United States, 2 West Florida Research"),
        (200, 146, 8, "and Education Center, University of Florida, Jay, FL, United States, 3 Southeast Center for"),
        (200, 156, 8, "Integrated Metabolomics, University of Florida, Gainesville, FL, United States"),
    ]  # fmt: skip
    fields = draw(tmp_path / "paragraph.pdf", font_path, page(block))
    assert fields.affiliations == [
        "Agronomy Dept., University of Florida, Gainesville, FL, United States",
        "West Florida Research and Education Center, University of Florida, Jay, FL, United States",
        "Southeast Center for Integrated Metabolomics, University of Florida, Gainesville, FL,"
        " United States",
    ]


def test_numbered_affiliation_notes_in_a_margin_column_high_on_the_page(tmp_path, font_path):
    # the author line's markers point to notes printed small beside the abstract, not at the foot
    block: list[Drawn] = [(200, 120, 12, "Xiaolu Huang,1,2 Weili Yan,2 Ping Xiong1")]
    side: list[Drawn] = [
        (20, 320, 5, "1"),
        (23, 322, 7, "Renji Hospital, Shanghai"),
        (20, 331, 7, "Jiaotong University School of"),
        (20, 340, 7, "Medicine, Shanghai, China"),
        (20, 350, 5, "2"),
        (23, 352, 7, "Shanghai Institute of Digestive"),
        (20, 361, 7, "Diseases, Shanghai, China"),
    ]
    header: list[Drawn] = [
        (72, 40, 7, "758 JOURNAL OF DIGESTIVE RESEARCH INSTITUTES, VOL. 7, NO. 5")
    ]
    fields = draw(tmp_path / "margin.pdf", font_path, page(block, [*side, *header]))
    assert fields.authors == ["Xiaolu Huang", "Weili Yan", "Ping Xiong"]
    assert fields.affiliations == [
        "Renji Hospital, Shanghai Jiaotong University School of Medicine, Shanghai, China",
        "Shanghai Institute of Digestive Diseases, Shanghai, China",
    ]


def test_one_footnote_holding_several_numbered_affiliations(tmp_path, font_path):
    block: list[Drawn] = [(72, 120, 11, "Costas Anastassiou1,3, Rodrigo Perin2 & Christof Koch1")]
    notes: list[Drawn] = [
        superscript(72, 720, 7, "1"),
        (76, 720, 7, "Division of Biology, California Institute of Technology, Pasadena, USA."),
        superscript(330, 720, 7, "2"),
        (334, 720, 7, "Department of Bioengineering, Imperial College, London, UK."),
        superscript(72, 730, 7, "3"),
        (76, 730, 7, "Laboratory of Neural Microcircuitry, EPFL, Lausanne, Switzerland."),
        superscript(330, 730, 7, "4"),
        (334, 730, 7, "These authors contributed equally to the work."),
    ]
    fields = draw(tmp_path / "one-note.pdf", font_path, page(block, notes))
    assert fields.affiliations == [
        "Division of Biology, California Institute of Technology, Pasadena, USA",
        "Department of Bioengineering, Imperial College, London, UK",
        "Laboratory of Neural Microcircuitry, EPFL, Lausanne, Switzerland",
    ]


def test_footnote_affiliations_skip_a_running_head_with_a_page_number():
    def line(index: int, y: float, size: float, text: str) -> Line:
        return Line([Span(40.0, y, size, text, False, False)], index=index)

    body = [line(i + 1, 600.0 - 12 * i, 10.0, "body text of the paper " * 3) for i in range(10)]
    head = line(0, 756.0, 7.0, "758 IEEE TRANSACTIONS ON CIRCUITS AND SYSTEMS FOR VIDEO")
    assert footnote_affiliations([head, *body], 792.0) == []
