"""paperbrief add: a draft record from Scholar, or from the given fields alone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from scholar_fakes import (
    BLOCKED,
    TIDAL,
    TIDAL_CANDIDATE,
    FakeScholar,
    Route,
    ScriptedLookup,
    answer,
    write_data,
)

from generator.authoring.add import draft_paper
from generator.cli import main
from generator.enrich.sources.scholar.lookup import Candidate, LookupResult
from generator.errors import ConfigError
from generator.records.ids import derive_id
from generator.records.load import load_collection

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def _never(title: str) -> LookupResult:
    raise AssertionError("Scholar must not be asked")


def _raw(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/paper.schema.json\n")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def test_online_draft_through_the_worker(tmp_path: Path, scholar: FakeScholar) -> None:
    scholar.routes[TIDAL] = Route(page="results_tidal.html")
    data = write_data(tmp_path, {})
    draft = draft_paper(data, TIDAL, settings=scholar.settings(), today=TODAY, now=lambda: NOW)
    assert draft.paper_id == "tidal-decoding" and draft.source == "scholar"
    raw = _raw(draft.path)
    assert raw["title"] == TIDAL
    assert raw["authors"] == ["M Okafor", "L Chen", "R Varga", "S Ito"] and raw["author_count"] == 4
    assert (raw["year"], raw["venue"]) == (2025, "arXiv preprint arXiv:2511.04321")
    assert raw["links"] == {"arxiv": "2511.04321", "pdf": "https://arxiv.org/pdf/2511.04321"}
    assert raw["added"] == TODAY
    review = raw["review"]
    assert isinstance(review, list)
    assert [r.split(":")[0] for r in review] == [
        "authors",
        "institutions",
        "techniques",
        "abstract",
    ]
    assert "institutions" not in raw and "techniques" not in raw and "abstract" not in raw
    # the answer is cached, and the draft is a valid record of the collection
    assert draft.enrichment_path is not None and draft.enrichment_path.is_file()
    paper = load_collection(data).papers["tidal-decoding"]
    assert paper.enrichment is not None and paper.enrichment.scholar is not None
    assert paper.enrichment.scholar.citations == 42


def test_cut_author_list_is_not_copied(tmp_path: Path) -> None:
    data = write_data(tmp_path, {})
    cut = Candidate(
        title="Speculative token trees for serving large language models at scale",
        authors=("K Brandt", "P Nowak", "A Sato"),
        authors_truncated=True,
        venue="Proceedings of the 30th Symposium on Operating Systems …",
        year="2024",
        pub_url="https://dl.acm.org/doi/10.1145/3694715.3695961",
        eprint_url="https://dl.acm.org/doi/pdf/10.1145/3694715.3695961",
    )
    lookup = ScriptedLookup(default=answer(cut))
    draft = draft_paper(
        data,
        "Speculative Token Trees for Serving Large Language Models at Scale",
        lookup=lookup,
        today=TODAY,
    )
    raw = _raw(draft.path)
    assert "authors" not in raw and "author_count" not in raw and "venue" not in raw
    assert raw["year"] == 2024
    assert any(
        r.startswith("venue: Scholar shows only 'Proceedings of the 30th") for r in raw["review"]
    )  # type: ignore[attr-defined]
    assert raw["links"] == {
        "doi": "10.1145/3694715.3695961",
        "pdf": "https://dl.acm.org/doi/pdf/10.1145/3694715.3695961",
    }
    assert any("only the first ones (K Brandt, P Nowak, A Sato" in r for r in raw["review"])  # type: ignore[attr-defined]
    assert draft.paper_id == "speculative-token-trees-serving-large-language"


def test_offline_draft_uses_the_given_fields_only(tmp_path: Path) -> None:
    data = write_data(tmp_path, {})
    draft = draft_paper(data, TIDAL, arxiv="2511.04321v2", offline=True, lookup=_never, today=TODAY)
    raw = _raw(draft.path)
    assert set(raw) == {"title", "links", "added", "review"}
    assert raw["links"] == {"arxiv": "2511.04321v2"}
    assert "offline" in draft.note and draft.source == "given" and draft.enrichment_path is None
    fields = [r.split(":")[0] for r in raw["review"]]  # type: ignore[attr-defined]
    assert fields == [
        "scholar",
        "authors",
        "year",
        "venue",
        "institutions",
        "techniques",
        "abstract",
    ]
    load_collection(data)  # validates


@pytest.mark.parametrize(
    ("result", "words"),
    [
        (BLOCKED, "lookup failed"),
        (answer(Candidate(title="Tidal flows in estuaries: a review")), "no confident match"),
        (answer(), "found nothing"),
    ],
)
def test_scholar_without_an_answer_falls_back_to_the_given_fields(
    tmp_path: Path, result: LookupResult, words: str
) -> None:
    data = write_data(tmp_path, {})
    draft = draft_paper(data, TIDAL, lookup=ScriptedLookup(default=result), today=TODAY)
    raw = _raw(draft.path)
    assert set(raw) == {"title", "added", "review"}
    assert words in draft.note and "given fields" in draft.note
    if result.kind != "answer":
        assert draft.enrichment_path is None  # a failure is not worth storing for a new paper


def test_refuses_a_paper_already_in_the_collection(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"existing": TIDAL})
    with pytest.raises(ConfigError, match="same title"):
        draft_paper(data, TIDAL.upper().replace(":", " -"), offline=True)
    (data / "papers" / "other.yaml").write_text(
        "title: Something Else\nlinks:\n  arxiv: '2511.04321v1'\nadded: 2026-11-01\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"same arXiv id 2511\.04321"):
        draft_paper(data, "A Brand New Title", arxiv="2511.04321v3", offline=True)


def test_refuses_to_overwrite_a_record(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"tidal-decoding": "A Different Paper"})
    before = (data / "papers" / "tidal-decoding.yaml").read_bytes()
    with pytest.raises(ConfigError, match=r"already exists.*--id"):
        draft_paper(data, TIDAL, offline=True)
    assert (data / "papers" / "tidal-decoding.yaml").read_bytes() == before
    draft = draft_paper(data, TIDAL, offline=True, paper_id="tidal-decoding-2")
    assert draft.path.name == "tidal-decoding-2.yaml"


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    data = write_data(tmp_path, {})
    with pytest.raises(ConfigError, match="--arxiv"):
        draft_paper(data, TIDAL, arxiv="https://arxiv.org/abs/2511.04321", offline=True)
    with pytest.raises(ConfigError, match="--title"):
        draft_paper(data, "Bidi \u202e trick", offline=True)
    with pytest.raises(ConfigError, match="--id"):
        draft_paper(data, TIDAL, paper_id="Not An Id", offline=True)
    assert list((data / "papers").iterdir()) == []


@pytest.mark.parametrize(
    ("title", "arxiv", "expected"),
    [
        ("AdaptCache: KV Cache Native Storage Hierarchy", None, "adaptcache"),
        ("Fast-dLLM v2: Efficient Block-Diffusion LLM", None, "fast-dllm-v2"),
        (
            "Revealing the Power of Post-Training for Small Language Models via Knowledge Distillation",
            None,
            "revealing-power-post-training-small-language",
        ),
        ("On the Road: a Very Long Heading That Is Not a Name", None, "on-the-road"),
        ("大模型推理加速综述", "2510.01234", "arxiv-2510-01234"),
        ("CON: A Device Name", None, "con-paper"),
    ],
)
def test_ids_are_derived_from_titles(title: str, arxiv: str | None, expected: str) -> None:
    assert derive_id(title, arxiv) == expected


def test_chinese_title_without_arxiv_gets_a_stable_id() -> None:
    first = derive_id("大模型推理加速综述")
    assert first.startswith("paper-") and first == derive_id("大模型推理加速综述")


def test_add_command_offline(tmp_path: Path) -> None:
    data = write_data(tmp_path, {})
    result = CliRunner().invoke(
        main, ["add", "--title", TIDAL, "--arxiv", "2511.04321", "--offline", "--data", str(data)]
    )
    assert result.exit_code == 0, result.output
    assert "drafted offline from the given fields only" in result.output
    assert "  - institutions:" in result.output
    assert (data / "papers" / "tidal-decoding.yaml").is_file()
    again = CliRunner().invoke(main, ["add", "--title", TIDAL, "--offline", "--data", str(data)])
    assert again.exit_code == 2 and "already in the collection" in again.output


def test_add_command_online_with_a_fake_scholar(
    tmp_path: Path, scholar: FakeScholar, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.authoring import add as scholar_add

    scholar.routes[TIDAL] = Route(page="results_tidal.html")
    # the command's default settings, pointed at the fake Scholar
    monkeypatch.setattr(scholar_add, "ScholarSettings", lambda: scholar.settings())
    data = write_data(tmp_path, {})
    result = CliRunner().invoke(main, ["add", "--title", TIDAL, "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert "drafted from Scholar (title similarity 100)" in result.output
    assert "enrichment/tidal-decoding.yaml (Scholar's answer)" in result.output
    assert TIDAL_CANDIDATE.year == str(_raw(data / "papers" / "tidal-decoding.yaml")["year"])
