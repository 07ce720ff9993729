"""paperbrief add --arxiv/--doi/--title and ingest's arXiv lookup, against the fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from loopback import Reply
from metadata_fakes import FAST_DLLM, FAST_DLLM_S2, OLD_STYLE, S2Entry, Services, services

from generator.authoring.add_arxiv import (
    IngestArxiv,
    Lookups,
    draft_from_arxiv,
    parse_arxiv_option,
    parse_doi_option,
)
from generator.authoring.ingest.draft import ingest_pdfs
from generator.authoring.ingest.extract import PdfFields
from generator.cli import main
from generator.errors import ConfigError, EnrichmentError
from generator.records.load import load_collection

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def raw(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def svc() -> Any:
    with services() as started:
        started.arxiv.add(FAST_DLLM, OLD_STYLE)
        started.s2.papers["ARXIV:2509.26328"] = FAST_DLLM_S2
        yield started


def add(data: Path, svc: Services, *args: str) -> Any:
    return CliRunner().invoke(main, ["add", *args, "--data", str(data)], env=svc.env())


def test_add_arxiv_drafts_a_complete_valid_record(data_dir: Path, svc: Services) -> None:
    result = add(data_dir, svc, "--arxiv", "https://arxiv.org/abs/2509.26328v2")
    assert result.exit_code == 0, result.output
    assert "(drafted from arXiv 2509.26328v2 and Semantic Scholar)" in result.output
    record = raw(data_dir / "papers" / "fast-dllm-v2.yaml")
    assert record["title"] == FAST_DLLM.title and record["authors"] == FAST_DLLM.authors
    assert record["abstract"].startswith("Autoregressive")
    assert (record["published"], record["year"], record["arxiv_category"]) == (
        date(2025, 9, 30),
        2025,
        "cs.CL",
    )
    assert record["links"] == {"arxiv": "2509.26328", "pdf": "https://arxiv.org/pdf/2509.26328"}
    # only what no service knows is left, plus the venues the services name (never applied)
    assert [r.split(":")[0] for r in record["review"]] == [
        "institutions",
        "techniques",
        "venue",
        "venue",
    ]
    assert "venue" not in record
    assert "  - techniques: choose 1 to 4 technique ids" in result.output
    # valid as it stands, with both answers stored (enrich --metadata need not ask again)
    paper = load_collection(data_dir).papers["fast-dllm-v2"]
    assert paper.enrichment is not None and paper.enrichment.metadata is not None
    assert paper.enrichment.metadata.semantic_scholar is not None
    asked = len(svc.arxiv.requests)
    again = CliRunner().invoke(
        main, ["enrich", "--metadata", "--data", str(data_dir)], env=svc.env()
    )
    assert again.exit_code == 0 and len(svc.arxiv.requests) == asked


def test_add_doi_goes_through_semantic_scholar_to_arxiv(data_dir: Path, svc: Services) -> None:
    svc.s2.papers["DOI:10.1000/fast.2026.1"] = S2Entry(
        title=FAST_DLLM.title, external_ids={"ArXiv": "2509.26328", "DOI": "10.1000/fast.2026.1"}
    )
    result = add(data_dir, svc, "--doi", "https://doi.org/10.1000/fast.2026.1")
    assert result.exit_code == 0, result.output
    record = raw(data_dir / "papers" / "fast-dllm-v2.yaml")
    assert record["links"]["arxiv"] == "2509.26328"
    assert record["links"]["doi"] == "10.1000/fast.2026.1"
    assert record["authors"] == FAST_DLLM.authors


def test_add_doi_without_arxiv_drafts_from_semantic_scholar(data_dir: Path, svc: Services) -> None:
    svc.s2.papers["DOI:10.1145/3600006.3613165"] = S2Entry(
        title="Efficient Memory Management for Large Language Model Serving with PagedAttention",
        authors=["Woosuk Kwon", "Zhuohan Li"],
        venue="Symposium on Operating Systems Principles",
        year=2023,
        publication_date="2023-10-23",
        external_ids={"DOI": "10.1145/3600006.3613165"},
    )
    result = add(data_dir, svc, "--doi", "10.1145/3600006.3613165")
    assert result.exit_code == 0, result.output
    assert "drafted from Semantic Scholar" in result.output
    record = raw(next((data_dir / "papers").glob("*.yaml")))
    assert record["authors"] == ["Woosuk Kwon", "Zhuohan Li"]
    assert record["published"] == date(2023, 10, 23)
    # facts not from arXiv say where they came from
    assert record["sources"]["authors"].startswith("Semantic Scholar, paper ")
    assert any(
        r.startswith("venue: Semantic Scholar (DOI:10.1145/3600006.3613165) lists")
        for r in record["review"]
    )
    load_collection(data_dir)


def test_add_title_takes_arxivs_exact_match(data_dir: Path, svc: Services) -> None:
    result = add(data_dir, svc, "--title", "A note on old-style identifiers in high energy physics")
    assert result.exit_code == 0, result.output
    assert "found by an exact-title search" in result.output
    record = raw(next((data_dir / "papers").glob("*.yaml")))
    assert record["links"]["arxiv"] == "hep-th/9901001"
    assert record["title"] == OLD_STYLE.title  # arXiv's capitalisation


def test_add_title_without_an_arxiv_match_falls_back_on_scholar(
    data_dir: Path, svc: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.authoring import add_arxiv
    from generator.authoring.add import draft_paper

    seen: list[str] = []

    def scholar(data_dir: Path, title: str, **options: Any) -> Any:
        seen.append(title)
        return draft_paper(data_dir, title, offline=True, today=TODAY)

    monkeypatch.setattr(add_arxiv, "draft_paper", scholar)
    result = add(data_dir, svc, "--title", "A Paper Nobody Put on arXiv")
    assert result.exit_code == 0, result.output
    assert seen == ["A Paper Nobody Put on arXiv"]
    assert "arXiv has no single exact match for this title; drafted offline" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--arxiv", "2509.99999"], "arXiv has no paper with this id"),
        (["--arxiv", "2513.12345"], "has month 13"),
        (["--doi", "doi.org/x"], "is not of the form 10."),
        (
            ["--arxiv", "2509.26328", "--title", "Something Else Entirely"],
            "differs from arXiv's title",
        ),
        (["--arxiv", "2509.26328", "--offline"], "--offline drafts from the given fields only"),
        ([], "say which paper"),
    ],
)
def test_add_refuses_what_it_cannot_draft(
    data_dir: Path, svc: Services, args: list[str], message: str
) -> None:
    result = add(data_dir, svc, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert list((data_dir / "papers").glob("*.yaml")) == []


def test_add_refuses_a_paper_already_in_the_collection(data_dir: Path, svc: Services) -> None:
    assert add(data_dir, svc, "--arxiv", "2509.26328").exit_code == 0
    asked = len(svc.arxiv.requests)
    again = add(data_dir, svc, "--arxiv", "arXiv:2509.26328v1")
    assert again.exit_code == 2 and "already in the collection" in again.output
    assert len(svc.arxiv.requests) == asked  # refused before asking


def test_add_says_when_arxiv_cannot_be_asked(data_dir: Path, svc: Services) -> None:
    svc.arxiv.script += [Reply(status=503, body="down")] * 3
    lookups = Lookups(svc.arxiv_client(), svc.s2_client(), now=lambda: NOW)
    with pytest.raises(EnrichmentError, match=r"HTTP 503.*--offline"):
        draft_from_arxiv(data_dir, "2509.26328", lookups, today=TODAY)
    assert list((data_dir / "papers").glob("*.yaml")) == []


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2509.26328", "2509.26328"),
        ("arXiv:2509.26328v2", "2509.26328v2"),
        ("https://arxiv.org/pdf/2509.26328v1.pdf", "2509.26328v1"),
        ("hep-th/9901001", "hep-th/9901001"),
    ],
)
def test_arxiv_option_forms(given: str, expected: str) -> None:
    assert parse_arxiv_option(given) == expected


def test_doi_option_forms() -> None:
    assert parse_doi_option("doi:10.1145/3600006.3613165") == "10.1145/3600006.3613165"
    with pytest.raises(ConfigError):
        parse_doi_option("10.1145 3600006")


# ---- ingest ------------------------------------------------------------------------------------


def _pdf(tmp_path: Path, name: str = "paper.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4 stand-in; the extractor is replaced")
    return path


def _fields(**changes: Any) -> PdfFields:
    base: dict[str, Any] = {
        "title": "Fast-dLLM v2: Efficient Block Diffusion LLM",  # as the PDF's fonts gave it
        "authors": ["Chengyue Wu", "Hao Zhang"],  # the extractor missed eight
        "affiliations": ["The University of Hong Kong", "NVIDIA Research"],
        "abstract": None,
        "arxiv": "2509.26328v2",
    }
    base.update(changes)
    return PdfFields(**base)


def _ingest(data: Path, pdf: Path, svc: Services, fields: PdfFields) -> Any:
    asker = IngestArxiv(svc.arxiv_client(), now=lambda: NOW)
    return ingest_pdfs([pdf], data, today=TODAY, extract=lambda path, limits: fields, arxiv=asker)


def test_ingest_takes_title_authors_and_abstract_from_arxiv_and_keeps_affiliations(
    tmp_path: Path, data_dir: Path, svc: Services
) -> None:
    (result,) = _ingest(data_dir, _pdf(tmp_path), svc, _fields())
    assert result.status == "written", result.message
    record = raw(result.path)
    assert record["title"] == FAST_DLLM.title
    assert record["authors"] == FAST_DLLM.authors and "author_count" not in record
    assert record["abstract"].startswith("Autoregressive")
    assert record["institutions"] == ["The University of Hong Kong"]  # from the PDF
    assert any("NVIDIA Research" in r for r in record["review"])  # unresolved, as before
    assert not any(r.startswith("abstract: not found") for r in record["review"])
    assert record["published"] == date(2025, 9, 30) and record["arxiv_category"] == "cs.CL"
    meta = raw(data_dir / "enrichment" / f"{result.paper_id}.yaml")["metadata"]
    assert [f["name"] for f in meta["filled"]][:3] == ["title", "authors", "abstract"]


def test_ingest_does_not_take_another_papers_fields(
    tmp_path: Path, data_dir: Path, svc: Services
) -> None:
    fields = _fields(title="Tidal Decoding: Speculative Token Trees", arxiv="2509.26328")
    (result,) = _ingest(data_dir, _pdf(tmp_path), svc, fields)
    record = raw(result.path)
    assert record["title"] == "Tidal Decoding: Speculative Token Trees"
    assert record["authors"] == ["Chengyue Wu", "Hao Zhang"]
    assert any(
        r.startswith("links.arxiv: the PDF carries the id 2509.26328, but arXiv's paper")
        for r in record["review"]
    )


def test_ingest_keeps_the_pdfs_fields_when_arxiv_fails(
    tmp_path: Path, data_dir: Path, svc: Services
) -> None:
    svc.arxiv.script += [Reply(status=503, body="down")] * 3
    (result,) = _ingest(data_dir, _pdf(tmp_path), svc, _fields())
    record = raw(result.path)
    assert record["authors"] == ["Chengyue Wu", "Hao Zhang"]
    assert any(
        r.startswith("links.arxiv: arXiv could not be asked about 2509.26328v2")
        for r in record["review"]
    )
    assert not (data_dir / "enrichment").exists()


def test_ingest_offline_asks_nobody(tmp_path: Path, data_dir: Path, svc: Services) -> None:
    (result,) = ingest_pdfs(
        [_pdf(tmp_path)], data_dir, today=TODAY, extract=lambda path, limits: _fields()
    )
    assert raw(result.path)["authors"] == ["Chengyue Wu", "Hao Zhang"]
    assert svc.arxiv.requests == []
