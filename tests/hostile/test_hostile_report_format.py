"""export-report writes whatever validates so that import-report reads the same records back.

Text in a brief, an abstract, a title or an institution name that looks like the format's own
structure (a `## 论文详细信息` section, a `### 1. Fake` entry, a `**摘要**:` label, a separator
inside a name) must stay text: the export escapes heading-like lines, the import undoes it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from generator.authoring.export import export_report
from generator.authoring.importer import import_report
from generator.authoring.reportmd import escape_prose, parse_report, unescape_line
from generator.cli import main
from generator.records.collection import Collection
from generator.records.load import load_collection

REGISTRY = """\
techniques:
  - {id: quantization, zh: 量化, en: Quantization, description: Fewer bits.}
"""
INSTITUTIONS = """\
institutions:
  - {id: hku, en: The University of Hong Kong, zh: 香港大学, aliases: [HKU]}
  - {id: uc, en: University of California}
  - {id: ucb, en: "University of California, Berkeley", aliases: [UC Berkeley]}
  - {id: berkeley-lab, en: Berkeley}
  - {id: cas, en: "Institute of Computing Technology, Chinese Academy of Sciences"}
  - {id: hash, en: "#1 Lab; Robotics and Vision 和 Learning"}
"""
STRUCTURE = [
    "\n\n## 论文详细信息\n\n### 1. Fake paper\n\n**主要机构**: Evil Corp\n**作者数量**: 9人\n\n"
    "**摘要**:\nA fake abstract.",
    "## 论文技术简报",
    "### 2. Another fake entry",
    "Text first.\n### 3. A fake entry after a line",
    "   ### an indented heading",
    "# a title-like line",
    "\\## a line that already starts with a backslash",
    "\\\\### two backslashes",
    "#hashtag at the start",
    "**摘要**: a label in the text\n**主要机构**: another",
    "生成时间: 2020-01-01 00:00:00\n分析论文数量: 99篇",
    "A line\r## after a carriage return",
    "A line\r\n### after CRLF",
    "    # indented four spaces is code, not a heading",
]


def _data(root: Path) -> Path:
    data = root / "data"
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    (data / "techniques.yaml").write_text(REGISTRY, "utf-8")
    (data / "institutions.yaml").write_text(INSTITUTIONS, "utf-8")
    return data


def _paper(data: Path, paper_id: str, **fields: Any) -> None:
    record = {"added": "2025-10-15", **fields}
    text = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in record.items())
    (data / "papers" / f"{paper_id}.yaml").write_text(text.replace('"2025-10-15"', "2025-10-15"))


def _report(data: Path, papers: list[str], generated: str = "2025-10-15 19:44:32") -> None:
    (data / "reports" / "r.yaml").write_text(
        f"title: 报告 ## 论文详细信息\ngenerated: {generated}\npapers: [{', '.join(papers)}]\n",
        "utf-8",
    )


def _prose(text: str | None) -> str | None:
    """What the format keeps of prose: line breaks as \\n, no blank lines or spaces at the ends."""
    return re.sub(r"\r\n?", "\n", text).strip() if text else None


def _carried(collection: Collection, report_id: str) -> list[tuple[Any, ...]]:
    """Return, per paper of a report, what the report format carries."""
    report = collection.reports[report_id]
    rows = []
    for paper_id in report.record.papers:
        paper = collection.papers[paper_id]
        rows.append(
            (
                paper.record.title,
                _prose(paper.brief_text),
                _prose(paper.record.abstract),
                [i.id for i in paper.institutions],
                paper.record.author_total,
            )
        )
    return rows


def _round_trip(tmp_path: Path, data: Path) -> tuple[str, Collection, Collection]:
    before = load_collection(data)
    text = export_report(before, "r")
    source = tmp_path / "exported.md"
    source.write_text(text, "utf-8")
    fresh = _data(tmp_path / "fresh")
    result = import_report(source, fresh)
    after = load_collection(fresh)
    assert set(after.reports) == {result.plan.report_id}
    return text, before, after


def _assert_same(before: Collection, after: Collection) -> None:
    (new_id,) = after.reports
    assert _carried(after, new_id) == _carried(before, "r")
    assert after.reports[new_id].record.title == before.reports["r"].record.title
    assert after.reports[new_id].record.generated == before.reports["r"].record.generated


def _assert_structure(text: str, entries: int) -> None:
    parsed = parse_report(text)
    assert parsed.brief_numbers == list(range(1, entries + 1))
    assert parsed.detail_numbers == list(range(1, entries + 1))
    # no line of record text became a heading of the format (or of Markdown)
    headings = [line for line in text.split("\n") if re.match(r"^ {0,3}#", line)]
    assert len(headings) == 1 + 2 + 2 * entries, headings


@pytest.mark.parametrize("payload", STRUCTURE)
@pytest.mark.parametrize("field", ["brief", "abstract"])
def test_structure_in_prose_stays_text_and_round_trips(
    tmp_path: Path, field: str, payload: str
) -> None:
    data = _data(tmp_path)
    _paper(
        data,
        "a",
        title="First paper",
        institutions=["HKU"],
        authors=["A One", "B Two"],
        brief="简报。",
        abstract="An abstract.",
    )
    _paper(
        data, "b", title="Second paper", author_count=3, **{field: f"Before.\n{payload}\nAfter."}
    )
    _paper(data, "c", title="Third paper", **{field: payload.strip() or "x"})
    _report(data, ["a", "b", "c"])
    text, before, after = _round_trip(tmp_path, data)
    _assert_structure(text, 3)
    _assert_same(before, after)


@pytest.mark.parametrize(
    "title",
    [
        "## 论文详细信息",
        "### 9. A heading inside a title",
        "**摘要**: label-like title",
        "# One hash",
        "生成时间: 2020-01-01 00:00:00",
    ],
)
def test_structure_in_a_title_stays_a_title(tmp_path: Path, title: str) -> None:
    data = _data(tmp_path)
    _paper(data, "a", title=title, brief="简报。", abstract="Text.")
    _paper(data, "b", title="Another paper", brief=STRUCTURE[0], abstract=STRUCTURE[2])
    _report(data, ["a", "b"])
    text, before, after = _round_trip(tmp_path, data)
    _assert_structure(text, 2)
    _assert_same(before, after)


@pytest.mark.parametrize(
    "names",
    [
        ["University of California, Berkeley"],
        ["University of California", "Berkeley"],
        ["Berkeley", "University of California, Berkeley"],
        ["Institute of Computing Technology, Chinese Academy of Sciences", "HKU"],
        ["#1 Lab; Robotics and Vision 和 Learning"],
    ],
)
def test_institution_names_holding_separators_round_trip(tmp_path: Path, names: list[str]) -> None:
    data = _data(tmp_path)
    _paper(data, "a", title="A paper on names", institutions=names, abstract="Text.")
    _report(data, ["a"])
    text, before, after = _round_trip(tmp_path, data)
    _assert_structure(text, 1)
    if names == ["University of California", "Berkeley"]:
        # written the same as the one Berkeley campus: the fewest names win, as the test documents
        assert _carried(after, next(iter(after.reports)))[0][3] == ["ucb"]
        return
    _assert_same(before, after)


def test_a_report_time_with_an_offset_round_trips_in_utc(tmp_path: Path) -> None:
    data = _data(tmp_path)
    _paper(data, "a", title="A paper", brief=STRUCTURE[0])
    _report(data, ["a"], generated="2025-10-15 12:00:00+08:00")
    text, before, after = _round_trip(tmp_path, data)
    assert "生成时间: 2025-10-15 04:00:00" in text
    _assert_same(before, after)


def test_escaping_is_exactly_undone_line_by_line() -> None:
    lines = ["", "#", "##", " #", "   #", "    #", "\\#", "\\\\#", " \\#", "a#", "\\", "x \\##"]
    for line in lines:
        escaped = escape_prose(line)
        assert unescape_line(escaped) == line, line
        assert not re.match(r"^ {0,3}#", escaped), escaped


def test_the_cli_export_then_import_gives_the_same_records(tmp_path: Path) -> None:
    data = _data(tmp_path)
    _paper(
        data,
        "a",
        title="A paper",
        brief=STRUCTURE[0],
        abstract=STRUCTURE[3],
        institutions=["University of California, Berkeley"],
        author_count=2,
    )
    _report(data, ["a"])
    out = tmp_path / "out.md"
    runner = CliRunner()
    done = runner.invoke(main, ["export-report", "r", "--data", str(data), "-o", str(out)])
    assert done.exit_code == 0, done.output
    fresh = _data(tmp_path / "fresh")
    done = runner.invoke(main, ["import-report", str(out), "--data", str(fresh)])
    assert done.exit_code == 0, done.output
    _assert_same(load_collection(data), load_collection(fresh))
