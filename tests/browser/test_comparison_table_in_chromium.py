"""The comparison table of a technique page in Chromium: sorts by any column, from the keyboard too.

It runs on the site of the bundled data (its briefs follow the template), on the technique with
the most papers, and checks the order the table takes against the cells themselves: years as
numbers, Chinese text by the page's collation, parts a brief does not give always last.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_harness import Served, Tab
from machine_tools import BROWSER_TIMEOUT_MS

pytestmark = pytest.mark.browser

NewTab = Callable[..., Tab]
COLUMNS = ["论文", "方法", "解决的问题", "效果", "机构", "年份"]
YEAR, METHOD = 5, 1

# every row's value for a column as the script sorts it: data-sort, else the text
_VALUES = """column => [...document.querySelectorAll('.pb-sortable tbody tr')].map(row => {
    const cell = row.cells[column];
    const given = cell.getAttribute('data-sort');
    return (given !== null ? given : cell.textContent).trim();
})"""
_TITLES = """() => [...document.querySelectorAll('.pb-sortable tbody tr')]
    .map(row => row.cells[0].textContent.trim())"""
# the page's own collation, as a reader's browser orders Chinese text and numbers
_COLLATED = """values => {
    const c = new Intl.Collator(document.documentElement.lang, {numeric: true, sensitivity: 'base'});
    return [...values].sort(c.compare);
}"""


def _busiest_technique(site: Path) -> str:
    """Return the path of the technique page whose comparison table has the most rows."""
    best, rows = "", 0
    for page in sorted((site / "techniques").glob("*/index.html")):
        text = page.read_text(encoding="utf-8")
        table = text.split('class="pb-compare pb-sortable"', 1)[-1].split("</table>", 1)[0]
        count = table.count("<tr><td>")
        if count > rows:
            best, rows = f"techniques/{page.parent.name}/", count
    assert rows >= 2, "no technique page compares two papers"
    return best


def _sort(tab: Tab, column: int, *, key: str | None = None) -> None:
    """Press a heading's sort button (a click, or a key with focus) and wait for aria-sort."""
    header = tab.page.locator(".pb-sortable thead th").nth(column)
    before = header.get_attribute("aria-sort")
    button = header.locator("button.pb-sortable__button")
    if key is None:
        button.click()
    else:
        button.focus()
        tab.page.keyboard.press(key)
    expected = "descending" if before == "ascending" else "ascending"
    tab.page.wait_for_function(
        "([c, e]) => document.querySelectorAll('.pb-sortable thead th')[c]"
        ".getAttribute('aria-sort') === e",
        arg=[column, expected],
    )


def _check_order(tab: Tab, column: int, descending: bool) -> list[str]:
    values: list[str] = tab.page.evaluate(_VALUES, column)
    given = [v for v in values if v]
    # parts a brief does not give come last, whichever the direction
    assert values == given + [""] * (len(values) - len(given)), values
    collated: list[str] = tab.page.evaluate(_COLLATED, given)
    assert given == (collated[::-1] if descending else collated) or _same_runs(
        given, collated, descending
    ), (given, collated)
    return values


def _same_runs(given: list[str], collated: list[str], descending: bool) -> bool:
    """Equal values may sit in any order among themselves (ties keep the first order)."""
    order = collated[::-1] if descending else collated
    return [v.casefold() for v in given] == [v.casefold() for v in order]


def test_the_comparison_table_sorts_by_year_and_by_method(
    new_bundled_tab: NewTab, served_bundled: Served
) -> None:
    path = _busiest_technique(served_bundled.site)
    tab = new_bundled_tab()
    tab.open(path)
    headers = tab.page.locator(".pb-sortable thead th")
    assert [str(t).strip(" ↕▲▼") for t in headers.all_inner_texts()] == COLUMNS
    # the script made every heading a button; nothing is sorted yet
    assert tab.page.locator(".pb-sortable thead th button").count() == len(COLUMNS)
    assert tab.page.locator(".pb-sortable thead th[aria-sort]").count() == 0
    first = tab.page.evaluate(_TITLES)

    _sort(tab, YEAR)
    years = _check_order(tab, YEAR, descending=False)
    numbers = [int(y) for y in years if y]
    assert numbers == sorted(numbers)
    _sort(tab, YEAR)
    years = _check_order(tab, YEAR, descending=True)
    numbers = [int(y) for y in years if y]
    assert numbers == sorted(numbers, reverse=True)
    assert tab.page.locator(".pb-sortable thead th[aria-sort]").count() == 1

    # from the keyboard: Enter on the focused heading, then Space to reverse
    _sort(tab, METHOD, key="Enter")
    ascending = _check_order(tab, METHOD, descending=False)
    assert any(re.search(r"[\u4e00-\u9fff]", v) for v in ascending)
    _sort(tab, METHOD, key="Space")
    _check_order(tab, METHOD, descending=True)
    year_header = tab.page.locator(".pb-sortable thead th").nth(YEAR)
    assert year_header.get_attribute("aria-sort") is None
    # sorting moves rows; it neither loses nor duplicates one
    assert sorted(tab.page.evaluate(_TITLES)) == sorted(first)
    tab.shot("comparison-table")
    tab.assert_clean()


def test_the_table_reads_without_javascript(browser: Any, served_bundled: Served) -> None:
    path = _busiest_technique(served_bundled.site)
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto(served_bundled.base + path, wait_until="load")
        table = page.locator(".pb-sortable table")
        assert table.is_visible()
        assert [t.strip() for t in table.locator("thead th").all_inner_texts()] == COLUMNS
        assert table.locator("thead button").count() == 0
        rows = table.locator("tbody tr")
        assert rows.count() >= 2
        for row in rows.all():
            cells = [c.strip() for c in row.locator("td").all_inner_texts()]
            assert len(cells) == len(COLUMNS) and all(cells), cells
    finally:
        context.close()
