"""Parse and write the Markdown report format of the sample report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from generator.errors import ImportFailed

BRIEFS_HEADING = "## 论文技术简报"
DETAILS_HEADING = "## 论文详细信息"
GENERATED_LABEL = "生成时间: "
COUNT_LABEL = "分析论文数量: "
INSTITUTIONS_LABEL = "**主要机构**: "
AUTHORS_LABEL = "**作者数量**: "
ABSTRACT_LABEL = "**摘要**:"
INSTITUTION_SEPARATOR = ", "  # between the English names the export writes
# A report file is a few hundred kilobytes; a bigger one is not a report.
REPORT_SIZE_CAP = 16 * 1024 * 1024

_ENTRY = re.compile(r"^### (\d+)\. ?(.*)$")
# A prose line (brief, abstract) that this format or Markdown would read as a heading: `#` after
# at most three spaces, behind any backslashes. The export writes one more backslash before the
# `#`, the import takes one away, so every line comes back as it was and none becomes structure.
_HEADING_LIKE = re.compile(r"^( {0,3})(\\*#)")
_ESCAPED_HEADING = re.compile(r"^( {0,3})\\(\\*#)")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def escape_prose(text: str) -> str:
    """Return prose for the report: line breaks as \\n, heading-like lines behind a backslash."""
    return "\n".join(_HEADING_LIKE.sub(r"\1\\\2", line) for line in _LINE_BREAK.split(text))


def unescape_line(line: str) -> str:
    """Undo escape_prose on one line."""
    return _ESCAPED_HEADING.sub(r"\1\2", line)


@dataclass
class ReportEntry:
    """One paper as the report prints it (text exactly as found)."""

    number: int
    brief_title: str | None = None
    brief: str | None = None
    brief_line: int = 0
    detail_title: str | None = None
    institutions: str | None = None
    author_count: int | None = None
    abstract: str | None = None
    detail_line: int = 0


@dataclass
class ParsedReport:
    """A report in the sample's format."""

    title: str
    generated: datetime
    declared_count: int | None
    entries: list[ReportEntry] = field(default_factory=list)
    brief_numbers: list[int] = field(default_factory=list)
    detail_numbers: list[int] = field(default_factory=list)


def _blank_to_none(text: str) -> str | None:
    text = text.strip()
    return text or None


def parse_report(text: str, *, path: str = "<report>") -> ParsedReport:
    """Parse report Markdown, raising ImportFailed with a line number on malformed input."""
    lines = text.replace("\r\n", "\n").split("\n")

    def fail(lineno: int, message: str) -> ImportFailed:
        return ImportFailed(f"{path}:{lineno}: {message}")

    if not lines or not lines[0].startswith("# "):
        raise fail(1, "expected the report title as '# Title' on the first line")
    title = lines[0][2:].strip()
    if not title:
        raise fail(1, "the report title is empty")
    generated: datetime | None = None
    declared: int | None = None
    i = 1
    while i < len(lines) and not lines[i].startswith("## "):
        line = lines[i].strip()
        if line.startswith(GENERATED_LABEL.strip()):
            value = line.split(":", 1)[1].strip()
            try:
                generated = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                raise fail(
                    i + 1,
                    f"cannot read the generation time {value!r}; expected YYYY-MM-DD HH:MM:SS",
                ) from None
        elif line.startswith(COUNT_LABEL.strip()):
            match = re.fullmatch(r"(\d+)\s*篇?", line.split(":", 1)[1].strip())
            if not match:
                raise fail(i + 1, "cannot read the paper count; expected e.g. '分析论文数量: 28篇'")
            declared = int(match.group(1))
        elif line:
            raise fail(i + 1, f"unexpected line before the first section: {line[:60]!r}")
        i += 1
    if generated is None:
        raise fail(2, f"missing the '{GENERATED_LABEL.strip()} YYYY-MM-DD HH:MM:SS' line")
    report = ParsedReport(title=title, generated=generated, declared_count=declared)
    entries: dict[int, ReportEntry] = {}
    section: str | None = None
    current: ReportEntry | None = None
    body: list[tuple[int, str]] = []

    def close_entry() -> None:
        if current is None:
            return
        if section == "briefs":
            current.brief = _blank_to_none("\n".join(unescape_line(t) for _, t in body))
        else:
            _read_details(current, body, fail)

    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        if line.startswith("## "):
            close_entry()
            current, body = None, []
            heading = line.strip()
            if heading == BRIEFS_HEADING:
                if section is not None:
                    raise fail(lineno, f"'{BRIEFS_HEADING}' must come first and only once")
                section = "briefs"
            elif heading == DETAILS_HEADING:
                if section == "details":
                    raise fail(lineno, f"'{DETAILS_HEADING}' appears twice")
                section = "details"
            else:
                raise fail(
                    lineno,
                    f"unknown section {heading!r}; expected '{BRIEFS_HEADING}' or '{DETAILS_HEADING}'",
                )
        elif line.startswith("### "):
            close_entry()
            body = []
            match = _ENTRY.match(line)
            if not match:
                raise fail(lineno, "expected a paper heading like '### 3. Title'")
            if section is None:
                raise fail(lineno, "paper heading before any section heading")
            number = int(match.group(1))
            paper_title = _blank_to_none(match.group(2))
            current = entries.setdefault(number, ReportEntry(number=number))
            if section == "briefs":
                if number in report.brief_numbers:
                    raise fail(lineno, f"paper {number} appears twice in the briefs")
                report.brief_numbers.append(number)
                current.brief_title, current.brief_line = paper_title, lineno
            else:
                if number in report.detail_numbers:
                    raise fail(lineno, f"paper {number} appears twice in the details")
                report.detail_numbers.append(number)
                current.detail_title, current.detail_line = paper_title, lineno
        else:
            if current is None and line.strip():
                raise fail(lineno, f"text outside any paper: {line.strip()[:60]!r}")
            body.append((lineno, line))
        i += 1
    close_entry()
    if section is None:
        raise fail(len(lines), f"no '{BRIEFS_HEADING}' or '{DETAILS_HEADING}' section found")
    report.entries = [entries[n] for n in sorted(entries)]
    return report


def _read_details(entry: ReportEntry, body: list[tuple[int, str]], fail: object) -> None:
    abstract_lines: list[str] | None = None
    for lineno, line in body:
        if abstract_lines is not None:
            abstract_lines.append(unescape_line(line))
        elif line.startswith(INSTITUTIONS_LABEL.strip()):
            entry.institutions = _blank_to_none(line.split(":", 1)[1])
        elif line.startswith(AUTHORS_LABEL.strip()):
            value = line.split(":", 1)[1].strip()
            if value:
                match = re.fullmatch(r"(\d+)\s*人?", value)
                if not match:
                    assert callable(fail)
                    raise fail(
                        lineno, f"cannot read the author count {value!r}; expected e.g. '6人'"
                    )
                entry.author_count = int(match.group(1))
        elif line.startswith(ABSTRACT_LABEL):
            rest = line[len(ABSTRACT_LABEL) :].strip()
            abstract_lines = [rest] if rest else []
        elif line.strip():
            assert callable(fail)
            raise fail(
                lineno,
                f"unexpected line in the details of paper {entry.number}: {line.strip()[:60]!r}",
            )
    if abstract_lines is not None:
        entry.abstract = _blank_to_none("\n".join(abstract_lines))


@dataclass(frozen=True)
class ExportEntry:
    """One paper as the exporter prints it."""

    title: str | None
    brief: str | None
    institutions: str | None
    author_count: int | None
    abstract: str | None


def format_report(title: str, generated: datetime, entries: list[ExportEntry]) -> str:
    """Write a report in the sample's Markdown format."""
    out = [
        f"# {title}",
        f"{GENERATED_LABEL}{generated:%Y-%m-%d %H:%M:%S}",
        f"{COUNT_LABEL}{len(entries)}篇",
        "",
    ]
    out += [BRIEFS_HEADING, ""]
    for n, entry in enumerate(entries, 1):
        out += [f"### {n}. {entry.title or ''}", "", escape_prose(entry.brief or ""), ""]
    out += [DETAILS_HEADING, ""]
    for n, entry in enumerate(entries, 1):
        count = f"{entry.author_count}人" if entry.author_count else ""
        out += [
            f"### {n}. {entry.title or ''}",
            "",
            f"{INSTITUTIONS_LABEL}{entry.institutions or ''}",
            f"{AUTHORS_LABEL}{count}",
            "",
            ABSTRACT_LABEL,
            escape_prose(entry.abstract or ""),
            "",
        ]
    return "\n".join(out).rstrip("\n") + "\n"
