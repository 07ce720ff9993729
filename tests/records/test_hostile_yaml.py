"""Every file of the hostile-YAML corpus fails with its expected, positioned message."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.records.load import validate_data

CORPUS = Path(__file__).parent / "hostile_yaml"
CASES = sorted(CORPUS.glob("*.yaml"))


def _expectation(path: Path) -> tuple[int, int, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# expect: (\d+):(\d+): (.+)", first)
    assert match, f"{path.name} must start with '# expect: LINE:COL: message'"
    return int(match.group(1)), int(match.group(2)), match.group(3)


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_hostile_case_is_rejected_at_its_node(case: Path, data_dir: Path) -> None:
    line, col, expected = _expectation(case)
    shutil.copy(case, data_dir / "papers" / "case.yaml")
    problems = [p for p in validate_data(data_dir) if p.path.endswith("case.yaml")]
    assert problems, f"{case.name} was accepted"
    formatted = [p.format() for p in problems]
    assert any(p.line == line and p.col == col and expected in p.message for p in problems), (
        f"expected {line}:{col}: {expected!r}; got {formatted}"
    )


def test_corpus_is_not_empty() -> None:
    assert len(CASES) >= 20


def test_alias_bomb_fails_fast(data_dir: Path) -> None:
    # a billion-laughs document is refused at the first anchor, before anything expands
    rows = ", ".join(["*a"] * 9)
    text = 'a: &a ["lol"]\n' + "".join(f"k{i}: &k{i} [{rows}]\n" for i in range(40))
    (data_dir / "papers" / "bomb.yaml").write_text(text, encoding="utf-8")
    problems = validate_data(data_dir)
    assert [p.message for p in problems] == [
        "anchor &a is not allowed; write each value out in full"
    ]


def test_size_cap(data_dir: Path) -> None:
    big = "title: Big\nadded: 2025-10-15\nabstract: " + "x" * 300_000 + "\n"
    (data_dir / "papers" / "big.yaml").write_text(big, encoding="utf-8")
    problems = validate_data(data_dir)
    assert len(problems) == 1
    assert "over the 262,144-byte cap" in problems[0].message


@pytest.mark.parametrize("line", [1, 3])
def test_not_utf8_names_the_file_and_the_line_of_the_first_bad_byte(
    data_dir: Path, line: int
) -> None:
    lines = ["title: Paper", "added: 2025-10-15", "abstract: About it"]
    lines[line - 1] += " in Zürich"
    path = data_dir / "papers" / "latin1.yaml"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    (problem,) = validate_data(data_dir)
    assert (problem.path, problem.line) == (str(path), line)
    assert problem.message == "file is not valid UTF-8; save it as UTF-8"
