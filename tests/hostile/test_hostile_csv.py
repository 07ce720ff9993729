"""papers.csv holds no formula however a spreadsheet splits it: `,` `;` tab or `|`, quotes or not."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site
from generator.site.render.exports import CSV_PATH, csv_cell

FORMULAS = [
    "=1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "＝1+1",
    '=HYPERLINK("http://evil.example","x")',
]
SEPARATORS = [";", ",", "|", "; ", ", ", ';"', '; "', "\t"]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_formula_after_any_separator_is_neutralised(formula: str, separator: str) -> None:
    cell = csv_cell(f"Harmless{separator}{formula}")
    for delimiter in (",", ";", "\t", "|"):
        for piece in cell.split(delimiter):
            assert not piece.lstrip(' "').startswith(tuple("=+-@＝＋－＠")), (cell, delimiter)
    assert formula[1:] in cell  # the text stays, behind a '


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("a; =1", "a; '=1"),
        ("a;=1", "a;'=1"),
        ("a|@x", "a|'@x"),
        ("a, -1", "a, '-1"),
        ("2025-10-15", "2025-10-15"),  # a hyphen inside a word or number starts nothing
        ("e-mail, x", "e-mail, x"),
        ("a =1", "a =1"),  # a space is no separator
        ("=1", "'=1"),
        ("'=1", "'=1"),  # already neutral
    ],
)
def test_csv_cells_keep_their_text(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


def _write(data: Path, payload: str) -> None:
    q = json.dumps
    url = "https://example.org/a.pdf?x=1;" + payload.replace(" ", "").replace('"', "%22").replace(
        "'", "%27"
    )
    (data / "papers" / "p.yaml").write_text(
        f"title: {q('Title ' + payload)}\nauthors: [{q('Ada; ' + payload)}, {q(payload)}]\n"
        f"venue: {q('Venue|' + payload)}\ntldr: {q('Summary, ' + payload)}\n"
        f"brief: {q('简报；' + payload)}\ninstitutions: [HKU, PKU]\nadded: 2025-10-15\n"
        f"links: {{pdf: {q(url)}}}\n",
        "utf-8",
    )


@pytest.mark.parametrize("formula", FORMULAS)
def test_papers_csv_read_with_every_delimiter_holds_no_formula(
    data_dir: Path, formula: str
) -> None:
    _write(data_dir, formula)
    collection = load_collection(data_dir)
    text = next(
        p.text for p in render_site(index_site(collection), RenderSettings()) if p.path == CSV_PATH
    )
    found = []
    for delimiter in (",", ";", "\t", "|"):
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            rows = csv.reader(
                io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, quoting=quoting
            )
            found += [
                (delimiter, quoting, cell)
                for row in rows
                for cell in row
                if cell.lstrip(' "').startswith(tuple("=+-@＝＋－＠"))
            ]
    assert not found, found
    # read as written (commas, quotes honoured), every cell is whole and holds its text
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert row[header.index("title")] == f"Title {formula}"  # a space is no separator
    assert row[header.index("authors")].startswith(f"Ada; '{formula}")
