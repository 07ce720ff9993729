"""papers.json and papers.csv: documented fields, stable order, CSV safe in spreadsheets."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site
from generator.site.render.exports import CSV_COLUMNS, CSV_PATH, JSON_PATH, csv_cell

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    model = index_site(load_collection(FIXTURE_DATA))
    return {p.path: p.text for p in render_site(model, RenderSettings(language="zh"))}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'=1"),  # white space is collapsed first, so the = is what leads
        ("a =1", "a =1"),
        (None, ""),
        (42, "42"),
        ("two\nlines", "two lines"),
    ],
)
def test_csv_cells_never_start_a_formula(value: object, cell: str) -> None:
    assert csv_cell(value) == cell


def test_json_lists_every_paper_with_the_documented_fields(files: dict[str, str]) -> None:
    text = files[JSON_PATH]
    assert not set("<>&") & set(text)
    data = json.loads(text)
    assert data["schema"] == "paperbrief/papers" and data["version"] == 1
    assert data["count"] == len(data["papers"]) == 5
    assert [p["id"] for p in data["papers"]] == [
        "ptq-calib",
        "hostile",
        "quant-llm",
        "kv-evict",
        "untitled-sparse",
    ]
    documented = (ROOT / "docs" / "export-formats.md").read_text(encoding="utf-8")
    for paper in data["papers"]:
        for field in paper:
            assert f"| `{field}` |" in documented, field
    quant = next(p for p in data["papers"] if p["id"] == "quant-llm")
    assert quant["url"] == "https://example.github.io/paperbrief/papers/quant-llm/"
    assert quant["institutions"][0]["id"] == "tsinghua-university"
    assert quant["techniques"] == [{"id": "quantization", "en": "Quantization", "zh": "量化"}]
    assert quant["links"]["arxiv"] == "2510.01234"
    assert quant["citations"]["count"] == 42 and quant["citations"]["as_of"] == "2025-11-05"
    assert quant["brief_source"] == "record"
    hostile = next(p for p in data["papers"] if p["id"] == "hostile")
    # plain text as recorded (JSON escapes keep the file inert, parsers read the characters)
    assert hostile["title"].startswith("T</title><script>alert(1)</script>")
    assert hostile["brief_source"] == "generated" and hostile["brief_model"] == "<b>model</b>"
    untitled = next(p for p in data["papers"] if p["id"] == "untitled-sparse")
    assert untitled["title"] is None


def test_csv_round_trips_with_the_documented_columns(files: dict[str, str]) -> None:
    text = files[CSV_PATH]
    assert text.startswith("\ufeff")
    assert re.search(r"[^\r]\n", text) is None  # every line ends in CRLF
    rows = list(csv.DictReader(io.StringIO(text[1:], newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    documented = (ROOT / "docs" / "export-formats.md").read_text(encoding="utf-8")
    assert ", ".join(f"`{c}`" for c in CSV_COLUMNS) in " ".join(documented.split())
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == 5
    quant = by_id["quant-llm"]
    assert quant["authors"] == "Wei Zhang; Li Na; John Smith"
    assert quant["technique_ids"] == "quantization"
    assert quant["citations"] == "42"
    assert by_id["untitled-sparse"]["title"] == ""
    for row in rows:
        for value in row.values():
            assert not re.match(r"[=+\-@\t\r]", value), value
            assert "\n" not in value


def test_bib_files_per_report_and_for_everything(files: dict[str, str]) -> None:
    everything = files["exports/papers.bib"]
    # entries only: nothing stands outside them (BibTeX would read an `@` there as an entry)
    assert everything.startswith("@") and everything.count("\n@") == 4
    report = files["exports/reports/report-2025-10-15.bib"]
    keys = re.findall(r"^@\w+\{([a-z0-9-]+),$", report, re.MULTILINE)
    assert keys == ["quant-llm", "kv-evict", "untitled-sparse"]  # report order


def test_exports_are_deterministic() -> None:
    def render() -> dict[str, str]:
        model = index_site(load_collection(FIXTURE_DATA))
        return {
            p.path: p.text
            for p in render_site(model, RenderSettings(language="zh"))
            if p.path.startswith("exports/")
        }

    assert render() == render()
