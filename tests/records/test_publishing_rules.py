"""Validation that guides: what a publishable record needs, names that resolve, useful hints.

Every message is checked through `paperbrief validate` as a contributor runs it, and as the
pull-request check runs it (`--strict`, GitHub annotations).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from gitrepo import git as _git

from generator.cli import main
from generator.records.load import load_collection

COMPLETE = "title: {title}\ninstitutions: [港大]\ntechniques: [quantization]\nadded: {added}\n"


def _validate(data: Path, *args: str, actions: bool = False) -> Result:
    env = {"GITHUB_ACTIONS": "true"} if actions else {}
    return CliRunner().invoke(main, ["validate", "--data", str(data), *args], env=env)


def _write(data: Path, name: str, text: str) -> Path:
    path = data / "papers" / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _repo(data: Path) -> Path:
    repo = data.parent
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "data")
    return repo


# ---- what a publishable record needs -------------------------------------------------------


def test_a_record_without_title_techniques_or_institutions_warns_locally_and_fails_strict(
    data_dir: Path,
) -> None:
    _write(data_dir, "bare", "added: 2025-10-15\n")
    local = _validate(data_dir)
    assert local.exit_code == 0, local.output
    assert "ok: 1 papers" in local.output
    assert "bare.yaml:1:1: warning: no title: add title: with the paper's title" in local.output
    assert "warning: no techniques: list 1 to 4 technique ids" in local.output
    assert "warning: no institutions: list the authors' institutions" in local.output
    assert "institutions: unknown when none can be found" in local.output
    assert "3 warning(s): records not ready to publish" in local.output

    strict = _validate(data_dir, "--strict")
    assert strict.exit_code == 1
    assert "bare.yaml:1:1: no title" in strict.output
    assert "3 problem(s) found" in strict.output


def test_an_empty_title_asks_for_the_title(data_dir: Path) -> None:
    _write(
        data_dir,
        "empty",
        'title: ""\ninstitutions: [港大]\ntechniques: [quantization]\nadded: 2025-10-15\n',
    )
    result = _validate(data_dir)
    assert result.exit_code == 1
    assert "empty.yaml:1:8: title: is empty: write the paper's title as printed on the paper" in (
        result.output
    )
    assert "remove the field" not in result.output


def test_unknown_institutions_pass_strict_and_stand_alone(data_dir: Path) -> None:
    _write(
        data_dir,
        "nobody",
        "title: T\ninstitutions: unknown\ntechniques: [quantization]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir, "--strict")
    assert result.exit_code == 0, result.output
    paper = load_collection(data_dir).papers["nobody"]
    assert paper.record.institutions_unknown and paper.institutions == ()

    _write(
        data_dir,
        "mixed",
        "title: U\ninstitutions: [港大, unknown]\ntechniques: [quantization]\nadded: 2025-10-15\n",
    )
    mixed = _validate(data_dir)
    assert mixed.exit_code == 1
    assert "mixed.yaml:2:20: 'unknown' stands alone" in mixed.output


def test_a_single_institution_name_is_asked_to_be_a_list(data_dir: Path) -> None:
    _write(
        data_dir,
        "one",
        "title: T\ninstitutions: 港大\ntechniques: [quantization]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir)
    assert result.exit_code == 1
    assert "'港大' is a single name, not a list; write institutions: ['港大']" in result.output


def test_the_offline_draft_of_add_is_not_publishable_until_its_review_items_are_settled(
    data_dir: Path,
) -> None:
    added = CliRunner().invoke(
        main, ["add", "--offline", "--title", "A Brand New Paper", "--data", str(data_dir)]
    )
    assert added.exit_code == 0, added.output
    draft = next((data_dir / "papers").glob("*.yaml"))
    review = load_collection(data_dir).papers[draft.stem].record.review
    assert review

    local = _validate(data_dir)
    assert local.exit_code == 0, local.output
    assert local.output.count(": warning: open review item ") == len(review)
    strict = _validate(data_dir, "--strict")
    assert strict.exit_code == 1
    assert strict.output.count(": open review item ") == len(review)
    assert "settle it, then delete the line" in strict.output


def test_warnings_and_strict_problems_become_github_annotations(data_dir: Path) -> None:
    _write(
        data_dir,
        "draft",
        COMPLETE.format(title="T", added="2025-10-15") + "review:\n  - 'venue: check it'\n",
    )
    local = _validate(data_dir, actions=True)
    assert local.exit_code == 0
    (warning,) = [line for line in local.output.splitlines() if line.startswith("::warning ")]
    assert "draft.yaml,line=6,col=5,title=paperbrief validate::open review item" in warning
    strict = _validate(data_dir, "--strict", actions=True)
    (error,) = [line for line in strict.output.splitlines() if line.startswith("::error ")]
    assert (
        "draft.yaml,line=6,col=5," in error and "open review item 'venue%3A check it'" not in error
    )
    assert "open review item 'venue: check it'" in error


def test_strict_holds_only_the_changed_records_given_a_base(data_dir: Path) -> None:
    _write(
        data_dir,
        "old",
        COMPLETE.format(title="Old", added="2025-10-15") + "review:\n  - 'venue: check it'\n",
    )
    _repo(data_dir)
    _write(data_dir, "new", "title: New\nadded: 2025-10-16\n")
    result = _validate(data_dir, "--strict", "--changed-since", "HEAD")
    assert result.exit_code == 1
    failing = {
        Path(line.split(":")[0]).name
        for line in result.output.splitlines()
        if ".yaml:" in line and ": warning:" not in line
    }
    assert failing == {"new.yaml"}
    assert "old.yaml:6:5: warning: open review item" in result.output


def test_changed_since_outside_git_or_with_a_bad_revision_is_a_usage_error(
    data_dir: Path,
) -> None:
    outside = _validate(data_dir, "--strict", "--changed-since", "HEAD")
    assert outside.exit_code == 2
    assert "is not in a git checkout" in outside.output
    _repo(data_dir)
    bad = _validate(data_dir, "--strict", "--changed-since", "no-such-revision")
    assert bad.exit_code == 2
    assert "git cannot compare with it" in bad.output


# ---- names that resolve, hints that help ----------------------------------------------------


def test_technique_labels_and_aliases_resolve_like_institution_aliases(data_dir: Path) -> None:
    _write(
        data_dir,
        "labels",
        "title: T\ninstitutions: [HKU]\ntechniques: [量化, distillation, Sparse Attention]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir, "--strict")
    assert result.exit_code == 0, result.output
    paper = load_collection(data_dir).papers["labels"]
    assert [t.id for t in paper.techniques] == [
        "quantization",
        "knowledge-distillation",
        "sparse-attention",
    ]


def test_an_unknown_technique_names_the_id_to_write_and_how_to_propose_one(
    data_dir: Path,
) -> None:
    _write(
        data_dir,
        "typo",
        "title: T\ninstitutions: [HKU]\ntechniques: [quantisation, warp drive]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir)
    assert result.exit_code == 1
    assert (
        "typo.yaml:3:14: unknown technique 'quantisation'; did you mean 'quantization'"
        " (量化 / Quantization)? Write the id. To propose a new technique, see CONTRIBUTING.md"
    ) in result.output
    assert (
        "unknown technique 'warp drive'; write a technique id from data/techniques.yaml."
        " To propose a new technique, see CONTRIBUTING.md"
    ) in result.output
    assert "'adaptcache'" not in result.output


def test_the_same_technique_twice_is_named_with_its_id(data_dir: Path) -> None:
    _write(
        data_dir,
        "twice",
        "title: T\ninstitutions: [HKU]\ntechniques: [quantization, 量化]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir)
    assert "technique '量化' is listed twice (as quantization)" in result.output


def test_a_technique_name_shared_by_two_techniques_is_a_registry_problem(data_dir: Path) -> None:
    path = data_dir / "techniques.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "  - id: sparsity\n    zh: 稀疏\n    en: Sparsity\n    description: d\n"
        "    aliases: [distillation]\n",
        encoding="utf-8",
    )
    result = _validate(data_dir)
    assert result.exit_code == 1
    assert "the name 'distillation' of technique 'sparsity' also names" in result.output


@pytest.mark.parametrize(
    ("name", "suggested"),
    [
        ("Princeton University", None),
        ("Stanford University", None),
        ("Peking Universty", "'Peking University'"),
        ("Hong Kong Univ", "'The University of Hong Kong'"),
        ("New York Univ.", "'New York University'"),
    ],
)
def test_institution_suggestions_are_close_names_only_and_the_way_to_add_one_is_always_given(
    data_dir: Path, name: str, suggested: str | None
) -> None:
    _write(
        data_dir,
        "inst",
        f"title: T\ninstitutions: [{name}]\ntechniques: [quantization]\nadded: 2025-10-15\n",
    )
    result = _validate(data_dir)
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "inst.yaml:" in line)
    assert f"institution {name!r} is not in the registry; " in line
    if suggested is None:
        assert "did you mean" not in line
    else:
        assert f"did you mean {suggested}?" in line
    assert line.endswith(
        "add it to data/institutions.yaml (id, en, zh, aliases, country; see CONTRIBUTING.md)"
        " in the same change"
    )


# ---- duplicates are reported on the newer record ---------------------------------------------


def test_a_duplicate_is_reported_on_the_record_added_later(data_dir: Path) -> None:
    _write(
        data_dir,
        "zz-old",
        COMPLETE.format(title="Old name", added="2025-01-02") + "links: {arxiv: '2501.01234'}\n",
    )
    _write(
        data_dir,
        "aa-new",
        COMPLETE.format(title="New name", added="2025-10-15") + "links: {arxiv: '2501.01234'}\n",
    )
    result = _validate(data_dir)
    (line,) = [line for line in result.output.splitlines() if "same arxiv" in line]
    assert line.startswith(str(data_dir / "papers" / "aa-new.yaml") + ":5:")
    assert "same arxiv as " + str(data_dir / "papers" / "zz-old.yaml") in line


def test_on_the_same_date_the_file_the_change_adds_is_the_newer(data_dir: Path) -> None:
    _write(
        data_dir,
        "zz-committed",
        COMPLETE.format(title="Kept", added="2025-10-15") + "links: {doi: 10.1000/abc}\n",
    )
    _repo(data_dir)
    _write(
        data_dir,
        "aa-added",
        COMPLETE.format(title="Added", added="2025-10-15") + "links: {doi: 10.1000/ABC}\n",
    )
    result = _validate(data_dir)
    (line,) = [line for line in result.output.splitlines() if "same doi" in line]
    assert line.startswith(str(data_dir / "papers" / "aa-added.yaml"))
    assert "same doi as " + str(data_dir / "papers" / "zz-committed.yaml") in line
    # the same when the change is named by a revision, as the pull-request check does
    _git(data_dir.parent, "add", "-A")
    _git(data_dir.parent, "commit", "-q", "-m", "add")
    since = _validate(data_dir, "--changed-since", "HEAD~1")
    (line,) = [line for line in since.output.splitlines() if "same doi" in line]
    assert line.startswith(str(data_dir / "papers" / "aa-added.yaml"))


def test_near_identical_titles_are_reported_on_the_newer_record(data_dir: Path) -> None:
    _write(
        data_dir,
        "b-first",
        COMPLETE.format(title="Efficient Serving of Large Language Models", added="2025-01-01"),
    )
    _write(
        data_dir,
        "a-second",
        COMPLETE.format(title="Efficient Serving of Large Language Modles", added="2025-02-01"),
    )
    result = _validate(data_dir)
    (line,) = [line for line in result.output.splitlines() if "nearly identical" in line]
    assert line.startswith(str(data_dir / "papers" / "a-second.yaml"))
    assert "nearly identical to " + str(data_dir / "papers" / "b-first.yaml") in line
