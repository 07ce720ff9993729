"""SearchFeed after one change: every page goes to Pagefind ahead, the bundle is a clean build's.

A real Pagefind process; the last build is a stand-in for PageReuse holding its articles.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.site.mkdocs_hooks import SearchFeed
from generator.site.search import PagefindStream

_WORDS = ["量化", "剪枝", "蒸馏", "稀疏", "注意力", "缓存", "推理", "编译", "调度", "内存"]


def _article(name: str, extra: str = "") -> str:
    words = " ".join(_WORDS[(len(name) + i) % len(_WORDS)] for i in range(6))
    return (
        f'<h1>{name} {extra}</h1><h2 id="brief">简报</h2><p>{name} {words}</p>'
        f'<span data-pagefind-filter="年份">{2020 + len(name) % 5}</span>'
        f'<span data-pagefind-meta="brief">{words}</span>'
    )


def _document(html: str) -> str:
    # What SearchFeed makes of a converted page's content.
    return f"<!DOCTYPE html><html><head></head><body><article>{html}</article></body></html>"


class _LastBuild:
    """What SearchFeed asks PageReuse: the last build's articles, bundle and reused pages."""

    def __init__(self, articles: dict[str, str], reused: set[str], bundle: Path) -> None:
        self._articles = {src: _document(html) for src, html in articles.items()}
        self._bundle = bundle
        self.previous = SimpleNamespace(
            pages={src: SimpleNamespace(pagefind=src) for src in self._articles}
        )
        self.search_inputs = SimpleNamespace(
            previous=lambda place: None if place is None else self._articles.get(place),
            record=lambda src, document: None,
        )
        self.reused = {src: self.previous.pages[src] for src in reused}
        self.skipped: set[str] = set()  # every reused page goes through MkDocs here
        self.search_bundle = ""

    def previous_search_bundle(self) -> tuple[str, Path]:
        return "the last build's digest", self._bundle

    def article_changed(self, src_uri: str, document: str) -> bool:
        return src_uri not in self.reused and self._articles.get(src_uri) != document

    def previous_article(self, src_uri: str) -> str | None:
        return self._articles[src_uri] if src_uri in self.reused else None


def _file(name: str, tmp_path: Path) -> Any:
    from mkdocs.structure.files import File

    return File(f"papers/{name}.md", str(tmp_path / "docs"), str(tmp_path / "site"), True)


def _bundle(root: Path) -> dict[str, str]:
    bundle = root / "pagefind"
    return {
        p.relative_to(bundle).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(bundle.rglob("*"))
        if p.is_file()
    }


def _clean(pages: list[tuple[str, str]], out: Path) -> dict[str, str]:
    """The bundle of a clean build: each article sent once, in the build's order."""
    stream = PagefindStream("zh")
    for name, html in pages:
        stream.add(_document(html), f"/papers/{name}/")
    stream.write(out)
    stream.finish(out)
    return _bundle(out)


def _feed(
    tmp_path: Path,
    last: _LastBuild,
    listed: list[str],
    converted: list[tuple[str, str]],
    *,
    defer: bool = False,
    stream: PagefindStream | None = None,
) -> tuple[SearchFeed, PagefindStream, list[int]]:
    """Run SearchFeed over pages listed in one order and converted in another.

    Returns the feed, its stream at the end, and how many pages the stream had been given
    after each converted page.
    """
    feed = SearchFeed(stream or PagefindStream("zh"), last, defer=defer)  # type: ignore[arg-type]
    feed.on_files([_file(name, tmp_path) for name in listed], config=None)
    site = tmp_path / "site"
    config = SimpleNamespace(site_dir=str(site))
    given = []
    for name, html in converted:
        page = SimpleNamespace(file=_file(name, tmp_path), url=f"papers/{name}/")
        feed.on_page_content(html, page=page, config=config, files=None)
        given.append(len(feed.stream._pages))
    return feed, feed.stream, given


LAST = {name: _article(name) for name in ("alpha", "bravo", "charlie", "delta", "echo")}


def test_one_changed_page_sends_every_page_ahead_and_gives_the_clean_bundle(
    tmp_path: Path,
) -> None:
    reused = {f"papers/{n}.md" for n in ("alpha", "charlie", "delta", "echo")}
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, reused, tmp_path / "old")
    now = dict(LAST, bravo=_article("bravo", "修订版"))
    order = list(now)
    _, stream, given = _feed(tmp_path, last, order, list(now.items()))
    # Nothing went to Pagefind for alpha; bravo's change sent all five, none of them again.
    assert given == [0, 5, 5, 5, 5]
    report = stream.finish(tmp_path / "site")
    assert report.pages == 5 and not report.reused
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")


def test_a_new_page_in_the_middle_and_a_deleted_page_give_the_clean_bundle(
    tmp_path: Path,
) -> None:
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, set(), tmp_path / "old")
    now = {n: h for n, h in LAST.items() if n != "delta"}
    now = dict(now, bravo=_article("bravo", "修订版"), beta=_article("beta"))
    order = ["alpha", "bravo", "beta", "charlie", "echo"]
    now = {name: now[name] for name in order}
    _, stream, given = _feed(tmp_path, last, order, list(now.items()))
    # bravo's change sent all five; beta is new: an empty article held its place until then.
    assert given == [0, 5, 6, 6, 6]
    stream.finish(tmp_path / "site")
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")


def test_only_a_deleted_page_still_gives_the_clean_bundle(tmp_path: Path) -> None:
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, set(), tmp_path / "old")
    now = {n: h for n, h in LAST.items() if n != "charlie"}
    _, stream, given = _feed(tmp_path, last, list(now), list(now.items()))
    # No article changed: the pages went to Pagefind once the last one was known.
    assert given == [0, 0, 0, 4]
    stream.finish(tmp_path / "site")
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")


def test_pages_converted_in_another_order_than_listed_are_indexed_in_that_order(
    tmp_path: Path,
) -> None:
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, set(), tmp_path / "old")
    now = dict(LAST, alpha=_article("alpha", "修订版"))
    listed = list(now)
    converted = [(n, now[n]) for n in ("alpha", "charlie", "bravo", "delta", "echo")]
    _, stream, given = _feed(tmp_path, last, listed, converted)
    stream.finish(tmp_path / "site")
    assert _bundle(tmp_path / "site") == _clean(converted, tmp_path / "clean")
    # Sent ahead in the listed order, then to a fresh stream in the converted order.
    assert given == [5, 2, 3, 4, 5]


def test_a_deferred_feed_s_bundle_is_made_at_once_and_written_by_finish(tmp_path: Path) -> None:
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, set(), tmp_path / "old")
    now = dict(LAST, echo=_article("echo", "修订版"))
    feed, stream, given = _feed(tmp_path, last, list(now), list(now.items()), defer=True)
    assert feed.holding and given[-1] == 5
    # Pagefind hands the bundle over without being released ...
    deadline = time.monotonic() + 120
    while stream._write_id not in stream._replies and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stream._replies[stream._write_id]["type"] == "GetFiles"
    # ... and nothing is written before finish (the preview's pages come first).
    assert not (tmp_path / "site" / "pagefind").exists()
    feed.release(tmp_path / "site")
    stream.finish(tmp_path / "site")
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")


def test_unchanged_articles_link_the_last_bundle_and_send_nothing(tmp_path: Path) -> None:
    last = _LastBuild({f"papers/{n}.md": h for n, h in LAST.items()}, set(), tmp_path / "old")
    _clean(list(LAST.items()), tmp_path / "old-site")
    last._bundle = tmp_path / "old-site" / "pagefind"
    digest = hashlib.sha256()
    for name, html in LAST.items():
        for part in (f"/papers/{name}/", _document(html)):
            data = part.encode("utf-8")
            digest.update(len(data).to_bytes(8, "big") + data)
    last.previous_search_bundle = lambda: (digest.hexdigest(), last._bundle)  # type: ignore[method-assign]
    feed, stream, given = _feed(tmp_path, last, list(LAST), list(LAST.items()))
    assert given == [0] * 5 and stream.reusing and not feed.holding
    report = stream.finish(tmp_path / "site")
    assert report.reused
    assert _bundle(tmp_path / "site") == _bundle(tmp_path / "old-site")


@pytest.mark.parametrize("cut", [1, 2, 3, 7, 100])
def test_replies_are_cut_at_their_commas_wherever_a_read_ends(cut: int) -> None:
    from generator.site.search import _MessageSplitter

    stream = b"abc,,defghij," + b"k" * 250 + b",lm,"
    splitter = _MessageSplitter()
    messages = []
    for start in range(0, len(stream), cut):
        messages += splitter.feed(stream[start : start + cut])
    assert messages == [b"abc", b"", b"defghij", b"k" * 250, b"lm"]


def _published(tmp_path: Path, articles: dict[str, str]) -> tuple[Path, Any]:
    """A published site whose manifest and search pack hold these articles, in this order."""
    from generator.site.incremental import SearchInputs
    from tests.searchpack import write_paper_manifest

    site = tmp_path / "published"
    inputs = SearchInputs(site, None)
    for name, html in articles.items():
        inputs.record(f"papers/{name}.md", _document(html))
    inputs.close()
    manifest = write_paper_manifest(site, inputs, articles)
    return site, manifest


class _Reuse:
    """PageReuse as SearchFeed sees it, over a published site (no page reused)."""

    def __init__(self, site: Path, manifest: Any, staging: Path) -> None:
        from generator.site.incremental import SearchInputs

        self.previous = manifest
        self.search_inputs = SearchInputs(staging, site)
        self.reused: dict[str, Any] = {}
        self.skipped: set[str] = set()
        self.search_bundle = ""

    def previous_search_bundle(self) -> None:
        return None  # no bundle to link: the articles decide

    def article_changed(self, src_uri: str, document: str) -> bool:
        record = self.previous.pages.get(src_uri)
        return record is None or self.search_inputs.previous(record.pagefind) != document

    def previous_article(self, src_uri: str) -> None:
        return None


def test_articles_sent_ahead_of_the_build_are_kept_when_new_pages_come_last(
    tmp_path: Path,
) -> None:
    site, manifest = _published(tmp_path, LAST)
    ahead = PagefindStream.ahead_of_build(site, "zh")
    assert ahead.ahead() == [f"/papers/{n}/" for n in LAST]
    now = {n: h for n, h in LAST.items() if n != "delta"}
    now = dict(now, bravo=_article("bravo", "修订版"), foxtrot=_article("foxtrot"))
    reuse = _Reuse(site, manifest, tmp_path / "staging")
    _, stream, given = _feed(tmp_path, reuse, list(now), list(now.items()), stream=ahead)  # type: ignore[arg-type]
    # Kept: five ahead, delta emptied, foxtrot's place held, then bravo and foxtrot again.
    assert stream is ahead and given == [7, 8, 8, 8, 9]
    assert stream.finish(tmp_path / "site").pages == len(now)
    reuse.search_inputs.close()
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")


def test_articles_sent_ahead_are_dropped_when_a_new_page_comes_between(tmp_path: Path) -> None:
    site, manifest = _published(tmp_path, LAST)
    ahead = PagefindStream.ahead_of_build(site, "zh")
    now = {"alpha": LAST["alpha"], "beta": _article("beta")} | LAST
    reuse = _Reuse(site, manifest, tmp_path / "staging")
    _, stream, given = _feed(tmp_path, reuse, list(now), list(now.items()), stream=ahead)  # type: ignore[arg-type]
    # No last bundle to link here: the fresh stream gets each page as it comes.
    assert stream is not ahead and given == [1, 2, 3, 4, 5, 6]
    stream.finish(tmp_path / "site")
    reuse.search_inputs.close()
    assert _bundle(tmp_path / "site") == _clean(list(now.items()), tmp_path / "clean")
