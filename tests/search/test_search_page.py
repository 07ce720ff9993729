"""The search page in headless Chromium: header form, Chinese query, a filter that narrows."""

from __future__ import annotations

import pytest
from machine_tools import BROWSER_TIMEOUT_MS
from searchsite import QUANTIZATION_PAPERS

pytestmark = pytest.mark.browser


def test_header_search_lists_quantization_papers_and_a_filter_narrows_them(
    browser, served_site: str
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served_site)
    page.fill("input.md-search__input", "量化")
    page.press("input.md-search__input", "Enter")
    page.wait_for_selector("#pb-search[data-ready] .pb-search__result")
    links = page.locator(".pb-search__result-link")
    page.wait_for_function(
        f"document.querySelectorAll('.pb-search__result').length === {len(QUANTIZATION_PAPERS)}"
    )
    hrefs = {h.rstrip("/").split("/")[-1] for h in links.evaluate_all("a => a.map(x => x.href)")}
    assert hrefs == QUANTIZATION_PAPERS
    # The brief is the excerpt, as text: the hostile record's <script> shows, never runs.
    excerpts = page.locator(".pb-search__brief").all_inner_texts()
    assert any("<script>alert('brief')</script>" in e for e in excerpts)
    assert page.locator(".pb-search script").count() == 0
    assert page.input_value("input.pb-search__input") == "量化"

    page.get_by_label("训练后量化 (Post-Training Quantization)").check()
    page.wait_for_function("document.querySelectorAll('.pb-search__result').length === 1")
    assert links.first.get_attribute("href").rstrip("/").endswith("ptq-calib")
    # the chosen filter is in the address, so the narrowed search can be linked and reloaded
    assert "%E6%8A%80%E6%9C%AF%E6%96%B9%E5%90%91=" in page.url  # 技术方向=
    page.reload()
    page.wait_for_selector("#pb-search[data-ready]")
    page.wait_for_function("document.querySelectorAll('.pb-search__result').length === 1")
    assert page.get_by_label("训练后量化 (Post-Training Quantization)").is_checked()
    assert not errors, errors
    assert all(r.startswith(served_site) for r in requests), requests
    assert not any(r.endswith("search_index.json") for r in requests)
    # Pagefind's own UI is not loaded: the page is built on pagefind.js alone
    assert not any("pagefind-ui" in r for r in requests), requests


def test_the_search_page_works_from_the_keyboard_and_announces_the_count(
    browser, served_site: str
) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    page.goto(served_site + "search/")
    page.wait_for_selector("#pb-search[data-ready]")
    status = page.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    box = page.get_by_label("搜索论文")  # the box has a label, not only a placeholder
    box.focus()
    page.keyboard.type("量化")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('.pb-search__result').length === n",
        arg=len(QUANTIZATION_PAPERS),
    )
    assert status.inner_text() == f"找到 {len(QUANTIZATION_PAPERS)} 篇论文。"
    # Tab from the box to the PTQ filter and tick it with the space bar
    target = "训练后量化 (Post-Training Quantization)"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.value") == target:
            break
    else:
        raise AssertionError("Tab never reached the filter")
    page.keyboard.press("Space")
    page.wait_for_function("document.querySelectorAll('.pb-search__result').length === 1")
    assert status.inner_text() == "找到 1 篇论文。"
    assert "ptq-calib" in page.locator(".pb-search__result-link").get_attribute("href")
