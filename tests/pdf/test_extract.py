"""Extraction from PDFs made here: layouts and the hard cases real papers show."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest

from generator.authoring.ingest.extract import PdfFields, extract_fields
from generator.authoring.ingest.text import clean_text, join_lines

from .conftest import CJK, Paper


def read(path: Path) -> PdfFields:
    return extract_fields(pypdf.PdfReader(path))


def test_one_column_paper(paper_pdf):
    fields = read(paper_pdf())
    assert fields.title == "Sparse Attention for Fast Language Model Inference"
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]
    assert fields.affiliations == ["Department of Computer Science, Stanford University"]
    assert fields.abstract is not None
    assert fields.abstract.startswith(
        "We present a method that makes language model inference faster"
    )
    assert fields.abstract.endswith("no loss of accuracy on long inputs.")
    assert "Introduction" not in fields.abstract
    assert fields.pages == 1


def test_line_end_hyphens_are_undone_but_compounds_kept(paper_pdf):
    abstract = read(paper_pdf()).abstract or ""
    assert "Our experiments on three" in abstract
    assert "automatically-generated masks" in abstract


@pytest.mark.parametrize("interleave", [False, True], ids=["column-by-column", "row-by-row"])
def test_two_columns_keep_the_abstract_whole(paper_pdf, interleave):
    right = ["Right column words stay out"] * 6
    fields = read(paper_pdf(Paper(right_column=right, interleave=interleave)))
    assert fields.abstract is not None
    assert "Right column" not in fields.abstract
    assert fields.abstract.startswith("We present a method")
    assert fields.title == "Sparse Attention for Fast Language Model Inference"


def test_rotated_margin_stamp_is_not_the_title_but_gives_the_arxiv_id(paper_pdf):
    stamp = "arXiv:2401.01234v2  [cs.CL]  3 Jan 2024"
    fields = read(paper_pdf(Paper(stamp=stamp)))
    assert fields.title == "Sparse Attention for Fast Language Model Inference"
    assert fields.arxiv == "2401.01234v2"
    assert fields.year == 2024


def test_ligatures_and_spacing_accents_are_folded(paper_pdf):
    paper = Paper(
        title=["Eﬃcient Fine-Tuning with ﬂexible Adapters"],
        authors=["Jos´e Garc´ıa and Anna M¨uller"],
    )
    fields = read(paper_pdf(paper))
    assert fields.title == "Efficient Fine-Tuning with flexible Adapters"
    assert fields.authors == ["José García", "Anna Müller"]


def test_ligature_fi_from_its_own_codepoint(paper_pdf):
    fields = read(paper_pdf(Paper(title=["Classiﬁcation of Scientiﬁc Figures"])))
    assert fields.title == "Classification of Scientific Figures"


def test_wrong_metadata_title_is_ignored(paper_pdf):
    fields = read(paper_pdf(Paper(metadata_title="Microsoft Word - x.docx")))
    assert fields.metadata_title is None
    assert fields.title == "Sparse Attention for Fast Language Model Inference"


def test_good_metadata_title_fills_in_when_the_page_has_none(paper_pdf):
    paper = Paper(
        title=[], authors=[], affiliations=[], metadata_title="A Title Kept Only in the Metadata"
    )
    fields = read(paper_pdf(paper))
    assert fields.title == "A Title Kept Only in the Metadata"
    assert any("metadata" in note for note in fields.notes)


def test_abstract_without_heading(paper_pdf):
    fields = read(paper_pdf(Paper(heading=None)))
    assert fields.abstract is not None
    assert fields.abstract.startswith("We present a method")
    assert "Large language models are slow" not in fields.abstract
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]


def test_cjk_title(paper_pdf):
    fields = read(paper_pdf(Paper(title=[CJK], authors=["Wei Zhang and Li Na"])))
    assert fields.title == CJK
    assert fields.authors == ["Wei Zhang", "Li Na"]


def test_markers_footnotes_and_emails_are_not_authors(paper_pdf):
    paper = Paper(
        authors=["Alice Martin1, Bob Chen2∗ and Carol Diaz1", "{alice,carol}@stanford.edu"],
        affiliations=["1Stanford University", "2Google Research", "∗Equal contribution"],
    )
    fields = read(paper_pdf(paper))
    assert fields.authors == ["Alice Martin", "Bob Chen", "Carol Diaz"]
    assert fields.affiliations == ["Stanford University", "Google Research"]


def test_doi_printed_on_the_page(paper_pdf):
    fields = read(paper_pdf(Paper(footer="DOI: 10.1145/3600006.3613165. Published 2023.")))
    assert fields.doi == "10.1145/3600006.3613165"


def test_clean_text_folds_dotless_i_with_combining_accent():
    assert clean_text("F\u0131\u0301sica") == "Física"
    assert clean_text("Investigaci´on") == "Investigación"


def test_join_lines_uses_the_document_vocabulary():
    assert join_lines(["a well-", "known result"], {"well-known"}) == "a well-known result"
    assert join_lines(["the cor-", "pus is big"], set()) == "the corpus is big"
