"""When an incremental build hands its articles to Pagefind: all at once at the first changed one.

The build holds the articles back while each is the one its page had in the last build (the
last bundle may do); the first that differs starts Pagefind with every paper page of the build
(the last build's article where this one has not been converted yet), so it indexes while MkDocs
works; a page converted later is sent again only if its article differs. A stand-in stream
records what SearchFeed asks of Pagefind; the reuse side is the real one.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.site.incremental import PageReuse, SearchInputs
from generator.site.manifest import BuildManifest
from generator.site.mkdocs_hooks import SearchFeed
from generator.site.search import BUNDLE_DIR
from tests.searchpack import write_paper_manifest

IDS = ("alpha", "beta", "gamma")


class Stream:
    """Stands in for PagefindStream: notes every call, in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def ahead(self) -> list[str]:
        return []  # not started ahead of the build

    def add(self, html: str, url: str, *, replace: bool = False) -> None:
        self.calls.append(("replace" if replace else "add", url))

    def link_unchanged_from(self, previous: Path) -> None:
        self.calls.append(("link_unchanged_from", previous.name))

    def reuse_bundle(self, previous: Path, pages: int) -> None:
        self.calls.append(("reuse_bundle", pages))

    def write(self, site_dir: Path, *, hold: bool = False) -> None:
        self.calls.append(("write", "held" if hold else None))


def _page(paper: str) -> Any:
    file = SimpleNamespace(
        src_uri=f"papers/{paper}.md", dest_uri=f"papers/{paper}/index.html", url=f"papers/{paper}/"
    )
    return SimpleNamespace(file=file, url=f"papers/{paper}/")


def _article(paper: str, text: str = "") -> str:
    return f"<h1>{paper}</h1><p>{text or paper} 量化</p>"


def _feed(feed: SearchFeed, site: Path, articles: dict[str, str], stream: Stream) -> list[int]:
    """Hand the pages over in order; return how many calls Pagefind had after each page."""
    config = SimpleNamespace(site_dir=str(site))
    feed.on_files([_page(p).file for p in articles], config=config)
    seen = []
    for paper, html in articles.items():
        feed.on_page_content(html, page=_page(paper), config=config, files=None)
        seen.append(len(stream.calls))
    return seen


def _last_build(tmp_path: Path) -> Path:
    """A published site whose manifest and search pack hold the three papers' articles."""
    site = tmp_path / "site"
    inputs = SearchInputs(site, None)
    reuse = PageReuse(None, site, site, inputs)
    stream = Stream()
    _feed(SearchFeed(stream, reuse), site, {p: _article(p) for p in IDS}, stream)
    inputs.close()
    (site / BUNDLE_DIR).mkdir(parents=True)
    (site / BUNDLE_DIR / "pagefind-entry.json").write_text("{}", "utf-8")
    write_paper_manifest(site, inputs, IDS, search_bundle=reuse.search_bundle)
    return site


def _this_build(
    tmp_path: Path, site: Path, reused: tuple[str, ...], *, defer: bool = False
) -> tuple[SearchFeed, Stream]:
    staging = tmp_path / "staging"
    previous = BuildManifest.model_validate_json(
        (site / ".paperbrief" / "manifest.json").read_bytes()
    )
    reuse = PageReuse(previous, site, staging, SearchInputs(staging, site))
    for paper in reused:  # what on_pre_page decides for a page whose inputs are the same
        uri = f"papers/{paper}.md"
        reuse.reused[uri] = previous.pages[uri]
    stream = Stream()
    return SearchFeed(stream, reuse, defer=defer), stream


def test_the_first_changed_article_starts_pagefind(tmp_path: Path) -> None:
    site = _last_build(tmp_path)
    feed, stream = _this_build(tmp_path, site, reused=("alpha", "gamma"))
    articles = {"alpha": "", "beta": _article("beta", "retitled"), "gamma": ""}
    seen = _feed(feed, tmp_path / "staging", articles, stream)
    # Nothing while alpha is the last build's; beta differs: every page goes at once, gamma
    # with the last build's article, which it then turns out to hand over again.
    assert seen[0] == 0
    assert stream.calls[: seen[1]] == [
        ("link_unchanged_from", BUNDLE_DIR),
        ("add", "/papers/alpha/"),
        ("add", "/papers/beta/"),
        ("add", "/papers/gamma/"),
    ]
    assert stream.calls[seen[1] :] == [("write", None)]


def test_a_page_changed_after_the_first_is_sent_again(tmp_path: Path) -> None:
    site = _last_build(tmp_path)
    feed, stream = _this_build(tmp_path, site, reused=())
    articles = {p: _article(p, "retitled") for p in ("alpha", "gamma")} | {"beta": _article("beta")}
    articles = {p: articles[p] for p in IDS}
    seen = _feed(feed, tmp_path / "staging", articles, stream)
    assert seen == [4, 4, 6]
    assert stream.calls[4:] == [("replace", "/papers/gamma/"), ("write", None)]


def test_a_new_paper_starts_pagefind(tmp_path: Path) -> None:
    site = _last_build(tmp_path)
    feed, stream = _this_build(tmp_path, site, reused=IDS)
    articles = {"alpha": "", "beta": "", "delta": _article("delta"), "gamma": ""}
    seen = _feed(feed, tmp_path / "staging", articles, stream)
    assert seen[:3] == [0, 0, 5]  # the last bundle, then every page
    assert [c for c in stream.calls if c[0] == "add"] == [
        ("add", f"/papers/{p}/") for p in articles
    ]
    assert ("reuse_bundle", 3) not in stream.calls


def test_the_same_articles_link_the_last_bundle(tmp_path: Path) -> None:
    site = _last_build(tmp_path)
    # beta is built again, but hands Pagefind the very article it did last time.
    feed, stream = _this_build(tmp_path, site, reused=("alpha", "gamma"))
    seen = _feed(
        feed, tmp_path / "staging", {"alpha": "", "beta": _article("beta"), "gamma": ""}, stream
    )
    assert seen[:2] == [0, 0]
    assert stream.calls == [("reuse_bundle", 3)]


def test_a_deferred_feed_has_its_bundle_made_at_once_and_written_later(tmp_path: Path) -> None:
    # The preview publishes its pages first: Pagefind indexes and makes the bundle meanwhile on
    # the other core, and the bundle's files are written once the pages are out.
    site = _last_build(tmp_path)
    feed, stream = _this_build(tmp_path, site, reused=("alpha", "gamma"), defer=True)
    articles = {"alpha": "", "beta": _article("beta", "retitled"), "gamma": ""}
    assert _feed(feed, tmp_path / "staging", articles, stream) == [0, 4, 5]
    assert feed.holding
    feed.release(tmp_path / "side")
    assert stream.calls == [
        ("link_unchanged_from", BUNDLE_DIR),
        ("add", "/papers/alpha/"),
        ("add", "/papers/beta/"),
        ("add", "/papers/gamma/"),
        ("write", "held"),
    ]


def test_a_deferred_feed_of_the_same_articles_links_the_last_bundle(tmp_path: Path) -> None:
    site = _last_build(tmp_path)
    feed, stream = _this_build(tmp_path, site, reused=IDS, defer=True)
    _feed(feed, tmp_path / "staging", {p: "" for p in IDS}, stream)
    assert not feed.holding
    assert stream.calls == [("reuse_bundle", 3)]


def _skipping_feed(
    feed: SearchFeed, site: Path, articles: dict[str, str], stream: Stream, skipped: set[str]
) -> None:
    """Hand the pages over as MkDocs does when the reuse side keeps `skipped` out of it."""
    assert feed.reuse is not None
    feed.reuse.skipped.update(f"papers/{p}.md" for p in skipped)
    config = SimpleNamespace(site_dir=str(site))
    feed.on_files([_page(p).file for p in articles], config=config)
    feed.on_nav(None, config=config, files=None)
    for paper, html in articles.items():
        if paper not in skipped:
            feed.on_page_content(html, page=_page(paper), config=config, files=None)
    feed.on_env(None, config=config, files=None)


@pytest.mark.parametrize(
    ("changed", "skipped"),
    [
        ({"beta"}, {"alpha", "gamma"}),  # skipped pages before and after the converted one
        ({"alpha"}, {"beta", "gamma"}),  # skipped pages only after it
        ({"gamma"}, {"alpha", "beta"}),  # only before it
        (set(), set(IDS)),  # none converted at all
    ],
)
def test_skipped_pages_reach_pagefind_and_the_pack_as_if_converted(
    tmp_path: Path, changed: set[str], skipped: set[str]
) -> None:
    # Reused pages MkDocs never converts (PageReuse.skipped) are handed over in their places:
    # Pagefind, the pack of articles and its fingerprint see what they see when MkDocs
    # converts every page.
    site = _last_build(tmp_path)
    articles = {p: _article(p, "retitled") if p in changed else "" for p in IDS}
    outcomes = []
    for name, skipping in (("converted", set()), ("skipped", skipped)):
        staging = tmp_path / name
        feed, stream = _this_build(staging, site, reused=tuple(sorted(skipped)))
        if skipping:
            _skipping_feed(feed, staging, articles, stream, skipping)
        else:
            _feed(feed, staging, articles, stream)
        assert feed.reuse is not None
        feed.reuse.search_inputs.close()
        pack = (staging / "staging" / ".paperbrief" / "pagefind-input.bin").read_bytes()
        outcomes.append(
            (stream.calls, feed.reuse.search_inputs.places, feed.reuse.search_bundle, pack)
        )
    assert outcomes[0] == outcomes[1]
    assert feed.pages == len(IDS) and feed.left == 0
