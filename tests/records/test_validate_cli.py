"""`paperbrief validate` through click's runner: exit codes, positions, GitHub annotations."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.errors import Problem
from generator.records.annotations import github_annotation
from generator.records.load import validate_data

GOOD = "title: A good paper\ninstitutions: [港大]\ntechniques: [quantization]\nadded: 2025-10-15\n"


def test_valid_data_exits_zero(data_dir: Path) -> None:
    (data_dir / "papers" / "good.yaml").write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "ok: 1 papers" in result.output


def test_every_problem_is_reported_once(data_dir: Path) -> None:
    papers = data_dir / "papers"
    (papers / "good.yaml").write_text(GOOD, encoding="utf-8")
    (papers / "one.yaml").write_text("titel: x\nadded: 2025-10-15\n", encoding="utf-8")
    (papers / "two.yaml").write_text(
        "title: y\nadded: 2025-10-15\ntechniques: [nope]\n", encoding="utf-8"
    )
    (data_dir / "reports" / "r.yaml").write_text(
        "title: R\ngenerated: 2025-10-15 10:00:00\npapers: [good, ghost]\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["validate", "--data", str(data_dir)])
    assert result.exit_code == 1
    lines = [
        line for line in result.output.splitlines() if ".yaml:" in line and "warning:" not in line
    ]
    assert len(lines) == 3
    assert any(
        line.endswith("one.yaml:1:1: unknown field 'titel': did you mean 'title'?")
        for line in lines
    )
    assert any("two.yaml:3:14: unknown technique 'nope'" in line for line in lines)
    assert any("r.yaml:3:16: paper 'ghost' does not exist" in line for line in lines)
    assert "3 problem(s) found" in result.output


def test_github_annotations_when_in_actions(data_dir: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (data_dir / "papers" / "bad.yaml").write_text(
        "title: no\nadded: 2025-10-15\n", encoding="utf-8"
    )
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = CliRunner().invoke(main, ["validate", "--data", str(data_dir)])
    annotations = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 1
    assert (
        "bad.yaml,line=1,col=8,title=paperbrief validate::title: 'no' is read by YAML 1.1"
        in annotations[0]
    )


def test_annotation_cannot_be_forged_or_split() -> None:
    hostile = Problem("data/papers/a,b:c.yaml", 3, 4, "bad %0A title\n::error file=x::forged\r\n")
    line = github_annotation(hostile)
    assert "\n" not in line and "\r" not in line
    # a workflow command only starts at the beginning of a line: with CR/LF encoded the hostile
    # text stays inside this one message
    assert line.startswith("::error file=") and line.split("::")[1].startswith("error file=")
    assert "file=data/papers/a%2Cb%3Ac.yaml," in line
    assert line.endswith("::bad %250A title%0A::error file=x::forged%0D%0A")


def test_duplicates_across_files(data_dir: Path) -> None:
    papers = data_dir / "papers"
    (papers / "a.yaml").write_text(
        "title: Fast KV Caching\nadded: 2025-10-15\nlinks: {arxiv: '2501.01234'}\n",
        encoding="utf-8",
    )
    (papers / "b.yaml").write_text(
        "title: Other\nadded: 2025-10-15\nlinks: {arxiv: 2501.01234v2}\n", encoding="utf-8"
    )
    (papers / "c.yaml").write_text(
        "title: 'fast kv-caching.'\nadded: 2025-10-15\n", encoding="utf-8"
    )
    (papers / "d.yaml").write_text(
        "title: Efficient Serving of Large Language Modles\nadded: 2025-10-15\n", encoding="utf-8"
    )
    (papers / "e.yaml").write_text(
        "title: Efficient Serving of Large Language Models\nadded: 2025-10-15\n", encoding="utf-8"
    )
    messages = [(Path(p.path).name, p.line, p.message) for p in validate_data(data_dir)]
    assert (
        "b.yaml",
        3,
        "same arxiv as "
        + str(papers / "a.yaml")
        + ": this paper is already in the collection; delete this file, or merge what it adds into"
        " the other",
    ) in [(n, line, m) for n, line, m in messages]
    assert any(n == "c.yaml" and "same title" in m for n, _, m in messages)
    assert any(n == "e.yaml" and "nearly identical" in m for n, _, m in messages)


def test_bad_ids_and_collisions(data_dir: Path) -> None:
    papers = data_dir / "papers"
    for name in ("con.yaml", "Upper.yaml", "a--b.yaml", "ünï.yaml", "ok-id.yaml"):
        (papers / name).write_text("title: T " + name + "\nadded: 2025-10-15\n", encoding="utf-8")
    messages = {Path(p.path).name: p.message for p in validate_data(data_dir)}
    assert "reserved file name on Windows" in messages["con.yaml"]
    assert "not a valid id" in messages["Upper.yaml"]
    assert "not a valid id" in messages["a--b.yaml"]
    assert "not a valid id" in messages["ünï.yaml"]
    assert "ok-id.yaml" not in messages


def test_symlinked_record_is_refused(data_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text(GOOD, encoding="utf-8")
    (data_dir / "papers" / "link.yaml").symlink_to(outside)
    (problem,) = validate_data(data_dir)
    assert "not symlinks" in problem.message


def test_registry_ambiguity_is_a_problem(data_dir: Path) -> None:
    path = data_dir / "institutions.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  - id: other\n    en: Other\n    aliases: [HKU]\n",
        encoding="utf-8",
    )
    (problem,) = validate_data(data_dir)
    assert "'HKU' of 'other' also names 'hku'" in problem.message


def test_duplicate_dois_are_found_whatever_their_case(data_dir: Path) -> None:
    papers = data_dir / "papers"
    (papers / "a.yaml").write_text(
        "title: Paged Attention\nadded: 2025-10-15\nlinks: {doi: 10.48550/arXiv.2309.06180}\n",
        encoding="utf-8",
    )
    (papers / "b.yaml").write_text(
        "title: Something Else Entirely\nadded: 2025-10-15\n"
        "links:\n  doi: 10.48550/ARXIV.2309.06180\n",
        encoding="utf-8",
    )
    (papers / "c.yaml").write_text(
        "title: A Third Paper\nadded: 2025-10-15\nlinks: {doi: 10.48550/arXiv.2309.06181}\n",
        encoding="utf-8",
    )
    problems = validate_data(data_dir)
    assert [(Path(p.path).name, p.line, p.col, p.message) for p in problems] == [
        (
            "b.yaml",
            4,
            8,
            "same doi as "
            + str(papers / "a.yaml")
            + ": this paper is already in the collection; delete this file, or merge what it adds into"
            " the other",
        )
    ]
