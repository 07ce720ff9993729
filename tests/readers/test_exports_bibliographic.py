"""papers.json and papers.csv carry the bibliographic fields: authors, dates, venue status, links."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site
from generator.site.render.exports import CSV_COLUMNS, CSV_PATH, JSON_PATH

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "site-data"


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    model = index_site(load_collection(FIXTURE_DATA))
    return {p.path: p.text for p in render_site(model, RenderSettings(language="zh"))}


def test_exports_carry_the_bibliographic_fields(files: dict[str, str]) -> None:
    papers = {p["id"]: p for p in json.loads(files[JSON_PATH])["papers"]}
    quant = papers["quant-llm"]
    assert quant["authors"] == ["Wei Zhang", "Li Na", "John Smith"]
    assert quant["author_count"] == 3
    assert (quant["published"], quant["year"]) == ("2025-10-01", 2026)
    assert (quant["venue"], quant["venue_status"]) == ("ICLR 2026", "published")
    assert quant["arxiv_category"] == "cs.LG"
    assert quant["links"] == {
        "arxiv": "2510.01234",
        "doi": "10.1145/3600006.3613165",
        "pdf": "https://arxiv.org/pdf/2510.01234",
        "code": "https://github.com/example/quantllm",
        "project": None,
    }
    assert quant["sources"] is None  # every fact from arXiv: nothing to say
    assert papers["hostile"]["sources"] == {
        "venue": "<script>alert(8)</script> {{ 7*7 }} [x](javascript:alert(9))"
    }
    # the arXiv PDF stands in when the record gives no PDF link
    assert papers["hostile"]["links"]["pdf"] == "https://arxiv.org/pdf/2401.00001"
    kv = papers["kv-evict"]
    assert (kv["published"], kv["venue_status"], kv["arxiv_category"]) == (None, None, None)
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(files[CSV_PATH][1:], newline=""))}
    assert CSV_COLUMNS[-3:] == ("published", "venue_status", "arxiv_category")
    row = rows["quant-llm"]
    assert (row["published"], row["year"], row["venue"], row["venue_status"]) == (
        "2025-10-01",
        "2026",
        "ICLR 2026",
        "published",
    )
    assert (row["arxiv"], row["arxiv_category"]) == ("2510.01234", "cs.LG")
    assert rows["kv-evict"]["venue_status"] == ""
