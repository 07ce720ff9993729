"""Reused pages outside the navigation never reach MkDocs' page processing.

PageReuse marks them excluded in on_files: MkDocs makes no page object for them and converts
and renders nothing, while the build takes from the manifest what MkDocs would have made of
them (sitemap entries, Material's search entries, Pagefind articles, anchors). The site must
still be a clean build's, byte for byte.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from buildproject import Project, differences

from generator.site import build as build_module
from generator.site.incremental import (
    InOrder,
    PageReuse,
    _nav_sources,
    _SiteUrls,
    _SkippedPage,
)
from generator.site.manifest import PageRecord

pytestmark = pytest.mark.slow


def _recorded(monkeypatch: pytest.MonkeyPatch) -> list[PageReuse]:
    """Have the build note the PageReuse it makes."""
    made: list[PageReuse] = []

    class Recorded(PageReuse):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(build_module, "PageReuse", Recorded)
    return made


def _retitle(project: Project) -> None:
    path = project.data / "papers" / "kv-evict.yaml"
    text = path.read_text("utf-8")
    assert "Learned KV Cache" in text
    path.write_text(text.replace("Learned KV Cache", "Learned KV Cache (Revised)"), "utf-8")


def test_reused_pages_outside_the_navigation_skip_mkdocs_and_match_a_clean_build(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    _retitle(project)  # the listings showing the title are built again and link skipped pages
    made = _recorded(monkeypatch)
    report = project.build()
    reuse = made[-1]
    assert report.full_reason is None and reuse.rendered > 0
    assert reuse.skipped and reuse.skipped <= reuse.reused.keys()
    assert not reuse.skipped & reuse.in_nav
    papers = {
        uri for uri in reuse.skipped if uri.startswith("papers/") and uri != "papers/index.md"
    }
    assert papers, "no paper page was skipped"
    for uri in reuse.skipped:
        file = reuse.files.get_file_from_path(uri)
        assert isinstance(file.page, _SkippedPage)  # MkDocs made no page object of its own
        assert file.inclusion.is_included()  # as it was, once MkDocs is done
    # What MkDocs would have made of a skipped page is there all the same.
    some = sorted(papers)[0]
    url = reuse.files.get_file_from_path(some).url
    assert f"/{url}</loc>" in (project.site / "sitemap.xml").read_text("utf-8")
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_an_unchanged_rebuild_skips_every_page_outside_the_navigation(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    made = _recorded(monkeypatch)
    report = project.build()
    reuse = made[-1]
    assert report.search_reused
    outside = {
        f.src_uri
        for f in reuse.files
        if f.is_documentation_page() and f.src_uri not in reuse.in_nav
    }
    assert outside and reuse.skipped == outside
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_a_skipped_page_looks_to_the_sitemap_and_anchor_checks_as_mkdocs_page() -> None:
    from mkdocs.structure.files import File
    from mkdocs.structure.pages import Page

    record = PageRecord(source="x", dest="papers/a/index.html", title="A", anchors=("summary",))
    site_urls = (
        "https://example.org/sub",
        "https://example.org/sub/",
        "https://example.org",
        "https://example.org//sub/",
        "https://example.org/a/../sub/",
        "https://example.org/sub/?q=1#top",
        "https://example.org/sub;p/",
        None,
    )
    sources = ("papers/a.md", "index.md", "papers/a b.md", "a/b/index.md", "x/....md", "über.md")
    for site_url in site_urls:
        site = _SiteUrls(site_url)
        for uri in sources:
            file = File(uri, "/docs", "/site", True)
            real = Page(None, file, {"site_url": site_url})
            standin = _SkippedPage(file, record, site)
            for name in ("url", "canonical_url", "abs_url", "update_date", "is_link"):
                assert getattr(standin, name) == getattr(real, name), (site_url, uri, name)
    # MkDocs checks a link to another page's anchor against that page's anchors.
    source = File("index.md", "/docs", "/site", True)
    target = File("papers/a.md", "/docs", "/site", True)
    target.page = _SkippedPage(target, record, _SiteUrls(None))
    links = {target: {"summary": "papers/a.md#summary", "gone": "papers/a.md#gone"}}
    checked = SimpleNamespace(file=source, links_to_anchors=links)
    warned: list[str] = []

    class Keep(logging.Handler):
        def emit(self, entry: logging.LogRecord) -> None:
            warned.append(entry.getMessage())

    handler = Keep(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    try:
        Page.validate_anchor_links(checked, files=None, log_level=logging.WARNING)
    finally:
        logging.getLogger("mkdocs").removeHandler(handler)
    assert len(warned) == 1 and "'#gone'" in warned[0]


def test_skipped_pages_are_handed_over_in_their_places() -> None:
    taken: list[str] = []
    order = InOrder(["a", "b", "c", "d", "e"], {"a", "c", "e"}, taken.append)
    order.advance()
    assert taken == ["a"]
    order.arrive("b")
    order.done("b")
    assert taken == ["a", "c"]
    # d comes later than expected: e waits for it.
    order.rest()
    assert taken == ["a", "c", "e"]
    late: list[str] = []
    order = InOrder(["a", "b", "c", "d"], {"b", "d"}, late.append)
    order.done("c")  # converted out of order: b still waits for a
    assert late == []
    order.done("a")
    assert late == ["b", "d"]


def test_the_navigation_names_its_pages() -> None:
    nav = ["index.md", {"Papers": ["papers/index.md", {"One": "./papers/one.md"}]}]
    assert _nav_sources(nav) == {"index.md", "papers/index.md", "papers/one.md"}
    assert _nav_sources(None) is None
