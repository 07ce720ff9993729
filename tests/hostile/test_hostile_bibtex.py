"""No record text reaches a .bib file outside an entry's braces, or closes an entry early.

Every .bib the site writes is read as BibTeX 0.99 reads it (tests/bibtex_reader.py): an `@`
anywhere outside an entry starts one, so the file must hold exactly the entries written, with
unique keys, nothing between them, and balanced braces in every value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bibtex_reader import bib_problems, read_bib
from hostile_build import HostileSite
from hostile_payloads import BIBTEX_REPORT_TITLE, LINE_PAYLOADS, write_hostile_data

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

INJECTIONS = [
    BIBTEX_REPORT_TITLE,
    '@misc(cast, title="Retracted")',
    "@misc{cast, title = {Retracted}}",
    "} @misc{cast, title = {Retracted}}",
    "}} @misc{cast, title = {Retracted}",
    "@comment{ @misc{cast, title={x}} }",
    '@string{ title = "Retracted" }',
    "@preamble{ \\immediate\\write18{touch /tmp/pwned} }",
    "%\n@misc{cast,",
    "{{{{",
    "}}}}",
    "\\}",
    "\\{ @misc{cast,",
    '" # "Retracted',
    "title = {x}, url = {http://evil.example}",
]


def _write(data: Path, report_title: str, paper_text: str) -> None:
    import json

    q = json.dumps
    (data / "papers" / "cast.yaml").write_text(
        f"title: {q('Real paper ' + paper_text)}\nauthors: [{q('Ada ' + paper_text)}, Bob]\n"
        f"venue: {q('ICLR ' + paper_text)}\nadded: 2025-10-15\n"
        "links: {arxiv: '2509.26328', pdf: 'https://example.org/a.pdf'}\n",
        "utf-8",
    )
    (data / "papers" / "other.yaml").write_text(
        f"title: {q('Other ' + paper_text)}\nadded: 2025-10-14\n", "utf-8"
    )
    (data / "reports" / "r.yaml").write_text(
        f"title: {q(report_title)}\ngenerated: 2025-10-15 10:00:00\npapers: [cast, other]\n",
        "utf-8",
    )


def _bib_files(data: Path) -> dict[str, str]:
    collection = load_collection(data)
    pages = render_site(index_site(collection), RenderSettings())
    return {p.path: p.text for p in pages if p.path.endswith(".bib")}


@pytest.mark.parametrize("payload", INJECTIONS)
def test_every_bib_file_holds_exactly_its_entries(data_dir: Path, payload: str) -> None:
    one_line = " ".join(payload.split())
    _write(data_dir, "AI推理加速 " + one_line, one_line)
    files = _bib_files(data_dir)
    assert set(files) == {"exports/papers.bib", "exports/reports/r.bib"}
    assert bib_problems(files["exports/papers.bib"], ["cast", "other"]) == []
    assert bib_problems(files["exports/reports/r.bib"], ["cast", "other"]) == []
    # the entry still carries the text, as text
    (entry, _other) = read_bib(files["exports/reports/r.bib"]).entries
    assert entry.kind in {"inproceedings", "misc"} and "Real paper" in entry.fields["title"]


def test_the_report_title_never_reaches_its_bib_file(data_dir: Path) -> None:
    _write(data_dir, BIBTEX_REPORT_TITLE, "x")
    text = _bib_files(data_dir)["exports/reports/r.bib"]
    assert "Retracted" not in text and "AI推理加速" not in text
    assert text.startswith("@")


def test_the_hostile_data_gives_bib_files_bibtex_reads_as_written(tmp_path: Path) -> None:
    data = write_hostile_data(tmp_path)
    collection = load_collection(data)
    files = _bib_files(data)
    assert len(files) == 1 + len(collection.reports)
    all_ids = sorted(collection.papers)
    for path, text in files.items():
        found = read_bib(text)
        assert bib_problems(text) == [], path
        if path == "exports/papers.bib":
            assert sorted(found.keys) == all_ids
        else:
            report_id = path.rsplit("/", 1)[1].removesuffix(".bib")
            assert sorted(found.keys) == sorted(collection.reports[report_id].record.papers)


def test_the_reader_finds_what_bibtex_finds_in_the_old_header() -> None:
    # the file paperbrief wrote before issue 17: the report title on a `%` line
    old = f"% site: {BIBTEX_REPORT_TITLE}\n\n@misc{{cast,\n  title = {{{{Real}}}},\n}}\n"
    found = read_bib(old)
    assert found.keys == ["cast", "cast"]
    assert any("Repeated entry 'cast'" in p for p in found.problems)
    assert any("after other text on its line" in p for p in found.problems)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("@misc{a, title = {x}}}\n", "text between entries"),
        ("@misc{a, title = {x}\n", "expecting"),
        ("@misc{a, title = {x}}\n@misc{A, title = {y}}\n", "Repeated entry"),
        ("@comment{ @misc{b, title={x}} }\n", "after other text"),
        ('@misc{a, title = "x}"}\n', "closes a brace"),
        ("@misc{a, title = {x}, title = {y}}\n", "appears twice"),
    ],
)
def test_the_reader_reports_what_bibtex_would(text: str, problem: str) -> None:
    assert any(problem in p for p in bib_problems(text)), bib_problems(text)


@pytest.mark.slow
def test_every_bib_file_of_the_hostile_build_reads_as_written(hostile_site: HostileSite) -> None:
    assert hostile_site.run.returncode == 0, hostile_site.run.stderr[-2000:]
    files = sorted(hostile_site.site.rglob("*.bib"))
    assert len(files) >= 4
    for path in files:
        text = path.read_text("utf-8")
        assert bib_problems(text) == [], path
        assert "pbx37" not in "".join(read_bib(text).between)


def test_the_payloads_include_bibtex_injections() -> None:
    assert sum("@" in p for p in LINE_PAYLOADS) >= 4
