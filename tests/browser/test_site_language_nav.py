"""The site in its language, in Chromium: every navigation label, heading and the search intro.

The Chinese build (the default) and the English one (`--language en`) each show their reader
pages under labels in their own language; the maintainers' English pages sit behind one entry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from browser_harness import Tab

pytestmark = pytest.mark.browser

NewTab = Callable[..., Tab]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")

ZH_NAV = ["首页", "搜索", "报告", "技术方向", "机构", "全部论文", "统计", "数据下载与引用"]
ZH_NAV += ["关于本站", "维护者文档"]
EN_NAV = ["Home", "Search", "Reports", "Techniques", "Institutions", "All papers"]
EN_NAV += ["Statistics", "Downloads and citations", "About", "For maintainers"]
MAINTAINER_PAGES = ["contributing", "records", "metadata", "briefs", "scholar", "pdf-ingestion"]
MAINTAINER_PAGES += ["making-a-report", "export-formats", "scale", "testing"]

# The sidebar's entries, each with its link, as the reader sees them.
_NAV_ITEMS = """() => [...document.querySelectorAll(
    '.md-nav--primary > .md-nav__list > .md-nav__item')].map(li => {
        const link = li.querySelector('a.md-nav__link');
        return [li.querySelector('.md-ellipsis').textContent.trim(),
                link ? link.getAttribute('href') : ''];
    })"""


def _nav(tab: Tab) -> list[tuple[str, str]]:
    tab.page.locator(".md-nav--primary .md-nav__item").first.wait_for(state="attached")
    return [(label, href) for label, href in tab.page.evaluate(_NAV_ITEMS)]


def _open_settled(tab: Tab, path: str) -> None:
    """Open a page; on the search page, wait until its index is loaded and the page is ready.

    Leaving the search page while it loads its index would abort those requests.
    """
    tab.open(path)
    tab.page.wait_for_function(
        "() => { const s = document.getElementById('pb-search');"
        " return !s || s.hasAttribute('data-ready'); }"
    )


def _h1(tab: Tab) -> str:
    return str(tab.page.locator("article h1").first.inner_text()).rstrip("¶").strip()


def test_every_nav_label_of_the_chinese_site_is_chinese(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("")
    nav = _nav(tab)
    assert [label for label, _ in nav] == ZH_NAV
    for label, _ in nav:
        assert not LATIN_WORD.search(label), label
    # every entry opens a page whose heading is Chinese too
    for label, href in nav[1:]:
        _open_settled(tab, re.sub(r"^(\./|\.\./)+", "", href) if href not in ("", ".") else "")
        heading = _h1(tab)
        assert CJK.search(heading) and not LATIN_WORD.search(heading), (label, heading)
        assert [item for item, _ in _nav(tab)] == ZH_NAV
    tab.assert_clean()


def test_maintainer_pages_sit_behind_one_entry(new_tab: NewTab) -> None:
    tab = new_tab()
    tab.open("maintainers/")
    assert _h1(tab) == "维护者文档"
    links = tab.page.eval_on_selector_all(
        "article table a", "els => els.map(e => e.getAttribute('href'))"
    )
    assert sorted(link.strip("./").split("/")[0] for link in links) == sorted(MAINTAINER_PAGES)
    tab.page.locator("article table a", has_text="Contributing a paper").click()
    tab.page.wait_for_url(re.compile(r"/contributing/$"))
    assert _h1(tab) == "Contributing a paper"
    # the English page is reachable, but the sidebar still lists only the reader's pages
    assert [label for label, _ in _nav(tab)] == ZH_NAV
    tab.assert_clean()


def test_the_english_site_is_english_throughout(new_en_tab: NewTab) -> None:
    tab = new_en_tab()
    tab.open("")
    nav = _nav(tab)
    assert [label for label, _ in nav] == EN_NAV
    assert _h1(tab) == "Paper Briefs"
    assert tab.page.title().startswith("Paper Briefs")
    header = str(tab.page.locator("header.md-header").inner_text())
    assert "Paper Briefs" in header and not CJK.search(header), header
    pages = [""] + [re.sub(r"^(\./|\.\./)+", "", href) for _, href in nav[1:]]
    for path in pages:
        _open_settled(tab, path)
        heading = _h1(tab)
        assert not CJK.search(heading), (path, heading)
        for part in ("nav.md-nav--primary", "header.md-header", "footer.md-footer"):
            text = str(tab.page.locator(part).first.inner_text())
            assert not CJK.search(text), (path, part, text)
    _open_settled(tab, "search/")
    intro = str(tab.page.locator("article p").first.inner_text())
    assert intro.startswith("Type English or Chinese terms"), intro
    tab.assert_clean()


def test_the_tab_forgives_only_requests_that_died_with_a_page_it_left(new_tab: NewTab) -> None:
    # Requests to /hang are held open (never answered), so each is pending for sure when it is
    # aborted: once by the page itself (a failure), once by the tab going to another page.
    tab = new_tab()
    tab.page.route("**/hang*", lambda route: None)
    tab.open("about/")
    with tab.page.expect_request("**/hang?1"):
        tab.page.evaluate(
            "() => { window.pbStop = new AbortController();"
            " fetch('/hang?1', { signal: window.pbStop.signal }).catch(() => null); }"
        )
    with tab.page.expect_event("requestfailed"):
        tab.page.evaluate("() => window.pbStop.abort()")
    assert [line for line in tab.failed if "/hang?1" in line], tab.failed
    with tab.page.expect_request("**/hang?2"):
        tab.page.evaluate("() => { fetch('/hang?2').catch(() => null); }")
    with tab.page.expect_event("requestfailed"):
        tab.open("")
    assert not [line for line in tab.failed if "/hang?2" in line], tab.failed
