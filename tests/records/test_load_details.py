"""The loader's finer rules, each with the wording and position a contributor sees.

Written against what mutation testing found unchecked in generator/records/load.py, parse.py and
collection.py (docs/testing.md); each test states a behaviour of its own.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from generator.records.load import load_collection

PAPER = "title: {title}\ninstitutions: [HKU]\ntechniques: [quantization]\nadded: {added}\n"


def _paper(
    data: Path, paper_id: str, title: str = "", added: str = "2025-10-15", extra: str = ""
) -> Path:
    path = data / "papers" / f"{paper_id}.yaml"
    path.write_text(
        PAPER.format(title=title or f"Paper {paper_id} on quantized inference", added=added)
        + extra,
        encoding="utf-8",
    )
    return path


def _formatted(data: Path) -> list[str]:
    """Return every problem as 'file:line:col: message', file relative to the data directory."""
    return [
        p.format().replace(str(data) + "/", "")
        for p in load_collection(data, strict=False).problems
    ]


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


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
