"""The all-papers list as a reader meets it: newest first version first, then title; no blank cell."""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render.context import RenderContext, RenderSettings
from generator.site.render.listings import render_indexes

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
ROW = re.compile(r"<tr><td>(.*?)</td></tr>", re.S)


def _papers_page(data: Path, language: str = "zh") -> str:
    model = index_site(load_collection(data))
    pages = render_indexes(
        RenderContext(model, RenderSettings(language=language, page_size=10_000))
    )
    return next(p.text for p in pages if p.path == "papers/index.md")


def _rows(page: str) -> list[list[str]]:
    return [row.split("</td><td>") for row in ROW.findall(page)]


def _href(cell: str) -> str:
    found = re.search(r'href="([^"]+)/"', cell)
    assert found, cell
    return found.group(1)


def test_fixture_papers_come_newest_first_version_first() -> None:
    page = _papers_page(FIXTURE_DATA)
    rows = _rows(page)
    # dated first (2025-10-01), then by year (2025, 2024), then unknown; untitled last of those
    assert [_href(r[0]) for r in rows] == [
        "quant-llm",
        "ptq-calib",
        "hostile",
        "kv-evict",
        "untitled-sparse",
    ]
    assert [r[2] for r in rows] == ["2025-10-01", "2025", "2024", "未知", "未知"]
    assert "<th>首版日期</th>" in page and "按首版日期从新到旧排列" in page


def test_no_cell_is_left_blank_unexplained() -> None:
    for language, unknown, legend in (
        ("zh", "未知", "表示尚无引用数据"),
        ("en", "unknown", "means no"),
    ):
        page = _papers_page(FIXTURE_DATA, language)
        cells = [cell for row in _rows(page) for cell in row]
        assert all(cell.strip() for cell in cells), page
        untitled = next(r for r in _rows(page) if _href(r[0]) == "untitled-sparse")
        assert untitled[1] == unknown  # no institution known
        assert "—" in cells and legend in page.split("</table>", 1)[1]


def test_the_sample_list_is_ordered_by_date_then_title() -> None:
    """The issue's complaint: sorted by id, 'On-the-Fly…' sat between CIMNAS and 'Distillation…'."""
    rows = _rows(_papers_page(ROOT / "data"))
    collection = load_collection(ROOT / "data")
    assert len(rows) == len(collection.papers)
    keys = []
    for row in rows:
        paper = collection.papers[_href(row[0])]
        published = paper.record.published
        year = published.year if published else paper.record.year or 0
        keys.append((year, published or date.min, (paper.record.title or "").casefold()))
        assert row[2] == (published.isoformat() if published else str(paper.record.year))
    for newer, older in itertools.pairwise(keys):
        assert newer[:2] >= older[:2], (newer, older)
        if newer[:2] == older[:2]:
            assert newer[2] <= older[2], (newer, older)
    assert keys != sorted(keys, key=lambda k: k[2])  # not merely alphabetical
