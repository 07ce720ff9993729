"""The loader rule by rule: registries, record files, cross-references and duplicates, each problem
with its file, position and wording. Written against the mutants the other records tests let live
(docs/testing.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from loadfiles import PAPER, formatted_problems, write_paper

from generator.errors import ValidationFailed
from generator.records.load import load_collection, validate_data

# the loader tests' shared record and problem text (loadfiles.py)
_paper = write_paper
_formatted = formatted_problems


# ---- the technique registry -------------------------------------------------------------------------


def test_a_technique_defined_twice_with_an_unknown_parent_and_a_cycle(data_dir: Path) -> None:
    (data_dir / "techniques.yaml").write_text(
        "techniques:\n"
        "  - {id: quantization, zh: 量化, en: Q, description: D}\n"
        "  - {id: quantization, zh: 量化二, en: Q2, description: D}\n"
        "  - {id: a, zh: 甲, en: A, description: D, parent: b}\n"
        "  - {id: b, zh: 乙, en: B, description: D, parent: a}\n"
        "  - {id: c, zh: 丙, en: C, description: D, parent: nowhere}\n",
        encoding="utf-8",
    )
    problems = [p for p in _formatted(data_dir) if p.startswith("techniques.yaml")]
    assert problems == [
        "techniques.yaml:3:10: technique id 'quantization' is defined twice",
        "techniques.yaml:4:51: technique 'a' has a parent cycle through 'a'",
        "techniques.yaml:5:51: technique 'b' has a parent cycle through 'b'",
        "techniques.yaml:6:51: parent 'nowhere' is not a technique id",
    ]


# ---- record files ---------------------------------------------------------------------------------


def test_enrichment_without_its_paper_names_the_file_and_the_fix(data_dir: Path) -> None:
    _paper(data_dir, "kept")
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "gone.yaml").write_text("{}\n", encoding="utf-8")
    (data_dir / "enrichment" / "kept.yaml").write_text("{}\n", encoding="utf-8")
    assert _formatted(data_dir) == [
        "enrichment/gone.yaml:1:1: enrichment for paper 'gone', which does not exist"
        " (no papers/gone.yaml); delete this file, or rename it to the paper's new id"
    ]


@pytest.mark.parametrize("kind", ["papers", "reports", "enrichment"])
def test_a_record_folder_that_is_a_file_is_one_problem(data_dir: Path, kind: str) -> None:
    folder = data_dir / kind
    if folder.exists():
        folder.rmdir()
    folder.write_text("not a folder\n", encoding="utf-8")
    singular = {"papers": "paper", "reports": "report", "enrichment": "enrichment"}[kind]
    assert _formatted(data_dir) == [
        f"{kind}:1:1: the {kind}/ folder is not a folder; {singular} files must sit in a real"
        " folder inside the data directory"
    ]


def test_record_file_names_must_be_ids_and_differ_after_case_folding(data_dir: Path) -> None:
    _paper(data_dir, "fast-kv")
    (data_dir / "papers" / "Fast-KV.yaml").write_text("title: x\n", encoding="utf-8")
    (data_dir / "papers" / "has space.yaml").write_text("title: x\n", encoding="utf-8")
    (data_dir / "papers" / "notes.txt").write_text("not a record\n", encoding="utf-8")
    (data_dir / "papers" / "other.yml").write_text(
        PAPER.format(title="Another paper entirely", added="2025-10-15"), encoding="utf-8"
    )
    problems = _formatted(data_dir)
    assert len(problems) == 2, problems
    assert problems[0].startswith("papers/Fast-KV.yaml:1:1: file name: paper id ")
    assert problems[1].startswith("papers/has space.yaml:1:1: file name: paper id ")
    assert problems[1].endswith("; rename the file")
    collection = load_collection(data_dir, strict=False)
    assert sorted(collection.papers) == ["fast-kv", "other"]


# ---- reports ----------------------------------------------------------------------------------------


def test_a_report_listing_a_paper_twice_or_a_missing_one_says_so(data_dir: Path) -> None:
    _paper(data_dir, "quant-llm")
    (data_dir / "reports" / "r.yaml").write_text(
        "title: R\ngenerated: 2025-10-15 10:00:00\npapers: [quant-llm, quant-llm, quant-lm, zzz]\n",
        encoding="utf-8",
    )
    assert _formatted(data_dir) == [
        "reports/r.yaml:3:21: paper 'quant-llm' is listed twice in this report",
        "reports/r.yaml:3:32: paper 'quant-lm' does not exist; did you mean 'quant-llm'?",
        "reports/r.yaml:3:42: paper 'zzz' does not exist; add data/papers/<id>.yaml first",
    ]


# ---- duplicates -------------------------------------------------------------------------------------


def test_a_duplicate_is_reported_on_the_newer_record(data_dir: Path) -> None:
    _paper(data_dir, "b-old", added="2025-01-01", extra="links: {arxiv: '2501.01234'}\n")
    _paper(data_dir, "a-new", added="2025-06-01", extra="links: {arxiv: '2501.01234v2'}\n")
    assert _formatted(data_dir) == [
        "papers/a-new.yaml:5:16: same arxiv as papers/b-old.yaml: this paper is already in the"
        " collection; delete this file, or merge what it adds into the other"
    ]


def test_near_identical_titles_are_flagged_once_and_short_titles_are_not_compared(
    data_dir: Path,
) -> None:
    _paper(data_dir, "one", title="Learned KV Cache Eviction for Long Contexts")
    _paper(data_dir, "two", title="Learned KV Cache Eviction for Long Context", added="2025-11-01")
    _paper(data_dir, "s1", title="Short KV")
    _paper(data_dir, "s2", title="Short KVs")
    (problem,) = _formatted(data_dir)
    assert problem.startswith("papers/two.yaml:1:8: title is nearly identical to ")
    assert problem.endswith(
        "one.yaml; is this the same paper? If so, delete this file, or merge what it adds into"
        " the other"
    )


def test_strict_loading_raises_every_problem_at_once(data_dir: Path) -> None:
    _paper(data_dir, "a", extra="author_count: 2\nauthors: [Ada]\n")
    (data_dir / "reports" / "r.yaml").write_text(
        "title: R\ngenerated: 2025-10-15 10:00:00\npapers: [nope]\n", encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data_dir)
    assert [p.format().replace(str(data_dir) + "/", "") for p in caught.value.problems] == [
        "papers/a.yaml:5:15: author_count is 2 but 1 authors are listed",
        "reports/r.yaml:3:10: paper 'nope' does not exist; add data/papers/<id>.yaml first",
    ]
    assert validate_data(data_dir) == sorted(caught.value.problems)


# ---- what the first mutation run left alive ------------------------------------------------------


def _everything(data: Path) -> list[str]:
    collection = load_collection(data, strict=False)
    shown = [("P " + p.format()) for p in collection.problems]
    shown += [("W " + p.format()) for p in collection.warnings]
    return [s.replace(str(data) + "/", "") for s in shown]


def test_a_missing_data_directory_is_one_problem_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(ValidationFailed) as caught:
        load_collection(missing)
    assert [p.format() for p in caught.value.problems] == [
        f"{missing}:1:1: data directory not found; pass --data DIR"
    ]


def test_a_technique_name_shared_by_two_techniques_is_a_registry_problem(data_dir: Path) -> None:
    (data_dir / "techniques.yaml").write_text(
        "techniques:\n"
        "  - {id: a, zh: 甲, en: A, description: D, aliases: [X]}\n"
        "  - {id: b, zh: 乙, en: B, description: D, aliases: [X]}\n",
        encoding="utf-8",
    )
    assert _formatted(data_dir) == [
        "techniques.yaml:1:1: the name 'X' of technique 'b' also names 'a'; make it unique"
    ]


def test_institutions_and_techniques_are_resolved_past_an_unknown_one(data_dir: Path) -> None:
    (data_dir / "papers" / "p.yaml").write_text(
        "title: T\ninstitutions: [Nowhere Land Inst, HKU, 港大]\n"
        "techniques: [quantisation, quantization, PTQ, zzzz-qqq]\nadded: 2025-10-15\n",
        encoding="utf-8",
    )
    assert _everything(data_dir) == [
        "P papers/p.yaml:2:16: institution 'Nowhere Land Inst' is not in the registry; if it is"
        " another institution, add it to data/institutions.yaml (id, en, zh, aliases, country;"
        " see CONTRIBUTING.md) in the same change",
        "P papers/p.yaml:2:40: institution '港大' is listed twice (as The University of Hong Kong)",
        "P papers/p.yaml:3:14: unknown technique 'quantisation'; did you mean 'quantization'"
        " (量化 / Quantization)? Write the id. To propose a new technique, see CONTRIBUTING.md",
        "P papers/p.yaml:3:42: technique 'PTQ' is listed twice (as quantization)",
        "P papers/p.yaml:3:47: unknown technique 'zzzz-qqq'; write a technique id from"
        " data/techniques.yaml. To propose a new technique, see CONTRIBUTING.md",
    ]
    paper = load_collection(data_dir, strict=False).papers["p"]
    assert [i.id for i in paper.institutions] == ["hku"]
    assert [t.id for t in paper.techniques] == ["quantization"]


def test_a_technique_written_twice_by_its_id_says_so_plainly(data_dir: Path) -> None:
    _paper(data_dir, "p")
    path = data_dir / "papers" / "p.yaml"
    path.write_text(
        path.read_text("utf-8").replace("[quantization]", "[quantization, quantization]"), "utf-8"
    )
    assert _formatted(data_dir) == ["papers/p.yaml:3:28: technique 'quantization' is listed twice"]


def test_an_unknown_field_in_a_nested_mapping_names_the_nearest_allowed_one(data_dir: Path) -> None:
    _paper(data_dir, "q", extra="links: {arxv: '2501.01234'}\n")
    assert _formatted(data_dir) == [
        "papers/q.yaml:5:9: unknown field 'arxv': did you mean 'arxiv'?"
    ]


def test_what_keeps_a_record_off_the_site_is_a_warning_at_its_field(data_dir: Path) -> None:
    (data_dir / "papers" / "p.yaml").write_text(
        "institutions: [HKU]\ntechniques: []\nadded: 2025-10-15\nreview: [check it]\n",
        encoding="utf-8",
    )
    (data_dir / "papers" / "q.yaml").write_text("title: Q paper\nadded: 2025-10-15\n", "utf-8")
    note = "(`paperbrief validate --strict`, the pull-request check, fails until then)"
    assert _everything(data_dir) == [
        f"W papers/p.yaml:1:1: no title: add title: with the paper's title as printed on the paper {note}",
        "W papers/p.yaml:2:13: no techniques: list 1 to 4 technique ids from data/techniques.yaml,"
        " e.g. techniques: [kv-cache]; to propose a new one, see CONTRIBUTING.md " + note,
        f"W papers/p.yaml:4:10: open review item 'check it': settle it, then delete the line {note}",
        "W papers/q.yaml:1:1: no institutions: list the authors' institutions as named in"
        " data/institutions.yaml, or write institutions: unknown when none can be found " + note,
        "W papers/q.yaml:1:1: no techniques: list 1 to 4 technique ids from data/techniques.yaml,"
        " e.g. techniques: [kv-cache]; to propose a new one, see CONTRIBUTING.md " + note,
    ]


def test_a_missing_paper_gets_at_most_two_suggestions(data_dir: Path) -> None:
    for n, words in (("a", "alpha beta"), ("b", "gamma delta"), ("c", "epsilon zeta")):
        _paper(data_dir, f"quant-llm-{n}", title=f"Quantized {words} inference")
    (data_dir / "reports" / "r.yaml").write_text(
        "title: R\ngenerated: 2025-10-15 10:00:00\npapers: [quant-llm-d]\n", encoding="utf-8"
    )
    assert _formatted(data_dir) == [
        "reports/r.yaml:3:10: paper 'quant-llm-d' does not exist;"
        " did you mean 'quant-llm-c' or 'quant-llm-b'?"
    ]


def test_validate_data_lists_problems_sorted_and_honours_the_size_cap(data_dir: Path) -> None:
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "gone.yaml").write_text("{}\n", encoding="utf-8")
    (data_dir / "institutions.yaml").write_text(
        "institutions:\n  - {id: x, en: Same Name}\n  - {id: y, en: Same Name}\n", "utf-8"
    )
    _paper(data_dir, "big", extra="abstract: " + "x" * 400 + "\n")
    problems = validate_data(data_dir, size_cap=300)
    assert [p.path.replace(str(data_dir) + "/", "") for p in problems] == [
        "enrichment/gone.yaml",
        "institutions.yaml",
        "papers/big.yaml",
    ]
    assert "over the 300-byte cap" in problems[2].message
    assert problems == sorted(problems)


def test_a_cycle_above_a_technique_is_found_without_looping(data_dir: Path) -> None:
    (data_dir / "techniques.yaml").write_text(
        "techniques:\n"
        "  - {id: a, zh: 甲, en: A, description: D, parent: b}\n"
        "  - {id: b, zh: 乙, en: B, description: D, parent: c}\n"
        "  - {id: c, zh: 丙, en: C, description: D, parent: b}\n",
        encoding="utf-8",
    )
    assert _formatted(data_dir) == [
        "techniques.yaml:2:51: technique 'a' has a parent cycle through 'b'",
        "techniques.yaml:3:51: technique 'b' has a parent cycle through 'b'",
        "techniques.yaml:4:51: technique 'c' has a parent cycle through 'c'",
    ]


def test_each_paper_carries_what_its_brief_is_made_from(data_dir: Path) -> None:
    _paper(data_dir, "p", extra="abstract: We quantize.\n")
    paper = load_collection(data_dir).papers["p"]
    assert paper.brief_inputs is not None
    assert (paper.brief_inputs.title, paper.brief_inputs.abstract) == (
        "Paper p on quantized inference",
        "We quantize.",
    )
    assert [i.id for i in paper.brief_inputs.institutions] == ["hku"]


def test_unknown_fields_inside_optional_sections_name_the_nearest_field(data_dir: Path) -> None:
    _paper(data_dir, "p")
    (data_dir / "papers" / "q.yaml").write_text(
        "title: Q paper\ninstitutions: []\ntechniques: [quantization]\nadded: 2025-10-15\n",
        encoding="utf-8",
    )
    (data_dir / "enrichment").mkdir()
    (data_dir / "enrichment" / "p.yaml").write_text(
        "brief: {statuss: ok, model: m, prompt_version: v, input_hash: h,"
        " generated: 2025-10-15 10:00:00}\n"
        "scholar: {status: match, authorz: [A], fetched: 2025-10-15 10:00:00}\n",
        encoding="utf-8",
    )
    assert _everything(data_dir) == [
        "P enrichment/p.yaml:1:8: missing required field 'status' in brief",
        "P enrichment/p.yaml:1:9: unknown field 'statuss': did you mean 'status'?",
        "P enrichment/p.yaml:2:26: unknown field 'authorz': did you mean 'authors'?",
        "W papers/q.yaml:2:15: no institutions: list the authors' institutions as named in"
        " data/institutions.yaml, or write institutions: unknown when none can be found"
        " (`paperbrief validate --strict`, the pull-request check, fails until then)",
    ]
