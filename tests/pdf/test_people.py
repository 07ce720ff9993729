"""Authors and affiliations in the layouts issue 19 found on real papers, drawn here span by span."""

from __future__ import annotations

from pathlib import Path

import pypdf
from fpdf import FPDF

from generator.authoring.ingest.extract import PdfFields, extract_fields
from generator.authoring.ingest.text import clean_text, join_lines

# (x, baseline measured from the top, font size, text)
Span = tuple[float, float, float, str]

ABSTRACT = [
    "We present a method that makes language model inference faster by skipping",
    "attention to distant tokens. Our experiments on three benchmarks show that the",
    "method gives a speedup of two times with no loss of accuracy on long inputs.",
]


def draw(path: Path, font: Path, spans: list[Span]) -> PdfFields:
    """Draw the spans in the order given (the content-stream order) and read the page back."""
    pdf = FPDF(unit="pt", format="letter")
    pdf.add_font("pb", fname=str(font))
    pdf.add_page()
    for x, y, size, text in spans:
        pdf.set_font("pb", size=size)
        pdf.text(x, y, text)
    pdf.output(str(path))
    return extract_fields(pypdf.PdfReader(path))


TITLE: Span = (72, 90, 17, "Sparse Attention for Fast Inference")


def page(block: list[Span], footnotes: list[Span] = (), title: list[Span] = (TITLE,)) -> list[Span]:
    """Return a page in reading order: title, author block, abstract, then footnotes."""
    spans = [*title, *block, (72, 300, 12, "Abstract")]
    spans += [(72, 318 + 12 * i, 10, line) for i, line in enumerate(ABSTRACT)]
    return [*spans, (72, 370, 12, "1 Introduction"), *footnotes]


def superscript(x: float, y: float, size: float, text: str) -> Span:
    """Return a marker raised above the baseline of text of the given size."""
    return (x, y - size * 0.35, size * 0.6, text)


def line_with_markers(x: float, y: float, size: float, parts: list[str]) -> list[Span]:
    """Return a line whose odd parts are raised markers, in drawing order."""
    spans: list[Span] = []
    for i, part in enumerate(parts):
        spans.append(superscript(x, y, size, part) if i % 2 else (x, y, size, part))
        x += len(part) * size * (0.31 if i % 2 else 0.52) + 2
    return spans


def test_names_in_capitals_with_the_affiliation_on_the_same_line(tmp_path, font_path):
    block: list[Span] = [
        (72, 120, 11, "TAL AUGUST, University of Washington, USA"),
        (72, 136, 11, "LUCY LU WANG, Allen Institute for Artificial Intelligence, USA"),
        (72, 152, 11, "MARTI A. HEARST, University of California, Berkeley, USA"),
        (72, 168, 11, "YAXIONG XIE and KYLE JAMIESON, Princeton University, USA"),
    ]
    fields = draw(tmp_path / "caps.pdf", font_path, page(block))
    assert fields.authors == [
        "Tal August",
        "Lucy Lu Wang",
        "Marti A. Hearst",
        "Yaxiong Xie",
        "Kyle Jamieson",
    ]
    assert fields.affiliations == [
        "University of Washington, USA",
        "Allen Institute for Artificial Intelligence, USA",
        "University of California, Berkeley, USA",
        "Princeton University, USA",
    ]
    assert fields.abstract is not None and fields.abstract.startswith("We present a method")


def test_names_in_capitals_on_their_own_lines_are_authors_not_acronyms(tmp_path, font_path):
    block: list[Span] = [
        (72, 120, 10, "LEANA GOLUBCHIK"),
        (72, 134, 10, "Department of Computer Science"),
        (72, 148, 10, "University of Southern California, Los Angeles"),
        (72, 162, 10, "and"),
        (72, 176, 10, "AN ZHU"),
        (72, 190, 10, "Google Inc, Mountain View"),
    ]
    fields = draw(tmp_path / "caps-lines.pdf", font_path, page(block))
    assert fields.authors == ["Leana Golubchik", "An Zhu"]
    assert fields.affiliations == [
        "Department of Computer Science, University of Southern California, Los Angeles",
        "Google Inc, Mountain View",
    ]


def test_footnote_affiliations_pointed_to_by_raised_markers(tmp_path, font_path):
    block = line_with_markers(150, 120, 12, ["Dariusz Kowalski", "1", "Michael Segal", "2"])
    # the bottom of the page: a funding note, then one footnote per affiliation
    notes: list[Span] = [
        superscript(72, 700, 8, "*"),
        (78, 700, 8, "Work on this paper was supported by a grant of the Research Council."),
        superscript(72, 712, 8, "1"),
        (78, 712, 8, "Department of Computer Science, University of Liverpool, United Kingdom."),
        superscript(72, 724, 8, "2"),
        (78, 724, 8, "Communication Systems Engineering Department, Ben-Gurion University,"),
        (72, 734, 8, "Beer-Sheva, Israel."),
    ]
    fields = draw(tmp_path / "footnotes.pdf", font_path, page(block, notes))
    assert fields.authors == ["Dariusz Kowalski", "Michael Segal"]
    assert fields.affiliations == [
        "Department of Computer Science, University of Liverpool, United Kingdom",
        "Communication Systems Engineering Department, Ben-Gurion University, Beer-Sheva, Israel",
    ]


def test_an_ieee_footnote_says_where_an_author_is(tmp_path, font_path):
    block: list[Span] = [(150, 120, 11, "Ed Chang and Avideh Zakhor, Member, IEEE")]
    notes: list[Span] = [
        (72, 700, 8, "Manuscript received September 1, 1996; revised January 31, 1997."),
        (72, 712, 8, "E. Chang is with the Digital Equipment Corporation, Cambridge Research"),
        (72, 722, 8, "Lab, Cambridge, MA 02139 USA."),
    ]
    fields = draw(tmp_path / "ieee.pdf", font_path, page(block, notes))
    assert fields.authors == ["Ed Chang", "Avideh Zakhor"]
    assert fields.affiliations == [
        "Digital Equipment Corporation, Cambridge Research Lab, Cambridge, MA 02139 USA"
    ]


def test_small_capitals_after_a_space_are_words_not_markers(tmp_path, font_path):
    title: list[Span] = [(72, 90, 17, "Fast Inference on "), (242, 90, 13, "GPUS")]
    block: list[Span] = [(150, 120, 12, "Alice Martin")]
    fields = draw(tmp_path / "smallcaps.pdf", font_path, page(block, title=title))
    assert fields.title == "Fast Inference on GPUS"


def test_numbered_affiliations_run_together_are_split_at_their_numbers(tmp_path, font_path):
    block: list[Span] = [
        (120, 120, 12, "Alice Martin1, Bob Chen2, Carol Diaz3"),
        (100, 136, 10, "1Princeton University 2Together AI 3University of Chicago"),
    ]
    fields = draw(tmp_path / "numbered.pdf", font_path, page(block))
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]
    assert fields.affiliations == ["Princeton University", "Together AI", "University of Chicago"]


def test_address_lines_and_a_lab_before_an_email_are_kept(tmp_path, font_path):
    block: list[Span] = [
        (150, 120, 12, "Alice Martin"),
        (150, 134, 10, "University of Texas at Austin"),
        (150, 146, 10, "1 University Station C0500"),
        (150, 158, 10, "Austin, TX 78712, USA"),
        (330, 120, 12, "Bob Chen"),
        (330, 134, 10, "ID-IMAG"),
        (330, 146, 10, "bob.chen@imag.fr"),
    ]
    fields = draw(tmp_path / "address.pdf", font_path, page(block))
    assert fields.authors == ["Alice Martin", "Bob Chen"]
    assert fields.affiliations == [
        "University of Texas at Austin, 1 University Station C0500, Austin, TX 78712, USA",
        "ID-IMAG",
    ]


def test_a_cedilla_drawn_after_its_letter_attaches_to_it(tmp_path, font_path):
    block: list[Span] = [(150, 120, 12, "Franc¸ois Martin and Bob Chen")]
    fields = draw(tmp_path / "cedilla.pdf", font_path, page(block))
    assert fields.authors == ["François Martin", "Bob Chen"]


def test_combining_accents_attach_to_their_letter():
    assert clean_text("Jose\u0301 Garci \u0301a") == "José García"
    assert clean_text("Franc\u00b8ois") == "François"


def test_real_hyphens_at_line_ends_are_kept():
    lines = ["methods give state-of-the-", "art results on high-", "quality data in real-",
             "time, while hyphen-", "ation of ordinary words is undone."]  # fmt: skip
    assert join_lines(lines) == (
        "methods give state-of-the-art results on high-quality data in real-time,"
        " while hyphenation of ordinary words is undone."
    )
