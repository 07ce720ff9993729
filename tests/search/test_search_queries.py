"""Queries against the real Pagefind index, run by Pagefind's own search code in Node."""

from __future__ import annotations

from pathlib import Path

import pytest
from searchsite import QUANTIZATION_PAPERS, SearchSite, search_in_node

pytestmark = pytest.mark.node


def search(site: SearchSite, base: str, queries: list[dict], tmp_path: Path) -> list:
    results, filters = search_in_node(site.bundle, base + "pagefind/", queries, tmp_path)
    return [*results, filters]


def ids(urls: list[str]) -> set[str]:
    return {u.strip("/").removeprefix("papers/") for u in urls}


def test_chinese_and_english_labels_find_the_quantization_papers(
    search_site: SearchSite, served_site: str, tmp_path: Path
) -> None:
    zh, en, alias, *_ = search(
        search_site,
        served_site,
        [{"term": "量化"}, {"term": "quantization"}, {"term": "PTQ"}],
        tmp_path,
    )
    assert ids(zh) == QUANTIZATION_PAPERS
    assert ids(en) == QUANTIZATION_PAPERS
    assert ids(alias) == {"ptq-calib"}


def test_a_technique_filter_narrows_the_results(
    search_site: SearchSite, served_site: str, tmp_path: Path
) -> None:
    everything, narrowed, filter_only, filters = search(
        search_site,
        served_site,
        [
            {"term": "量化"},
            {"term": "量化", "filters": {"技术方向": "训练后量化 (Post-Training Quantization)"}},
            {"term": None, "filters": {"技术方向": "KV缓存优化 (KV Cache Optimization)"}},
        ],
        tmp_path,
    )
    assert ids(narrowed) == {"ptq-calib"} < ids(everything)
    assert ids(filter_only) == {"kv-evict"}
    assert set(filters) == {"技术方向", "机构", "年份", "报告"}
    assert filters["技术方向"]["量化 (Quantization)"] == len(QUANTIZATION_PAPERS)


def test_an_institution_name_finds_its_papers(
    search_site: SearchSite, served_site: str, tmp_path: Path
) -> None:
    word, english, *_ = search(
        search_site, served_site, [{"term": "清华"}, {"term": "Tsinghua"}], tmp_path
    )
    tsinghua = {"quant-llm", "ptq-calib", "kv-evict", "hostile"}
    assert ids(word) == tsinghua
    assert ids(english) == tsinghua
