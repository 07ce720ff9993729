"""import-report and export-report on the sample and on another report of the same format."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.authoring.export import export_report
from generator.authoring.importer import VenueHeader, clean_title, import_report
from generator.authoring.reportmd import parse_report
from generator.cli import main
from generator.errors import ImportFailed
from generator.records.keys import normalize_title
from generator.records.load import load_collection

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEED = FIXTURES / "seed-report.md"
ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "seed-export.md"
# PAPERBRIEF_UPDATE_GOLDEN=1 rewrites golden files after a deliberate change (as tests/site does).
UPDATE_GOLDEN = os.environ.get("PAPERBRIEF_UPDATE_GOLDEN") == "1"


@pytest.fixture
def bundled_registry(tmp_path: Path) -> Path:
    """An empty data dir with the bundled institution registry and taxonomy."""
    data = tmp_path / "data"
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    for name in ("institutions.yaml", "techniques.yaml"):
        shutil.copy(ROOT / "data" / name, data / name)
    return data


def test_sample_round_trip_keeps_briefs_and_abstracts(bundled_registry: Path) -> None:
    result = import_report(SEED, bundled_registry)
    assert len(result.plan.new) == 28
    exported = export_report(load_collection(bundled_registry), result.plan.report_id)
    original = parse_report(SEED.read_text(encoding="utf-8"))
    again = parse_report(exported)
    assert [e.brief for e in again.entries] == [e.brief for e in original.entries]
    assert [e.abstract for e in again.entries] == [e.abstract for e in original.entries]
    assert [e.author_count for e in again.entries] == [e.author_count for e in original.entries]
    # titles change only where the import reported a clean-up
    cleaned = {n.number for n in result.plan.notes if n.field == "title"}
    for before, after in zip(original.entries, again.entries, strict=True):
        if before.number not in cleaned:
            assert after.detail_title == before.detail_title
    assert {7, 14, 15, 19, 22} <= cleaned


def test_sample_export_matches_golden(bundled_registry: Path) -> None:
    result = import_report(SEED, bundled_registry)
    exported = export_report(load_collection(bundled_registry), result.plan.report_id)
    if UPDATE_GOLDEN:
        GOLDEN.write_bytes(exported.encode("utf-8"))
    # A missing golden file is a failure, never written here unasked: else a deleted file passes.
    assert GOLDEN.is_file(), f"{GOLDEN} is missing: write it with PAPERBRIEF_UPDATE_GOLDEN=1"
    assert exported == GOLDEN.read_bytes().decode("utf-8"), (
        "the export differs from tests/golden/seed-export.md; after a deliberate change, run"
        " with PAPERBRIEF_UPDATE_GOLDEN=1 and review the diff"
    )


def test_sample_defects_are_reported_not_copied(bundled_registry: Path) -> None:
    plan = import_report(SEED, bundled_registry).plan
    papers = load_collection(bundled_registry).papers
    by_number = {n: papers[pid] for n, pid in plan.new.items()}
    cat = by_number[7].record
    assert cat.title is not None and cat.title.startswith("CAT:")
    # the venue header becomes a venue name and a status, not a name with the status glued on
    assert (cat.venue, cat.venue_status) == ("ICLR 2026", "under-review")
    assert any(
        n.number == 7 and "venue header" in n.message and "under-review" in n.message
        for n in plan.notes
    )
    assert (
        by_number[15].record.title
        == "FlashOmni: A Unified Sparse Attention Engine for Diffusion Transformers"
    )
    assert "DIFFUSION MODELS" in (by_number[22].record.title or "")
    assert "DIF-FUSION" not in (by_number[22].record.title or "")
    assert by_number[19].record.title is None
    assert any(r.startswith("title:") for r in by_number[19].record.review)
    assert by_number[8].record.institutions == []
    assert any(r.startswith("institutions:") for r in by_number[8].record.review)
    assert by_number[26].record.abstract is None
    hku = [i.en for i in by_number[13].institutions]
    assert "The University of Hong Kong" in hku
    # one institution, two spellings
    sjtu12 = {i.id for i in by_number[12].institutions}
    sjtu25 = {i.id for i in by_number[25].institutions}
    assert sjtu12 & sjtu25
    for paper in by_number.values():
        assert 1 <= len(paper.techniques) <= 4 or any(
            r.startswith("techniques") for r in paper.record.review
        )


def test_reimport_changes_nothing(bundled_registry: Path) -> None:
    import_report(SEED, bundled_registry)
    before = {p: p.read_bytes() for p in bundled_registry.rglob("*.yaml")}
    again = import_report(SEED, bundled_registry)
    assert again.written == []
    assert len(again.plan.existing) == 28 and not again.plan.new
    assert {p: p.read_bytes() for p in bundled_registry.rglob("*.yaml")} == before


def test_import_into_bundled_data_finds_every_paper(tmp_path: Path) -> None:
    # the curated records are the sample's papers: a re-import must match all 28 and add nothing
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    before = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    result = import_report(SEED, data)
    assert result.plan.new == {}
    assert result.written == []
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == before


def test_other_report_in_same_format(data_dir: Path) -> None:
    result = import_report(FIXTURES / "other-report.md", data_dir)
    notes = [n.format() for n in result.plan.notes]
    assert any("header says 3 papers but 2" in n for n in notes)
    papers = load_collection(data_dir).papers
    tiny = papers[result.plan.new[1]].record
    assert tiny.title == "TINYKV: COMPRESSING THE KV CACHE"
    assert tiny.venue == "NeurIPS 2025"
    assert tiny.author_count is None and any(r.startswith("author_count") for r in tiny.review)
    assert tiny.institutions == ["The University of Hong Kong"]
    sparse = papers[result.plan.new[2]].record
    assert sparse.institutions == ["Peking University"]
    assert any("Quantum Widgets Institute" in r for r in sparse.review)
    assert sparse.techniques == ["sparse-attention"]


def test_malformed_report_names_line_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    text = (FIXTURES / "other-report.md").read_text(encoding="utf-8")
    bad.write_text(text.replace("**作者数量**: 7人", "**作者数量**: seven"), encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"bad\.md:28: cannot read the author count 'seven'"):
        import_report(bad, data_dir)
    assert list((data_dir / "papers").iterdir()) == []
    assert list((data_dir / "reports").iterdir()) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no title\n", ":1: expected the report title"),
        ("# T\n分析论文数量: 1篇\n\n## 论文技术简报\n", ":2: missing the '生成时间:"),
        ("# T\n生成时间: 2025-99-01 00:00:00\n", ":2: cannot read the generation time"),
        ("# T\n生成时间: 2025-01-01 00:00:00\n\n## Other\n", ":4: unknown section '## Other'"),
        (
            "# T\n生成时间: 2025-01-01 00:00:00\n\n## 论文技术简报\n\n### x. T\n",
            ":6: expected a paper heading",
        ),
        (
            "# T\n生成时间: 2025-01-01 00:00:00\n\n## 论文技术简报\n\n### 1. A\n\nb\n\n### 1. A\n",
            ":10: paper 1 appears twice",
        ),
    ],
)
def test_parse_errors_have_line_numbers(text: str, message: str) -> None:
    with pytest.raises(ImportFailed, match=message.replace("(", r"\(").replace("'", "'")):
        parse_report(text, path="r.md")


def test_clean_title_rules() -> None:
    notes: list = []
    assert clean_title("Mixed Case Title MIXED CASE TITLE", None, 1, notes)[0] == "Mixed Case Title"
    assert clean_title("FOO BAR Foo Bar", None, 1, notes)[0] == "Foo Bar"
    title, venue = clean_title("Accepted at ICML 2024 Fast Things", None, 1, notes)
    assert (title, venue) == ("Fast Things", VenueHeader("ICML 2024", "accepted"))
    headers = {
        "Under review as a conference paper at ICLR 2026 X Y": ("ICLR 2026", "under-review"),
        "Preprint. Under review at NeurIPS 2025 X Y": ("NeurIPS 2025", "under-review"),
        "Published as a conference paper at ICLR 2025 X Y": ("ICLR 2025", "published"),
    }
    for raw, (name, status) in headers.items():
        assert clean_title(raw, None, 1, notes) == ("X Y", VenueHeader(name, status))
    # a real hyphenated word stays: the abstract uses it hyphenated
    assert (
        clean_title("Semi-Structured Sparsity", "semi-structured sparsity helps", 1, notes)[0]
        == "Semi-Structured Sparsity"
    )
    assert normalize_title("Déjà-Vu: X") == normalize_title("deja vu x")


def test_cli_import_and_export(bundled_registry: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["import-report", str(SEED), "--data", str(bundled_registry)])
    assert result.exit_code == 0, result.output
    assert "28 new" in result.output
    assert "data-quality summary" in result.output and "#19 title: missing" in result.output
    out = tmp_path / "out.md"
    report_id = next((bundled_registry / "reports").glob("*.yaml")).stem
    result = runner.invoke(
        main, ["export-report", report_id, "--data", str(bundled_registry), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith(
        "# AI推理加速技术论文分析报告\n生成时间: 2025-10-15 19:44:32\n分析论文数量: 28篇\n"
    )
    result = runner.invoke(main, ["export-report", "nope", "--data", str(bundled_registry)])
    assert result.exit_code == 1 and "no report 'nope'" in result.output
