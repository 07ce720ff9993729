"""The Pagefind index of the fixture site: which pages, which text, which filters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from searchsite import FIXTURE_DATA, SearchSite, build_fixture

from generator.records.load import load_collection
from generator.site.search import cbor_decode, cbor_encode, read_pagefind_file


def _paper_of(fragment: dict) -> str:
    found = re.fullmatch(r"/papers/([a-z0-9-]+)/", fragment["url"])
    assert found, fragment["url"]
    return found.group(1)


def test_the_bundle_holds_the_ui_and_one_chinese_index(search_site: SearchSite) -> None:
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
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


def test_indexed_text_is_the_paper_not_the_chrome(search_site: SearchSite) -> None:
    fragments = {_paper_of(f): f for f in search_site.fragments()}
    for paper_id, fragment in fragments.items():
        text = fragment["content"]
        assert "¶" not in text, paper_id  # Material's heading permalinks
        assert "编辑此记录" in text or "edit" not in text.lower()
        assert fragment["meta"]["title"], paper_id
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
        # The UI inserts filter values as HTML: what Pagefind stores must hold no tags.
        assert "<script" not in value and "<b>" not in value and "<iframe" not in value, value
    # Metadata is plain text (entities decoded): the title is shown as text by the UI and the
    # brief is escaped by pb-search.js before it becomes the excerpt (see the browser test).
    assert "<script>" in hostile["meta"]["brief"]


def test_pagefind_files_round_trip_through_the_cbor_reader(search_site: SearchSite) -> None:
    for path in sorted(search_site.bundle.glob("*.pf_meta")) + sorted(
        (search_site.bundle / "filter").glob("*.pf_filter")
    ):
        value = read_pagefind_file(path)
        assert cbor_decode(cbor_encode(value))[0] == value


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
