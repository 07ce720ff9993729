"""`paperbrief new-report` from the collection: selection, order, re-runs, briefs, review."""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from report_data import (
    NEW_ORDER,
    NEW_PAPERS,
    ROOT,
    SAMPLE_DATA,
    SAMPLE_REPORT,
    add_new_papers,
    copy_sample_data,
    paperbrief,
    write_paper,
)

from generator.authoring.newreport import ReportSelection, new_report, report_id_for, report_order
from generator.records.load import load_collection

sys.path.insert(0, str(ROOT / "tests" / "briefs"))

DATE = "2025-11-03 09:30:00"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The sample data plus three papers added after its report."""
    data = copy_sample_data(tmp_path)
    add_new_papers(data)
    return data


def _reports(data: Path) -> dict[str, dict[str, object]]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((data / "reports").glob("*.yaml"))
    }


def _snapshot(data: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in data.rglob("*") if p.is_file()}


def test_the_documented_order_is_the_sample_reports_order() -> None:
    collection = load_collection(SAMPLE_DATA)
    listed = collection.reports[SAMPLE_REPORT].record.papers
    titles = {p: collection.papers[p].record.title for p in listed}
    assert report_order(reversed(listed), titles) == listed


def test_order_folds_case_accents_and_punctuation_and_puts_untitled_last() -> None:
    titles = {
        "z": "Zeta",
        "lower": "alpha: Beta",
        "accent": "Álpha Alpha",
        "none": None,
        "chinese": "稀疏注意力",
        "a-none": None,
    }
    assert report_order(titles, titles) == ["accent", "lower", "z", "chinese", "a-none", "none"]


def test_since_last_writes_the_new_papers_in_title_order(data: Path) -> None:
    result = paperbrief(
        "new-report",
        "--title",
        "Weekly papers",
        "--since-last",
        "--date",
        DATE,
        "--data",
        str(data),
    )
    assert result.exit_code == 0, result.output
    assert (
        f"selected added on or after 2025-10-15 and not in {SAMPLE_REPORT} (the newest report): 3"
        in result.output
    )
    reports = _reports(data)
    assert set(reports) == {SAMPLE_REPORT, "2025-11-03-weekly-papers"}
    made = reports["2025-11-03-weekly-papers"]
    assert made == {
        "title": "Weekly papers",
        "generated": datetime(2025, 11, 3, 9, 30),
        "papers": NEW_ORDER,
    }
    assert f"written {data / 'reports' / '2025-11-03-weekly-papers.yaml'} (3 papers)" in (
        result.output
    )
    assert "briefs: every paper of the report has one" in result.output
    load_collection(data)  # the report validates with the rest


def test_the_same_command_again_changes_nothing(data: Path) -> None:
    args = ["new-report", "--title", "Weekly papers", "--since-last", "--data", str(data)]
    first = paperbrief(*args)
    assert first.exit_code == 0, first.output
    before = _snapshot(data)
    # later, without --date: the report keeps the time of the first run
    again = paperbrief(*args)
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.output and "(3 papers)" in again.output
    assert _snapshot(data) == before


def test_a_paper_added_before_the_rerun_joins_the_same_report(data: Path) -> None:
    args = ["new-report", "--title", "Weekly papers", "--since-last", "--data", str(data)]
    assert paperbrief(*args, "--date", DATE).exit_code == 0
    write_paper(
        data,
        "late-paper",
        title="A Late Paper on Sparse Attention",
        added=date(2025, 11, 4),
        techniques=["sparse-attention"],
        institutions=["Peking University"],
        brief="北京大学发布了一篇关于稀疏注意力的论文。",
    )
    again = paperbrief(*args)
    assert again.exit_code == 0, again.output
    assert "updated" in again.output
    made = _reports(data)["2025-11-03-weekly-papers"]
    assert made["papers"] == ["late-paper", *NEW_ORDER]
    assert made["generated"] == datetime(2025, 11, 3, 9, 30)


def test_since_last_counts_from_the_newest_report_and_skips_its_papers(data: Path) -> None:
    assert (
        paperbrief(
            "new-report",
            "--title",
            "First",
            "--id",
            "babel-draft",
            "--date",
            DATE,
            "--data",
            str(data),
        ).exit_code
        == 0
    )
    # the newest report is now "First" (2025-11-03): tiny-kv and babel-draft came before it
    # or are in it, atlas-ptq too (2025-11-02); only a paper added on its day or later counts
    write_paper(
        data,
        "same-day",
        title="Same Day Paper",
        added=date(2025, 11, 3),
        techniques=["quantization"],
        institutions=["Peking University"],
    )
    result = paperbrief(
        "new-report", "--title", "Second", "--since-last", "--dry-run", "--data", str(data)
    )
    assert result.exit_code == 0, result.output
    assert "not in 2025-11-03-first (the newest report): 1" in result.output
    assert "would write" in result.output and "(1 papers)" in result.output
    assert "same-day.yaml: no brief yet" in result.output


def test_an_empty_selection_is_an_error_that_says_why(tmp_path: Path) -> None:
    data = copy_sample_data(tmp_path)
    before = _snapshot(data)
    result = paperbrief("new-report", "--title", "Weekly", "--since-last", "--data", str(data))
    assert result.exit_code == 2
    assert "no paper selected" in result.output
    assert f"not in {SAMPLE_REPORT} (the newest report): 0" in result.output
    assert _snapshot(data) == before


def test_min_papers_turns_a_small_selection_into_a_note(data: Path) -> None:
    before = _snapshot(data)
    args = ["new-report", "--title", "Weekly", "--since-last", "--data", str(data)]
    few = paperbrief(*args, "--min-papers", "4")
    assert few.exit_code == 0, few.output
    assert "3 paper(s) selected, fewer than --min-papers 4: no report written" in few.output
    assert _snapshot(data) == before
    enough = paperbrief(*args, "--min-papers", "3")
    assert enough.exit_code == 0 and "written" in enough.output


def test_since_a_date_and_techniques_narrow_each_other_and_ids_add(data: Path) -> None:
    result = paperbrief(
        "new-report",
        "--title",
        "Quantization since October 21",
        "--since",
        "2025-10-21",
        "--technique",
        "quantization",
        "--id",
        "cast",
        "--dry-run",
        "--data",
        str(data),
    )
    assert result.exit_code == 0, result.output
    assert "selected added on or after 2025-10-21: 2" in result.output  # babel-draft, atlas-ptq
    # atlas-ptq through post-training-quantization, a narrower technique; tiny-kv is too early
    assert (
        "selected of technique quantization (with the narrower post-training-quantization): 1"
        in result.output
    )
    assert "selected named with --id: 1" in result.output
    assert "would write" in result.output and "(2 papers)" in result.output
    assert not (data / "reports" / "2025-10-21-quantization-since-october-21.yaml").exists()
    collection = load_collection(data)
    made = new_report(
        "Quantization since October 21",
        data,
        selection=ReportSelection(
            since=date(2025, 10, 21), techniques=("quantization",), paper_ids=("cast",)
        ),
        dry_run=True,
    )
    assert made.papers == ["atlas-ptq", "cast"]
    assert set(collection.reports) == {SAMPLE_REPORT}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--technique", "nope"], "no technique 'nope' in techniques.yaml"),
        (["--id", "nope"], "no paper with id 'nope'"),
        (["--since", "2025-10-01", "--since-last"], "--since DATE or --since-last, not both"),
        ([], "say which papers"),
        (["--since", "yesterday"], "Invalid value for '--since'"),
    ],
)
def test_bad_selections_are_refused_with_the_fix(data: Path, args: list[str], message: str) -> None:
    result = paperbrief("new-report", "--title", "T", *args, "--data", str(data))
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("title", ["新增论文报告", "新增论文报告 2025-11-03"])
def test_chinese_titles_get_a_stable_id(data: Path, title: str) -> None:
    args = ["new-report", "--title", title, "--since-last", "--date", DATE]
    assert paperbrief(*args, "--data", str(data)).exit_code == 0
    (made,) = set(_reports(data)) - {SAMPLE_REPORT}
    assert re.fullmatch(r"2025-11-03-report-[0-9a-f]{8}", made)
    assert made == report_id_for(title, datetime(2025, 11, 3))


def test_review_lists_open_entries_and_missing_briefs(data: Path) -> None:
    write_paper(
        data,
        "tiny-kv",
        **{**NEW_PAPERS["tiny-kv"], "brief": None, "review": ["venue: not confirmed yet"]},
    )
    result = paperbrief(
        "new-report", "--title", "Weekly", "--since-last", "--date", DATE, "--data", str(data)
    )
    assert result.exit_code == 0, result.output
    assert "briefs: pending (no MISTRAL_API_KEY)" in result.output
    review = result.output.split("needs a person's review:\n", 1)[1].splitlines()
    assert review == [
        f"  - {data / 'papers' / 'tiny-kv.yaml'}: venue: not confirmed yet",
        f"  - {data / 'papers' / 'tiny-kv.yaml'}: no brief yet (write brief:, or run"
        " `paperbrief enrich --briefs`)",
    ]


def test_missing_briefs_are_asked_for_when_a_key_is_set(data: Path) -> None:
    from briefs_fakes import ABSTRACT, CANARY, FakeMistral, local_server

    # two new papers without a brief, with what a generated brief needs (title, abstract)
    for paper_id in ("tiny-kv", "atlas-ptq"):
        write_paper(
            data,
            paper_id,
            **{**NEW_PAPERS[paper_id], "brief": None, "abstract": ABSTRACT},
        )
    fake = FakeMistral()
    with local_server(fake) as url:
        result = paperbrief(
            "new-report",
            "--title",
            "Weekly",
            "--since-last",
            "--data",
            str(data),
            env={"MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": url},
        )
    assert result.exit_code == 0, result.output
    assert fake.calls == 2  # only the papers that lacked a brief
    assert "briefs: 2 generated" in result.output
    assert "no brief yet" not in result.output
    collection = load_collection(data)
    assert all(collection.papers[p].brief_text for p in NEW_ORDER)
    assert CANARY not in result.output


def test_pdfs_and_collection_papers_make_one_report(data: Path, tmp_path: Path) -> None:
    from pdf.conftest import Paper, _build_font, make_pdf  # tests/ is on the path

    font = tmp_path / "font.ttf"
    _build_font(font)
    folder = tmp_path / "pdfs"
    folder.mkdir()
    make_pdf(folder / "a.pdf", font, Paper(title=["Quantized Caches for Long Context Serving"]))
    result = paperbrief(
        "new-report",
        "--title",
        "Mixed",
        str(folder),
        "--id",
        "tiny-kv",
        "--date",
        DATE,
        "--data",
        str(data),
    )
    assert result.exit_code == 0, result.output
    assert f"selected from the PDFs in {folder}: 1" in result.output
    made = _reports(data)["2025-11-03-mixed"]
    assert made["papers"] == ["quantized-caches-long-context-serving", "tiny-kv"]
