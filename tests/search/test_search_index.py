"""The Pagefind index of the fixture site: which pages, which text, which filters."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from searchsite import (
    FIXTURE_DATA,
    QUANTIZATION_PAPERS,
    SearchSite,
    build_fixture,
    search_in_node,
    serve_directory,
)

from generator.records.load import load_collection
from generator.site.search import EXCLUDE_SELECTORS, canonicalize_bundle, cbor_decode, cbor_encode


def _paper_of(fragment: dict) -> str:
    found = re.fullmatch(r"/papers/([a-z0-9-]+)/", fragment["url"])
    assert found, fragment["url"]
    return found.group(1)


def test_the_bundle_holds_the_search_code_and_one_chinese_index(search_site: SearchSite) -> None:
    # pb-search.js loads pagefind.js (which loads its WebAssembly and the index files) only
    for name in ("pagefind.js", "pagefind-entry.json"):
        assert (search_site.bundle / name).is_file(), name
    entry = json.loads((search_site.bundle / "pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == ["zh"]
    papers = load_collection(FIXTURE_DATA).papers
    assert entry["languages"]["zh"]["page_count"] == len(papers)
    assert search_site.report.search_pages == len(papers)


def test_paper_pages_are_indexed_and_listing_pages_are_not(search_site: SearchSite) -> None:
    papers = set(load_collection(FIXTURE_DATA).papers)
    urls = {f["url"] for f in search_site.fragments()}
    assert urls == {f"/papers/{p}/" for p in papers}
    # The listings exist in the site, and none of them is a search result.
    listings = [
        "papers/index.html",
        "techniques/quantization/index.html",
        "institutions/tsinghua-university/index.html",
        "reports/index.html",
        "index.html",
        "search/index.html",
    ]
    for page in listings:
        assert (search_site.site / page).is_file(), page
        assert "/" + page.removesuffix("index.html") not in urls


class _SkippedText(HTMLParser):
    """Collect the text of the article's elements that Pagefind is told to skip."""

    def __init__(self, classes: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.classes = classes
        self.in_article = False
        self.open: list[str] = []  # tags from the outermost skipped element down
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_article = self.in_article or tag == "article"
        if tag in {"br", "img", "input", "meta", "link", "hr", "wbr"}:
            return  # void elements never close
        classes = set((dict(attrs).get("class") or "").split())
        if self.open or (self.in_article and classes & self.classes):
            if not self.open:
                self.texts.append("")
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()
        if tag == "article":
            self.in_article = False

    def handle_data(self, data: str) -> None:
        if self.open:
            self.texts[-1] += data


def _words(text: str) -> str:
    return " ".join(text.replace("\u200b", "").split())


def test_indexed_text_is_the_paper_not_the_chrome(search_site: SearchSite) -> None:
    fragments = {_paper_of(f): f for f in search_site.fragments()}
    skipped_anything = False
    for paper_id, fragment in fragments.items():
        text = _words(fragment["content"])
        assert "¶" not in text, paper_id  # Material's heading permalinks
        title = fragment["meta"]["title"]
        assert title and _words(title) in text, paper_id
        # No element the index skips (permalinks, related papers' titles, edit buttons, file
        # dates) left its text in the index.
        page = (search_site.site / "papers" / paper_id / "index.html").read_text("utf-8")
        parser = _SkippedText({selector.lstrip(".") for selector in EXCLUDE_SELECTORS})
        parser.feed(page)
        for skipped in filter(None, map(_words, parser.texts)):
            skipped_anything = True
            assert skipped not in text, (paper_id, skipped)
    assert skipped_anything  # the check above really had something to check
    # Related papers' titles belong to those papers, not to this one.
    kv = fragments["kv-evict"]["content"].replace("\u200b", "")
    assert "QuantLLM" not in kv
    # The technique's labels in both languages make 量化 and quantization find the paper.
    quant = fragments["quant-llm"]["content"].replace("\u200b", "")
    assert "量化" in quant and "Quantization" in quant


def test_filters_name_technique_with_parents_institution_year_and_report(
    search_site: SearchSite,
) -> None:
    fragments = {_paper_of(f): f for f in search_site.fragments()}
    ptq = fragments["ptq-calib"]["filters"]
    assert ptq["技术方向"] == ["训练后量化 (Post-Training Quantization)", "量化 (Quantization)"]
    assert ptq["机构"] == ["清华大学"]
    assert ptq["年份"] == ["2025"]
    assert ptq["报告"] and all("(2025-11-02)" in r for r in ptq["报告"])
    # The brief travels as metadata: search results show it.
    assert fragments["quant-llm"]["meta"]["brief"].startswith("清华大学与北京大学发布了QuantLLM")


def test_hostile_text_is_inert_in_filters_and_meta(search_site: SearchSite) -> None:
    hostile = next(f for f in search_site.fragments() if f["url"] == "/papers/hostile/")
    values = [v for vs in hostile["filters"].values() for v in vs]
    assert values
    for value in values:
        # Pagefind decodes entities: whatever shows a value as HTML must find no tags in it.
        assert "<script" not in value and "<b>" not in value and "<iframe" not in value, value
    # Metadata is plain text (entities decoded): pb-search.js inserts the title and the brief
    # with textContent only (see the browser test).
    assert "<script>" in hostile["meta"]["brief"]


@pytest.fixture(scope="module")
def pagefind_own_bundle(
    search_site: SearchSite, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Index the built pages with the Pagefind CLI and keep its files as Pagefind wrote them."""
    from generator.site import search

    site = tmp_path_factory.mktemp("pagefind-own") / "site"
    shutil.copytree(search_site.site, site, ignore=shutil.ignore_patterns("pagefind"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "canonicalize_bundle", lambda bundle: None)
        search.index_search(site, language="zh")
    yield site / "pagefind"


def _data_files(bundle: Path) -> list[Path]:
    return sorted(bundle.glob("*.pf_meta")) + sorted((bundle / "filter").glob("*.pf_filter"))


def test_the_cbor_encoder_writes_what_pagefind_writes(pagefind_own_bundle: Path) -> None:
    # Every meta and filter file Pagefind wrote, decoded and encoded again, gives Pagefind's bytes.
    files = _data_files(pagefind_own_bundle)
    assert len(files) >= 5  # the meta file and one per filter
    for path in files:
        raw = gzip.decompress(path.read_bytes())
        value, end = cbor_decode(raw, len(b"pagefind_dcd"))
        assert end == len(raw), path.name
        assert b"pagefind_dcd" + cbor_encode(value) == raw, path.name


@pytest.mark.node
def test_pagefind_reads_the_rewritten_bundle_as_it_reads_its_own(
    search_site: SearchSite, pagefind_own_bundle: Path, tmp_path: Path
) -> None:
    # canonicalize_bundle re-encodes Pagefind's meta and filter files with our encoder. Pagefind's
    # own reader (its JS and WebAssembly, run in node) must find the same filters and pages in
    # them as in the files Pagefind wrote, and as the pages themselves say.
    canonical = tmp_path / "canonical" / "pagefind"
    shutil.copytree(pagefind_own_bundle, canonical)
    shutil.copytree(pagefind_own_bundle, tmp_path / "own" / "pagefind")
    canonicalize_bundle(canonical)
    own_names = {p.name for p in _data_files(pagefind_own_bundle)}
    assert own_names.isdisjoint(p.name for p in _data_files(canonical))  # really rewritten

    fragments = search_site.fragments()
    expected: dict[str, dict[str, int]] = {}
    for fragment in fragments:
        for name, values in fragment["filters"].items():
            for value in values:
                expected.setdefault(name, {}).setdefault(value, 0)
                expected[name][value] += 1
    queries: list[dict[str, Any]] = [{"term": "量化"}, {"term": "Tsinghua"}]
    queries += [
        {"term": None, "filters": {name: value}}
        for name, counts in sorted(expected.items())
        for value in sorted(counts)
    ]
    with serve_directory(tmp_path) as base:
        own = search_in_node(
            tmp_path / "own" / "pagefind", base + "own/pagefind/", queries, tmp_path
        )
        ours = search_in_node(canonical, base + "canonical/pagefind/", queries, tmp_path)
    assert ours[1] == own[1] == expected

    def pages(found: list[list[str]], prefix: str) -> list[list[str]]:
        return [sorted(url.removeprefix(prefix) for url in urls) for urls in found]

    assert pages(ours[0], "/canonical") == pages(own[0], "/own")
    assert pages(ours[0], "/canonical")[0] == sorted(f"/papers/{p}/" for p in QUANTIZATION_PAPERS)
    for query, urls in zip(queries[2:], ours[0][2:], strict=True):
        ((name, value),) = query["filters"].items()
        assert len(urls) == expected[name][value], query


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.slow
def test_two_builds_give_byte_identical_sites(search_site: SearchSite, tmp_path: Path) -> None:
    again = build_fixture(tmp_path / "again")
    first, second = _tree(search_site.site), _tree(again.site)
    assert set(first) == set(second)
    differ = sorted(k for k in first if first[k] != second[k])
    assert not differ, differ[:10]
    assert any(k.startswith("pagefind/filter/") for k in first)


def test_streamed_index_matches_pagefind_run_over_the_built_site(
    search_site: SearchSite, tmp_path: Path
) -> None:
    # The build hands Pagefind each paper page's article while MkDocs converts it
    # (generator/site/mkdocs_hooks.py). Running the Pagefind CLI over the finished pages must find
    # the same text, filters and metadata for every page.
    import shutil

    from generator.site.search import index_search

    site = tmp_path / "site"
    shutil.copytree(search_site.site, site, ignore=shutil.ignore_patterns("pagefind"))
    index_search(site, language="zh")
    cli = SearchSite(docs=search_site.docs, site=site, report=search_site.report)

    def by_url(s: SearchSite) -> dict[str, tuple]:
        return {
            f["url"]: (f["content"], f["filters"], f["meta"], f["word_count"])
            for f in s.fragments()
        }

    streamed = by_url(search_site)
    assert streamed and streamed == by_url(cli)


def test_a_pagefind_process_that_dies_fails_the_build_instead_of_hanging(tmp_path: Path) -> None:
    from generator.errors import BuildFailed
    from generator.site.search import PagefindStream

    stream = PagefindStream("zh")
    stream._proc.kill()
    stream.add("<html><body><article><h1>x</h1></article></body></html>", "/papers/x/")
    with pytest.raises(BuildFailed, match="pagefind"):
        stream.finish(tmp_path)


def test_a_message_pagefind_cannot_read_fails_with_its_reason() -> None:
    # Pagefind answers such a message without its id; the stream finds the id in the echo.
    from generator.errors import BuildFailed
    from generator.site.search import PagefindStream

    stream = PagefindStream("zh")
    try:
        message_id = stream._send({"type": "NoSuchRequest"})
        with pytest.raises(BuildFailed, match="unknown variant"):
            stream._wait(message_id)
    finally:
        stream.close()
