"""Paper identity: one answer to "is this paper already here?" for load, add, ingest and import."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from generator.authoring.ingest.draft import known_papers
from generator.records.keys import PaperIndex, PaperKey, normalize_title, paper_keys, record_keys
from generator.records.models import Links, PaperRecord
from generator.records.stored import read_stored_papers


def test_keys_drop_the_arxiv_version_lowercase_the_doi_and_fold_the_title() -> None:
    assert paper_keys(title="Déjà-Vu: Fast KV", arxiv="2501.01234v3", doi="10.1145/ABC.Def") == (
        PaperKey("arxiv", "2501.01234"),
        PaperKey("doi", "10.1145/abc.def"),
        PaperKey("title", normalize_title("deja vu fast kv")),
    )
    assert paper_keys(title="?!", arxiv=None, doi=None) == ()  # nothing left to compare


def test_record_keys_match_the_keys_of_its_fields() -> None:
    record = PaperRecord(
        title="Fast KV Caching",
        added=date(2025, 1, 1),
        links=Links(arxiv="2501.01234v2", doi="10.1145/3600006.3613165"),
    )
    assert record_keys(record) == paper_keys(
        title="fast kv-caching", arxiv="2501.01234", doi="10.1145/3600006.3613165"
    )


def test_the_index_keeps_the_first_owner_and_reports_clashes() -> None:
    index = PaperIndex()
    assert index.add("a", paper_keys(title="One", doi="10.1/X")) == []
    clashes = index.add("b", paper_keys(title="Two", doi="10.1/x"))
    assert clashes == [(PaperKey("doi", "10.1/x"), "a")]
    assert index.find(paper_keys(title="two")) == ("b", PaperKey("title", "two"))
    assert index.find(paper_keys(title="Three")) is None


def test_stored_papers_count_invalid_and_unreadable_files(tmp_path: Path) -> None:
    papers = tmp_path / "papers"
    papers.mkdir()
    # an unknown field makes the record invalid; it still holds its paper
    (papers / "typo.yaml").write_text(
        "titel: x\ntitle: Fast KV\nlinks: {doi: 10.1234/ABC}\n", encoding="utf-8"
    )
    (papers / "broken.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    stored = {p.id: p for p in read_stored_papers(tmp_path)}
    assert stored["typo"].keys == paper_keys(title="Fast KV", doi="10.1234/abc")
    assert not stored["broken"].readable
    known = known_papers(tmp_path)
    assert known.ids == {"typo", "broken"}
    drafted = PaperRecord(
        title="Another Title", added=date(2025, 1, 1), links=Links(doi="10.1234/abc")
    )
    assert known.find(drafted) == ("typo", "DOI")
