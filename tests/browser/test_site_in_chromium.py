"""The built fixture site in headless Chromium: loads clean, searches, filters, cites, fits a phone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from browser_harness import Served, Tab

pytestmark = pytest.mark.browser

NewTab = Callable[..., Tab]
PHONE = (390, 844)


def _result_links(tab: Tab) -> list[str]:
    return tab.page.eval_on_selector_all(
        ".pb-search__result-link", "els => els.map(e => e.getAttribute('href'))"
    )


def _wait_for_results(tab: Tab, at_least: int = 1) -> list[str]:
    tab.page.wait_for_function(
        "n => document.querySelectorAll('.pb-search__result-link').length >= n", arg=at_least
    )
    return _result_links(tab)


def test_home_page_loads_clean_and_stays_on_the_site(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("")
    assert tab.page.locator("h1").first.inner_text().rstrip("¶") == "论文简报"
    tab.shot("home")
    tab.assert_clean()


def test_searching_the_chinese_label_lists_the_quantization_papers(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("")
    # the header box leads to the search page with the query
    box = tab.page.locator("form.md-search__form input[name=q]")
    box.fill("量化")
    with tab.page.expect_navigation():
        box.press("Enter")
    links = _wait_for_results(tab, 3)
    papers = sorted(re.sub(r"^.*/papers/([^/]+)/.*$", r"\1", link) for link in links)
    # quant-llm and hostile are tagged 量化; ptq-calib through its parent technique
    assert papers == ["hostile", "ptq-calib", "quant-llm"]
    tab.shot("search-quantization")
    tab.assert_clean()


def test_a_technique_filter_narrows_the_results(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("search/?q=%E9%87%8F%E5%8C%96")  # 量化
    before = _wait_for_results(tab, 3)
    # Every filter group is offered, however the search raced the loading of the filters
    # (a search that ran first used to lose the groups whose chunks were still loading).
    tab.page.wait_for_selector("#pb-search[data-ready]")
    groups = tab.page.locator(".pb-search__filter-name").all_inner_texts()
    assert sorted(groups) == sorted(["技术方向", "机构", "年份", "报告"]), groups
    label = tab.page.locator(".pb-search__filter-label", has_text="Post-Training Quantization")
    label.first.evaluate("l => { l.closest('details').open = true; }")
    label.first.click()
    # Results re-render after a filter change (briefly none): wait for the narrowed list.
    tab.page.wait_for_function(
        """n => {
          const links = document.querySelectorAll('.pb-search__result-link');
          return links.length > 0 && links.length < n;
        }""",
        arg=len(before),
    )
    after = _result_links(tab)
    assert len(after) == 1 and "/papers/ptq-calib/" in after[0]
    tab.shot("search-filtered")
    tab.assert_clean()


def test_paper_page_shows_brief_links_and_cite_copies_bibtex(
    new_tab: NewTab, served: Served
) -> None:
    tab = new_tab(permissions=["clipboard-read", "clipboard-write"])
    tab.open("papers/quant-llm/")
    page = tab.page
    brief = page.locator("article p", has_text="清华大学与北京大学发布了QuantLLM论文")
    assert brief.first.is_visible()
    # the arXiv link shows the id itself (readers and search see it)
    for name in ("arXiv:2510.01234", "DOI", "PDF", "代码"):
        assert page.get_by_role("link", name=name, exact=True).is_visible(), name
    arxiv = page.get_by_role("link", name="arXiv:2510.01234", exact=True)
    assert arxiv.get_attribute("href") == (
        "https://arxiv.org/abs/2510.01234"
    )
    button = page.locator("button.pb-cite__button")
    assert button.is_visible()
    button.click()
    page.wait_for_function("() => document.querySelector('.pb-cite__status').textContent !== ''")
    assert page.locator(".pb-cite__status").inner_text() == "已复制 BibTeX"
    copied = page.evaluate("() => navigator.clipboard.readText()")
    bib = (served.site / "exports" / "papers.bib").read_text(encoding="utf-8")
    assert copied.startswith("@inproceedings{quant-llm,") and copied in bib
    tab.shot("paper")
    tab.assert_clean()


def test_cite_without_clipboard_access_selects_the_entry(new_tab: NewTab) -> None:
    tab = new_tab()  # no clipboard permission: writeText is refused
    tab.open("papers/ptq-calib/")
    tab.page.evaluate(
        "() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }"
    )
    tab.page.locator("button.pb-cite__button").click()
    tab.page.wait_for_function("() => String(window.getSelection()).startsWith('@misc{')")
    assert "无法写入剪贴板" in tab.page.locator(".pb-cite__status").inner_text()
    tab.assert_clean()


def test_hostile_paper_page_runs_nothing(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("papers/hostile/")
    assert "T</title><script>alert(1)</script>" in tab.page.locator("h1").first.inner_text()
    assert (
        tab.page.evaluate("() => document.querySelectorAll('article script, article img').length")
        == 0
    )
    tab.page.locator("button.pb-cite__button").click()
    tab.assert_clean()


def test_feeds_are_linked_in_the_head_and_on_the_page(new_tab: NewTab) -> None:
    tab = new_tab()
    for path, feed in (
        ("", "feeds/reports.xml"),
        ("techniques/quantization/", "feeds/techniques/quantization.xml"),
    ):
        tab.open(path)
        alternates = tab.page.eval_on_selector_all(
            "link[rel=alternate][type='application/rss+xml']", "els => els.map(e => e.href)"
        )
        assert tab.base + feed in alternates, alternates
        visible = tab.page.get_by_role("link", name="RSS", exact=True)
        assert visible.is_visible() and visible.evaluate("e => e.href") == tab.base + feed
        response = tab.page.request.get(tab.base + feed)
        assert response.ok and b"<rss" in response.body()
    tab.assert_clean()


PHONE_PAGES = (
    "",
    "papers/hostile/",
    "statistics/",
    "search/?q=%E9%87%8F%E5%8C%96",
    "reports/report-2025-10-15/",
)


def test_layout_holds_on_a_phone(new_tab: NewTab) -> None:
    tab = new_tab(viewport=PHONE, mobile=True)
    overflowing = {}
    for path in PHONE_PAGES:
        tab.open(path)
        if path.startswith("search/"):
            _wait_for_results(tab, 1)
        scroll, inner = tab.page.evaluate(
            "() => [document.documentElement.scrollWidth, window.innerWidth]"
        )
        tab.shot("phone-" + (re.sub(r"[^a-z0-9]+", "-", path.split("?")[0]).strip("-") or "home"))
        if scroll > inner:
            overflowing[path or "home"] = (scroll, inner)
    assert overflowing == {}
    tab.assert_clean()


def test_statistics_charts_follow_the_dark_scheme(new_tab: NewTab) -> None:
    tab = new_tab(color_scheme="dark")
    tab.open("statistics/")
    colours: dict[str, Any] = tab.page.evaluate(
        """() => {
          const style = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
          return {
            scheme: document.body.getAttribute('data-md-color-scheme'),
            text: style('.md-typeset', 'color'),
            background: style('body', 'backgroundColor'),
            value: style('.pb-chart__value', 'fill'),
            label: style('.pb-chart__label', 'fill'),
            charts: document.querySelectorAll('svg.pb-chart').length,
            tables: document.querySelectorAll('article table').length,
          };
        }"""
    )
    tab.shot("statistics-dark")
    assert colours["scheme"] == "slate"
    assert colours["charts"] == 5 and colours["tables"] == 5
    assert colours["value"] == colours["text"]  # numbers in the page's text colour
    assert colours["label"] != colours["background"]
    tab.assert_clean()
