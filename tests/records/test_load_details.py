"""The loader's finer rules, each with the wording and position a contributor sees.

Written against what mutation testing found unchecked in generator/records/load.py, parse.py and
collection.py (docs/testing.md); each test states a behaviour of its own.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from gitrepo import git as _git
from loadfiles import PAPER, formatted_problems, write_paper

from generator.records.load import load_collection, validate_data

# the loader tests' shared record and problem text (loadfiles.py)
_paper = write_paper
_formatted = formatted_problems


# ---- duplicates -------------------------------------------------------------------------------


def test_two_new_files_of_one_day_put_the_duplicate_on_the_later_name(data_dir: Path) -> None:
    # In a checkout where the change adds both files, git cannot tell them apart: the later file
    # name is the newer record, as outside git.
    _git(data_dir.parent, "init", "-q", "-b", "main")
    _paper(data_dir, "aa-one", extra="links: {doi: 10.1000/xyz}\n")
    _paper(data_dir, "zz-two", extra="links: {doi: 10.1000/XYZ}\n")
    (line,) = [p for p in _formatted(data_dir) if "same doi" in p]
    assert line.startswith("papers/zz-two.yaml:5:")
    assert "same doi as papers/aa-one.yaml:" in line


# ---- institutions and techniques ----------------------------------------------------------------


def test_unknown_beside_names_is_refused_and_the_names_after_it_still_resolve(
    data_dir: Path,
) -> None:
    _paper(data_dir, "p")
    path = data_dir / "papers" / "p.yaml"
    path.write_text(
        path.read_text("utf-8").replace(
            "institutions: [HKU]", "institutions: [unknown, HKU, Nowhere Institute, PKU]"
        ),
        encoding="utf-8",
    )
    problems = _formatted(data_dir)
    assert problems == [
        "papers/p.yaml:2:16: 'unknown' stands alone: write institutions: unknown when none is"
        " known, else list only the known ones",
        "papers/p.yaml:2:30: institution 'Nowhere Institute' is not in the registry; if it is"
        " another institution, add it to data/institutions.yaml (id, en, zh, aliases, country;"
        " see CONTRIBUTING.md) in the same change",
    ]
    paper = load_collection(data_dir, strict=False).papers["p"]
    assert [i.id for i in paper.institutions] == ["hku", "pku"]


def test_two_suggestions_for_an_institution_are_joined_by_or(data_dir: Path) -> None:
    _paper(data_dir, "p")
    path = data_dir / "papers" / "p.yaml"
    path.write_text(path.read_text("utf-8").replace("[HKU]", "[纽约北京大学]"), encoding="utf-8")
    (problem,) = _formatted(data_dir)
    assert problem.startswith(
        "papers/p.yaml:2:16: institution '纽约北京大学' is not in the registry;"
        " did you mean '北京大学' or '纽约大学'? if it is another institution, add it"
    )


def test_two_suggestions_for_a_technique_are_joined_by_or(data_dir: Path) -> None:
    _paper(data_dir, "p")
    path = data_dir / "papers" / "p.yaml"
    path.write_text(
        path.read_text("utf-8").replace("[quantization]", "[distilation]"), encoding="utf-8"
    )
    assert _formatted(data_dir) == [
        "papers/p.yaml:3:14: unknown technique 'distilation'; did you mean"
        " 'knowledge-distillation' (知识蒸馏 / Knowledge distillation) or 'quantization'"
        " (量化 / Quantization)? Write the id. To propose a new technique, see CONTRIBUTING.md"
    ]


# ---- registries, enrichment and reports ---------------------------------------------------------


def test_a_registry_name_of_two_institutions_is_reported_at_the_top_of_the_registry(
    data_dir: Path,
) -> None:
    registry = data_dir / "institutions.yaml"
    registry.write_text(
        registry.read_text("utf-8").replace("aliases: [NYU]", "aliases: [NYU, PKU]"),
        encoding="utf-8",
    )
    assert _formatted(data_dir) == [
        "institutions.yaml:1:1: the name 'PKU' of 'nyu' also names 'pku'; make it unique"
    ]


def test_the_size_cap_holds_for_enrichment_and_reports_too(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(
        "scholar:\n  status: no-match\n  fetched: 2025-10-16T00:00:00Z\n  error: "
        + "x" * 3000
        + "\n",
        encoding="utf-8",
    )
    (data_dir / "reports" / "2025-10-02.yaml").write_text(
        "title: R\ngenerated: 2025-10-02T00:00:00Z\npapers: [p]\nintro: " + "y" * 3000 + "\n",
        encoding="utf-8",
    )
    assert [
        p.format().replace(str(data_dir) + "/", "") for p in validate_data(data_dir, size_cap=2000)
    ] == [
        "enrichment/p.yaml:1:1: file is 3,070 bytes, over the 2,000-byte cap; shorten it"
        " (abstracts and notes are prose, not full text)",
        "reports/2025-10-02.yaml:1:1: file is 3,061 bytes, over the 2,000-byte cap; shorten it"
        " (abstracts and notes are prose, not full text)",
    ]
    assert validate_data(data_dir) == []  # under the default cap both are fine


def test_a_broken_report_does_not_hide_the_problems_of_the_next(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "reports" / "2025-10-01.yaml").write_text("title: [broken\n", encoding="utf-8")
    later = data_dir / "reports" / "2025-10-02.yaml"
    later.write_text(
        "title: R\ngenerated: 2025-10-02T00:00:00Z\npapers: [p, q]\n", encoding="utf-8"
    )
    problems = _formatted(data_dir)
    assert problems[0].startswith("reports/2025-10-01.yaml:2:1: YAML syntax error")
    assert problems[1:] == [
        "reports/2025-10-02.yaml:3:13: paper 'q' does not exist; add data/papers/<id>.yaml first"
    ]
    (report,) = load_collection(data_dir, strict=False).reports.values()
    assert report.id == "2025-10-02" and report.source == str(later)
    assert report.record.papers == ["p", "q"]


# ---- record files and their shape ---------------------------------------------------------------


def test_a_paper_written_as_yaml_and_yml_is_one_id_twice(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "papers" / "p.yml").write_text(
        (data_dir / "papers" / "p.yaml").read_text("utf-8"), encoding="utf-8"
    )
    assert _formatted(data_dir) == [
        "papers/p.yml:1:1: id 'p' collides with p.yaml after case folding; rename one"
    ]
    assert list(load_collection(data_dir, strict=False).papers) == ["p"]


def test_a_section_that_is_not_a_mapping_says_what_it_must_be(data_dir: Path) -> None:
    _paper(data_dir, "p", extra="links: 5\nsources: [a]\n")
    assert _formatted(data_dir) == [
        "papers/p.yaml:5:8: links: must be a mapping of field: value",
        "papers/p.yaml:6:10: sources: must be a mapping of field: value",
    ]


def test_validate_data_reports_a_missing_directory_instead_of_raising(tmp_path: Path) -> None:
    assert [p.format() for p in validate_data(tmp_path / "nope")] == [
        f"{tmp_path / 'nope'}:1:1: data directory not found; pass --data DIR"
    ]


# ---- schema errors, worded for the person who wrote the file ------------------------------------

SCHEMA_CASES = [
    ("titel: X\n" + PAPER, "1:1: unknown field 'titel': did you mean 'title'?"),
    (
        PAPER + "zzzq: 1\n",
        "5:1: unknown field 'zzzq': allowed: abstract, added, arxiv_category, author_count,"
        " authors, brief, institutions, links, notes, published, review, sources, techniques,"
        " title, tldr, venue, venue_status, year",
    ),
    (
        PAPER + "links: {arxiv: '2501.01234', bogus: 1}\n",
        "5:30: unknown field 'bogus': allowed: arxiv, code, doi, pdf, project",
    ),
    ("title: T\n", "1:1: missing required field 'added'"),
    (
        PAPER.replace("title: {title}", "title: 3.10"),
        "1:8: title: '3.10' is read by YAML as a number, not text; put it in quotes:"
        ' title: "3.10"',
    ),
    (
        PAPER + "links: {arxiv: 2501.01234}\n",
        "5:16: links.arxiv: '2501.01234' is read by YAML as a number, not text; put it in"
        ' quotes: arxiv: "2501.01234"',
    ),
    (PAPER + "year: abc\n", "5:7: year: Input should be a valid integer"),
    (  # YAML's reading of a scalar is named for a number field and a list field too
        PAPER + "year: 2025-01-01\n",
        "5:7: year: '2025-01-01' is read by YAML as a date/time, not text; put it in quotes:"
        ' year: "2025-01-01"',
    ),
    (
        PAPER + "published: true\n",
        "5:12: published: 'true' is read by YAML as a boolean, not text; put it in quotes:"
        ' published: "true"',
    ),
    (
        PAPER.replace("[quantization]", "3.5"),
        "3:13: techniques: '3.5' is read by YAML as a number, not text; put it in quotes:"
        ' techniques: "3.5"',
    ),
    (
        PAPER.replace("added: {added}", "added: 1850-01-01"),
        "4:8: added: 1850-01-01 is outside the range of record dates, 1970-01-01 to 2099-12-31;"
        " check the year",
    ),
    (
        PAPER + "venue_status: nope\n",
        "5:15: venue_status: Input should be 'published', 'accepted', 'under-review',"
        " 'withdrawn' or 'preprint'",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SCHEMA_CASES)
def test_schema_errors_are_positioned_and_worded_whole(
    data_dir: Path, text: str, expected: str
) -> None:
    path = data_dir / "papers" / "p.yaml"
    text = text.replace("{title}", "Paper p on quantized inference")
    path.write_text(text.replace("{added}", "2025-10-15"), encoding="utf-8")
    assert _formatted(data_dir) == [f"papers/p.yaml:{expected}"]


def test_a_missing_field_of_a_section_names_the_section(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(
        "brief:\n  status: ok\n  prompt_version: v1\n  input_hash: x\n"
        "  generated: 2025-10-15T00:00:00Z\n",
        encoding="utf-8",
    )
    assert _formatted(data_dir) == [
        "enrichment/p.yaml:2:3: missing required field 'model' in brief"
    ]


def test_a_country_of_the_wrong_form_gets_the_hint(data_dir: Path) -> None:
    registry = data_dir / "institutions.yaml"
    registry.write_text(
        registry.read_text("utf-8").replace("country: US", "country: usa"), encoding="utf-8"
    )
    assert _formatted(data_dir) == [
        "institutions.yaml:16:14: institutions.2.country: 'usa' has the wrong form; use a"
        " two-letter ISO country code such as CN or US"
    ]


def test_a_file_that_is_not_a_mapping_says_what_it_is(data_dir: Path) -> None:
    for name, text in {"a": "", "b": "- 1\n- 2\n", "c": "just text\n", "d": "# note\n"}.items():
        (data_dir / "papers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    assert _formatted(data_dir) == [
        "papers/a.yaml:1:1: the file is empty; it must be a mapping of field: value",
        "papers/b.yaml:1:1: the file is a list; it must be a mapping of field: value",
        "papers/c.yaml:1:1: the file is a str; it must be a mapping of field: value",
        "papers/d.yaml:1:1: the file is empty; it must be a mapping of field: value",
    ]


def test_a_yaml_11_boolean_is_reported_once_beside_the_other_errors(data_dir: Path) -> None:
    _paper(data_dir, "e", extra="published: yes\nyear: abc\n")
    # the surprise stands for the schema's own complaint at that field (an unknown field here)
    _paper(data_dir, "f", extra="title2: no\n")
    assert _formatted(data_dir) == [
        "papers/e.yaml:5:12: published: 'yes' is read by YAML 1.1 as the boolean true; quote it"
        " if it is text, or write true/false",
        "papers/e.yaml:6:7: year: Input should be a valid integer",
        "papers/f.yaml:5:9: title2: 'no' is read by YAML 1.1 as the boolean false; quote it if"
        " it is text, or write true/false",
    ]
    assert load_collection(data_dir, strict=False).papers == {}


def test_a_file_named_just_dot_yaml_is_a_badly_named_record(data_dir: Path) -> None:
    (data_dir / "papers" / ".yaml").write_text("title: X\nadded: 2025-10-15\n", encoding="utf-8")
    assert _formatted(data_dir) == [
        "papers/.yaml:1:1: file name: paper id '.yaml' is not a valid id: use lowercase ascii"
        " letters, digits and single hyphens, e.g. 'adaptcache' or 'fast-dllm-v2'; rename the file"
    ]


def test_an_upper_case_extension_is_reported_not_passed_over(data_dir: Path) -> None:
    _paper(data_dir, "p")
    _paper(data_dir, "q")
    (data_dir / "papers" / "q.yaml").rename(data_dir / "papers" / "q.YAML")
    (data_dir / "reports").mkdir(exist_ok=True)
    (data_dir / "reports" / "2025-10-01.Yml").write_text("title: R\n", encoding="utf-8")
    assert _formatted(data_dir) == [
        "papers/q.YAML:1:1: file name: a paper file ends in .yaml or .yml, in lowercase;"
        " rename it to q.yaml",
        "reports/2025-10-01.Yml:1:1: file name: a report file ends in .yaml or .yml, in lowercase;"
        " rename it to 2025-10-01.yml",
    ]
    assert list(load_collection(data_dir, strict=False).papers) == ["p"]


def test_a_symlinked_record_folder_is_named_as_a_symlink(data_dir: Path) -> None:
    elsewhere = data_dir.parent / "elsewhere"
    elsewhere.mkdir()
    (data_dir / "reports").rmdir()
    (data_dir / "reports").symlink_to(elsewhere, target_is_directory=True)
    assert _formatted(data_dir) == [
        "reports:1:1: the reports/ folder is a symlink; report files must sit in a real folder"
        " inside the data directory"
    ]


def test_paths_below_the_working_directory_are_shown_relative(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _paper(data_dir, "p", extra="year: abc\n")
    monkeypatch.chdir(data_dir.parent)
    (problem,) = load_collection(data_dir, strict=False).problems
    assert problem.path == os.path.join("data", "papers", "p.yaml")
    # a folder whose name only starts like the working directory's is not below it
    monkeypatch.chdir(data_dir)
    sibling = data_dir.parent / "data-copy"
    shutil.copytree(data_dir, sibling)
    (problem,) = load_collection(sibling, strict=False).problems
    assert problem.path == str(sibling / "papers" / "p.yaml")


def test_a_symlinked_record_file_is_refused_at_its_top(data_dir: Path) -> None:
    target = _paper(data_dir, "p").rename(data_dir.parent / "outside.yaml")
    (data_dir / "papers" / "p.yaml").symlink_to(target)
    assert _formatted(data_dir) == [
        "papers/p.yaml:1:1: paper files must be regular files, not symlinks"
    ]


def test_a_title_that_extends_another_is_not_called_nearly_identical(data_dir: Path) -> None:
    # 91 % alike once folded (case, spaces and punctuation dropped): two papers, one a
    # follow-up of the other, under the 95 % that calls titles nearly identical
    _paper(data_dir, "a", title="Efficient Serving of Large Language Models")
    _paper(data_dir, "b", title="Efficient Serving of Large Language Models on GPUs")
    assert _formatted(data_dir) == []
    _paper(data_dir, "c", title="Efficient Serving of Large Language Modles")
    (line,) = _formatted(data_dir)
    assert line.startswith("papers/c.yaml:1:8: title is nearly identical to papers/a.yaml;")


def test_yaml_reading_a_time_as_a_boolean_is_named_in_enrichment_too(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(
        "scholar:\n  status: no-match\n  fetched: true\n", encoding="utf-8"
    )
    assert _formatted(data_dir) == [
        "enrichment/p.yaml:3:12: scholar.fetched: 'true' is read by YAML as a boolean, not text;"
        ' put it in quotes: fetched: "true"'
    ]


def test_a_missing_registry_and_a_nested_yaml_11_boolean_are_located(data_dir: Path) -> None:
    (data_dir / "institutions.yaml").unlink()
    _paper(data_dir, "a", extra="links: {code: no}\n")
    assert _formatted(data_dir) == [
        "institutions.yaml:1:1: cannot read the file: No such file or directory",
        "papers/a.yaml:5:15: links.code: 'no' is read by YAML 1.1 as the boolean false; quote it"
        " if it is text, or write true/false",
    ]


def test_a_file_that_exhausts_recursion_is_one_problem_beside_the_others(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The reader refuses nesting past 32 levels before anything recurses; should Python's
    # recursion limit still be reached, in reading or in checking, that file is one problem
    # at its top and the other files are still checked.
    from generator.records import parse

    real_load, real_check = parse.parse_yaml, parse.parse_model

    def load(raw: bytes, *, path: Path, display: str) -> object:
        if path.name == "deep-read.yaml":
            raise RecursionError
        return real_load(raw, path=path, display=display)

    def check(doc: object, model: object) -> object:
        if str(getattr(doc, "display", "")).endswith("deep-check.yaml"):
            raise RecursionError
        return real_check(doc, model)  # type: ignore[arg-type]

    monkeypatch.setattr(parse, "parse_yaml", load)
    monkeypatch.setattr(parse, "parse_model", check)
    for name in ("deep-read", "deep-check"):
        _paper(data_dir, name)
    _paper(data_dir, "bad", extra="year: abc\n")
    _paper(data_dir, "fine")
    assert _formatted(data_dir) == [
        "papers/bad.yaml:5:7: year: Input should be a valid integer",
        "papers/deep-check.yaml:1:1: nested too deeply to check; flatten it",
        "papers/deep-read.yaml:1:1: nested too deeply to read; flatten it",
    ]
    assert list(load_collection(data_dir, strict=False).papers) == ["fine"]


def test_display_path_is_relative_below_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.records.parse import display_path

    base = tmp_path / "repo"
    (base / "data").mkdir(parents=True)
    monkeypatch.chdir(base)
    assert display_path(Path("data/papers/x.yaml")) == "data/papers/x.yaml"
    assert display_path(base / "data" / ".." / "data" / "x.yaml") == "data/x.yaml"
    assert display_path(Path("./data//x.yaml")) == "data/x.yaml"
    outside = tmp_path / "repository" / "x.yaml"  # shares the start of the folder's name
    assert display_path(outside) == str(outside)
    assert display_path(Path("../x.yaml")) == "../x.yaml"
    monkeypatch.chdir("/")
    assert display_path(base / "x.yaml") == str(base / "x.yaml")
