"""Golden pages of the fixture site, and what the site model and renderer promise."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.render import PageText, RenderSettings, render_site

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
GOLDEN = ROOT / "tests" / "golden" / "site"
# PAPERBRIEF_UPDATE_GOLDEN=1 pytest tests/site  rewrites the golden files after a deliberate change.
UPDATE = os.environ.get("PAPERBRIEF_UPDATE_GOLDEN") == "1"

SETTINGS = RenderSettings(
    language="zh",
    site_name="论文简报",
    site_url="https://example.github.io/paperbrief/",
    edit_base="https://github.com/example/paperbrief/edit/main/",
)


@pytest.fixture(scope="module")
def model() -> SiteModel:
    return index_site(load_collection(FIXTURE_DATA))


@pytest.fixture(scope="module")
def pages(model: SiteModel) -> dict[str, str]:
    return {p.path: p.text for p in render_site(model, SETTINGS)}


def test_generated_pages_match_golden_files(pages: dict[str, str]) -> None:
    if UPDATE:
        for old in GOLDEN.rglob("*"):
            if old.is_file():
                old.unlink()
        for path, text in pages.items():
            (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / path).write_text(text, encoding="utf-8")
    golden = {p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file()}
    assert golden == set(pages), "run with PAPERBRIEF_UPDATE_GOLDEN=1 after a deliberate change"
    for path, text in pages.items():
        # Bytes, not read_text: papers.csv keeps RFC 4180's CRLF line ends.
        assert (GOLDEN / path).read_bytes().decode("utf-8") == text, (
            f"{path} differs from its golden file"
        )


def test_rendering_is_deterministic(model: SiteModel) -> None:
    assert render_site(model, SETTINGS) == render_site(
        index_site(load_collection(FIXTURE_DATA)), SETTINGS
    )


def test_papers_are_grouped_newest_first(model: SiteModel) -> None:
    quant = next(g for g in model.techniques if g.technique.id == "quantization")
    assert [p.id for p in quant.papers] == ["hostile", "quant-llm"]
    thu = next(g for g in model.institutions if g.institution.id == "tsinghua-university")
    assert [p.id for p in thu.papers] == ["ptq-calib", "hostile", "quant-llm", "kv-evict"]
    assert {i.id: n for i, n in thu.coauthors} == {
        "hostile-lab": 1,
        "peking-university": 1,
        "university-of-chicago": 1,
    }
    assert [r.id for r in model.reports] == ["report-2025-11-02", "report-2025-10-15"]
    assert [r.id for r in model.reports_of["hostile"]] == ["report-2025-11-02"]


def test_related_papers_rank_shared_techniques_before_shared_institutions(model: SiteModel) -> None:
    # quant-llm shares quantization with hostile, and only Tsinghua with ptq-calib and kv-evict.
    assert [p.id for p in model.related["quant-llm"]][:1] == ["hostile"]
    assert set(p.id for p in model.related["quant-llm"]) == {"hostile", "ptq-calib", "kv-evict"}
    assert model.related["untitled-sparse"][0].id == "hostile"


def test_counts(model: SiteModel) -> None:
    c = model.counts
    assert (c.papers, c.reports, c.institutions, c.techniques) == (5, 2, 4, 4)
    assert (c.briefs, c.generated_briefs) == (3, 2)


def test_paper_page_shows_brief_provenance_links_and_citations(pages: dict[str, str]) -> None:
    quant = pages["papers/quant-llm.md"]
    assert "清华大学与北京大学发布了QuantLLM论文" in quant
    assert "AI 生成" not in quant  # a person wrote this brief
    for link in (
        "https://arxiv.org/abs/2510.01234",
        "https://doi.org/10.1145/3600006.3613165",
        "https://arxiv.org/pdf/2510.01234",
        "https://github.com/example/quantllm",
        "https://github.com/example/paperbrief/edit/main/data/papers/quant-llm.yaml",
    ):
        assert link in quant
    assert "被引 42 次（截至 2025-11-05，Google Scholar）" in quant
    assert "作者: Wei Zhang、Li Na、John Smith" in quant
    ptq = pages["papers/ptq-calib.md"]
    assert "AI 生成（mistral-small-2506，2025-11-03）" in ptq
    assert "## 引用" not in ptq  # Scholar found no match
    kv = pages["papers/kv-evict.md"]
    assert "简报待补充" in kv
    assert "待核查: venue: unknown" in kv


def test_search_terms_hold_both_languages_aliases_and_parents(pages: dict[str, str]) -> None:
    # hidden, one CJK character a word (generator/site/search_terms.py), never a visible line
    ptq = pages["papers/ptq-calib.md"]
    hidden = ptq.split('<div class="pb-terms" hidden data-search-exclude>')[1].split("</div>")[0]
    names = hidden.split(" · ")
    for term in (
        "训 练 后 量 化",
        "Post-Training Quantization",
        "PTQ",
        "量 化",
        "Quantization",
        "QAT",
    ):
        assert term in names
    assert "检索词" not in ptq


def test_untitled_paper_gets_a_placeholder(pages: dict[str, str]) -> None:
    assert "（标题缺失：untitled-sparse）" in pages["papers/untitled-sparse.md"]
    assert "摘要缺失" in pages["papers/untitled-sparse.md"]


def test_report_page_follows_the_sample_structure(pages: dict[str, str]) -> None:
    text = pages["reports/report-2025-10-15/index.md"]
    briefs = text.index('<h2 id="briefs">论文技术简报')
    details = text.index('<h2 id="details">论文详细信息')
    assert briefs < details
    for paper in ("quant-llm", "kv-evict", "untitled-sparse"):
        assert text.count(f'<a href="../../papers/{paper}/">') == 2
    assert "<li>分析论文数量: 3 篇</li>" in text


def test_listings_paginate_and_never_list_every_page(model: SiteModel) -> None:
    small = RenderSettings(page_size=2, feed_size=1)
    out = {p.path: p.text for p in render_site(model, small)}
    assert {"papers/index.md", "papers/_pages/2.md", "papers/_pages/3.md"} <= set(out)
    assert "institutions/tsinghua-university/page-2.md" in out
    assert "techniques/quantization/cited.md" in out  # citations exist: a most-cited ordering
    page2 = out["papers/_pages/2.md"]
    # Listing pages are prebuilt HTML: links are the final relative URLs.
    assert '<a href="../../">« 上一页</a>' in page2 and '<a href="../3/">下一页 »</a>' in page2
    assert page2.count("<tr><td>") == 2
    feed = json.loads(out["feeds/techniques/quantization.json"])
    assert len(feed["items"]) == 1


def test_english_interface(model: SiteModel) -> None:
    out = {p.path: p.text for p in render_site(model, RenderSettings(language="en"))}
    assert '<h2 id="abstract">Abstract<a class="headerlink"' in out["papers/quant-llm.md"]
    assert "Brief pending." in out["papers/kv-evict.md"]
    assert "AI-generated (mistral-small-2506, 2025-11-03)" in out["papers/ptq-calib.md"]


def test_every_generated_page_is_linked_from_a_listing(pages: dict[str, str]) -> None:
    import posixpath
    import re

    from generator.site.render import page_url

    by_url = {page_url(p): p for p in pages if p.endswith(".md")}
    targets: set[str] = set()
    for path, text in pages.items():
        # Markdown pages link docs paths; prebuilt pages link the URLs MkDocs gives them.
        for link in re.findall(r"\]\(([^)]+\.md)\)", text):
            targets.add(posixpath.normpath(posixpath.join(posixpath.dirname(path), link)))
        for href in re.findall(r'<a(?: class="[^"]*")? href="([^":#]+)"', text):
            url = posixpath.normpath(posixpath.join(page_url(path), href)) + "/"
            targets.add(by_url.get(url.lstrip("./").replace("//", "/"), url))
    md_pages = {p for p in pages if p.endswith(".md") and p != "index.md"}
    assert md_pages <= targets


def test_page_texts_are_plain_data() -> None:
    page = PageText("papers/x.md", "text")
    assert page == PageText("papers/x.md", "text")


def test_a_forked_second_process_renders_the_same_pages() -> None:
    # In a fresh interpreter: this one may hold threads (browser, Pagefind), and render_site
    # never forks a process with threads.
    script = f"""
import sys
from generator.site.render import site as render
from generator.records import forked as fork
from generator.site.index import index_site
from generator.records.load import load_collection
model = index_site(load_collection({str(FIXTURE_DATA)!r}))
serial = [(p.path, p.text) for p in render.render_site(model, render.RenderSettings())]
render.PARALLEL_FROM = 1
forked = []
real = fork.fork_pool
fork.fork_pool = lambda: forked.append(real()) or forked[-1]
parallel = [(p.path, p.text) for p in render.render_site(model, render.RenderSettings())]
assert forked[0] is not None, "did not fork"
sys.exit(0 if parallel == serial and len(serial) > 50 else 1)
"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    if "did not fork" in done.stderr:
        pytest.skip("one CPU or no fork here: rendering stays in one process")
    assert done.returncode == 0, done.stderr
