"""BibTeX entries by venue status, read back the way BibTeX 0.99 reads a .bib file."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from bibtex_reader import read_bib

from generator.records.collection import Paper
from generator.records.models import PaperRecord
from generator.site.render.bibtex import bibtex_entry, bibtex_file


def _paper(**fields: Any) -> Paper:
    record = PaperRecord.model_validate(
        {
            "title": "Fast Things",
            "authors": ["Ada Lovelace", "Alan Turing", "Grace Hopper"],
            "published": date(2025, 9, 30),
            "links": {"arxiv": "2509.26328"},
            "arxiv_category": "cs.CL",
            "added": date(2025, 10, 15),
            **fields,
        }
    )
    return Paper(
        id="fast-things",
        record=record,
        source="papers/fast-things.yaml",
        institutions=(),
        techniques=(),
    )


def _read(paper: Paper) -> tuple[str, dict[str, str]]:
    bib = read_bib(bibtex_file([bibtex_entry(paper, "untitled")]))
    assert bib.problems == [] and bib.keys == [paper.id]
    (entry,) = bib.entries
    return entry.kind, entry.fields


def test_a_published_conference_paper_is_inproceedings_with_its_venue_year() -> None:
    kind, fields = _read(_paper(venue="ICLR 2026", venue_status="published", year=2026))
    assert kind == "inproceedings"
    assert fields["booktitle"] == "ICLR 2026"
    assert fields["year"] == "2026"
    assert fields["author"] == "Ada Lovelace and Alan Turing and Grace Hopper"
    assert "note" not in fields
    # the arXiv version stays reachable
    assert (fields["eprint"], fields["archiveprefix"], fields["primaryclass"]) == (
        "2509.26328",
        "arXiv",
        "cs.CL",
    )


def test_a_published_journal_paper_is_an_article() -> None:
    kind, fields = _read(
        _paper(venue="Nature Machine Intelligence", venue_status="published", year=2026)
    )
    assert kind == "article" and fields["journal"] == "Nature Machine Intelligence"


def test_an_accepted_paper_is_cited_at_its_venue_with_a_note() -> None:
    kind, fields = _read(_paper(venue="ICML 2026", venue_status="accepted", year=2026))
    assert kind == "inproceedings" and fields["booktitle"] == "ICML 2026"
    assert fields["note"] == "Accepted, to appear"


@pytest.mark.parametrize(
    ("status", "note"),
    [
        ("under-review", "Under review at ICLR 2026"),
        ("withdrawn", "Withdrawn submission to ICLR 2026"),
    ],
)
def test_a_submission_is_never_cited_as_a_conference_paper(status: str, note: str) -> None:
    kind, fields = _read(_paper(venue="ICLR 2026", venue_status=status, year=2025))
    assert kind == "misc"
    assert "booktitle" not in fields and "journal" not in fields
    assert fields["note"] == note
    assert fields["year"] == "2025"  # the first version's year
    assert (fields["eprint"], fields["archiveprefix"], fields["primaryclass"]) == (
        "2509.26328",
        "arXiv",
        "cs.CL",
    )


def test_a_preprint_is_misc_with_the_eprint_fields_and_the_first_version_year() -> None:
    kind, fields = _read(_paper(venue_status="preprint"))
    assert kind == "misc"
    assert fields["year"] == "2025"  # from published: the record has no year
    assert "note" not in fields and "howpublished" not in fields
    assert fields["url"] == "https://arxiv.org/abs/2509.26328"


def test_a_venue_of_unknown_status_is_not_cited_as_one() -> None:
    kind, fields = _read(_paper(venue="NeurIPS 2025", published=None))
    assert kind == "misc" and fields["howpublished"] == "NeurIPS 2025"
    assert "year" not in fields  # unknown, so left out


def test_the_sample_records_cite_cat_ptq_as_a_withdrawn_submission() -> None:
    from pathlib import Path

    from generator.records.load import load_collection

    papers = load_collection(Path(__file__).resolve().parents[2] / "data").papers
    bib = read_bib(bibtex_file(bibtex_entry(p, "untitled") for p in papers.values()))
    assert bib.problems == []
    entries = {e.key: (e.kind, e.fields) for e in bib.entries}
    assert set(entries) == set(papers)
    kind, fields = entries["cat-ptq"]
    assert kind == "misc" and fields["note"] == "Withdrawn submission to ICLR 2026"
    assert fields["author"] == "Ali Zoljodi and Radu Timofte and Masoud Daneshtalab"
    kind, fields = entries["fast-dllm-v2"]
    assert kind == "inproceedings" and fields["booktitle"] == "ICLR 2026"
    assert fields["author"].count(" and ") == 9 and fields["year"] == "2026"
    assert fields["primaryclass"] == "cs.CL"
    for key, (_kind, fields) in entries.items():
        assert "author" in fields and "year" in fields and "eprint" in fields, key
