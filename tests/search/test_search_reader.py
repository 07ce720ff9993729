"""Search as a reader meets it, in Chromium, on the real bundle of the default site (data/).

Every name of the registries (institutions and techniques: labels, aliases, both languages) must
find every paper that carries it, among the results holding the name as written; every author
and arXiv id must find its paper first. The queries go through the search page's own code
(pb-search.js), as typed; a filter alone lists its papers; the year filter is there in both
languages; paper pages keep their search terms out of sight and results show the brief.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from machine_tools import BROWSER_TIMEOUT_MS
from searchsite import ROOT, serve_directory

from generator.records.collection import Collection
from generator.records.load import load_collection
from generator.site.build import build_site
from generator.site.search_terms import fold
from generator.site.write import copy_handwritten_docs

pytestmark = pytest.mark.browser

DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"


@dataclass
class Served:
    """A built default site and where it is served."""

    site: Path
    base: str
    language: str


def _serve(tmp: Path, language: str) -> Iterator[Served]:
    docs = copy_handwritten_docs(ROOT / "docs", tmp / "docs")
    build_site(DATA, docs, tmp / "site", config_file=CONFIG, language=language)
    with serve_directory(tmp / "site") as base:
        yield Served(tmp / "site", base, language)


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The default site in Chinese, built and served once for this module."""
    yield from _serve(tmp_path_factory.mktemp("default-zh"), "zh")


@pytest.fixture(scope="module")
def en_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The default site in English."""
    yield from _serve(tmp_path_factory.mktemp("default-en"), "en")


@pytest.fixture(scope="module")
def collection() -> Collection:
    return load_collection(DATA)


def _search_page(browser: Any, served: Served, query: str = "") -> Any:
    page = browser.new_page()
    page.set_default_timeout(BROWSER_TIMEOUT_MS)
    page.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors  # checked by the tests
    page.goto(served.base + "search/" + (f"?q={query}" if query else ""))
    page.wait_for_selector("#pb-search[data-ready]")
    return page


def _find_all(page: Any, queries: list[str], chunks: int = 0) -> list[list[dict[str, Any]]]:
    """Run each query through the search page's own code; return [{paper, exact}] per query.

    `chunks` stands for the page's MAX_CHUNKS (0: the page's own): a query whose words need more
    index chunks is searched by a window of it, every candidate checked against its fragment.
    """
    found = page.evaluate(
        """async ([queries, chunks]) => {
          const root = document.getElementById('pb-search');
          const out = [];
          for (const q of queries) out.push(await root.pbFind(q, chunks));
          return out;
        }""",
        [queries, chunks],
    )
    return [
        [{"paper": r["url"].rstrip("/").rsplit("/", 1)[-1], "exact": r["exact"]} for r in results]
        for results in found
    ]


def _names_and_papers(collection: Collection) -> list[tuple[str, str, set[str]]]:
    """Return (what, name, papers carrying it) for every registry name that has papers."""
    by_inst: dict[str, set[str]] = {}
    by_tech: dict[str, set[str]] = {}
    techniques = collection.techniques
    for paper in collection.papers.values():
        for inst in paper.institutions:
            by_inst.setdefault(inst.id, set()).add(paper.id)
        for tech in paper.techniques:
            current = tech
            seen: set[str] = set()
            # a narrower technique's paper carries its parents' names too
            while current is not None and current.id not in seen:
                seen.add(current.id)
                by_tech.setdefault(current.id, set()).add(paper.id)
                current = techniques.get(current.parent) if current.parent else None
    out: list[tuple[str, str, set[str]]] = []
    for inst in collection.institutions.by_id.values():
        for name in (inst.en, inst.zh, *inst.aliases):
            if name and inst.id in by_inst:
                out.append((f"institution {inst.id}", name, by_inst[inst.id]))
    for tech in techniques.values():
        for name in (tech.zh, tech.en, *tech.aliases):
            if tech.id in by_tech:
                out.append((f"technique {tech.id}", name, by_tech[tech.id]))
    return out


def test_every_registry_name_finds_all_its_papers_among_the_exact_matches(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    names = _names_and_papers(collection)
    assert len(names) > 300  # en, zh and every alias of every institution and technique in use
    page = _search_page(browser, zh_site)
    results = _find_all(page, [name for _, name, _ in names])
    missing = []
    for (what, name, papers), found in zip(names, results, strict=True):
        exact = {r["paper"] for r in found if r["exact"]}
        everything = {r["paper"] for r in found}
        # a one-word name has no exact search: it must simply find every paper
        wanted = exact if len(name.split()) > 1 or _has_cjk(name) else everything
        if not papers <= wanted:
            missing.append(f"{what}: {name!r} found {sorted(everything)}, wants {sorted(papers)}")
    assert not missing, f"{len(missing)} of {len(names)} names miss papers:\n" + "\n".join(missing)
    assert not page.errors


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\u3040" <= ch <= "\u30ff" for ch in text)


def test_a_brief_s_own_words_find_the_paper(browser: Any, zh_site: Served) -> None:
    # the exact text of a brief, which the browser and the index split differently
    (found,) = _find_all(_search_page(browser, zh_site), ["华为诺亚方舟实验室"])
    assert found and found[0] == {"paper": "small-lm-post-training", "exact": True}


def test_every_author_and_arxiv_id_finds_its_paper_first(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    queries: list[tuple[str, set[str]]] = []
    for paper in collection.papers.values():
        for author in paper.record.authors or []:
            carrying = {
                p.id for p in collection.papers.values() if author in (p.record.authors or [])
            }
            queries.append((author, carrying))
        if paper.record.links.arxiv:
            queries.append((paper.record.links.arxiv, {paper.id}))
    assert len(queries) > 100
    results = _find_all(_search_page(browser, zh_site), [q for q, _ in queries])
    wrong = [
        f"{query!r}: first {found[0]['paper'] if found else None}, wants one of {sorted(papers)}"
        for (query, papers), found in zip(queries, results, strict=True)
        if not found or found[0]["paper"] not in papers
    ]
    assert not wrong, "\n".join(wrong)


def test_a_filter_alone_lists_its_papers(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    page = _search_page(browser, zh_site)
    chunks: list[str] = []
    page.on("request", lambda r: chunks.append(r.url) if "/pagefind/index/" in r.url else None)
    technique = collection.techniques["kv-cache"]
    papers = {p.id for p in collection.papers.values() if technique in p.techniques}
    page.locator("details.pb-search__filter").evaluate_all("ds => ds.forEach(d => d.open = true)")
    page.locator(".pb-search__filter-label", has_text=technique.zh).first.click()
    page.wait_for_function(
        "n => document.querySelectorAll('.pb-search__result').length === n", arg=len(papers)
    )
    links = page.locator(".pb-search__result-link").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert {link.rstrip("/").rsplit("/", 1)[-1] for link in links} == papers
    assert page.input_value("input.pb-search__input") == ""
    # One index chunk, not all of them (Pagefind's own filter-only search loads every chunk:
    # 5.9 MiB at 10,000 papers); the bundle has several, so loading them all would show here.
    assert len(list((zh_site.site / "pagefind" / "index").iterdir())) > 1
    assert len(chunks) == 1, chunks
    assert not page.errors


@pytest.mark.parametrize(("language", "year"), [("zh", "年份"), ("en", "Year")])
def test_the_year_filter_is_there_in_both_languages(
    browser: Any, zh_site: Served, en_site: Served, language: str, year: str
) -> None:
    served = zh_site if language == "zh" else en_site
    page = _search_page(browser, served)
    groups = page.locator(".pb-search__filter-name").all_inner_texts()
    assert year in groups, groups
    block = page.locator("details.pb-search__filter", has_text=year)
    block.evaluate("d => d.open = true")
    values = block.locator(".pb-search__filter-value").all_inner_texts()
    assert values and all(v.isdigit() for v in values)


def test_results_show_the_brief_and_paper_pages_show_no_keyword_dump(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    page = _search_page(browser, zh_site, "KV%E7%BC%93%E5%AD%98")  # KV缓存
    page.wait_for_selector(".pb-search__result")
    first = page.locator(".pb-search__result").first
    paper_id = first.locator("a").get_attribute("href").rstrip("/").rsplit("/", 1)[-1]
    brief = collection.papers[paper_id].brief_text
    assert brief and first.locator(".pb-search__brief").inner_text()[:40] == brief[:40]
    shown = page.locator(".pb-search__list").inner_text()
    for chrome in ("检索词", "Search terms", "相关论文", "Related papers", "简报."):
        assert chrome not in shown
    # the paper page itself: its search terms are indexed (they found it) but not shown
    paper = browser.new_page()
    paper.set_default_timeout(BROWSER_TIMEOUT_MS)
    paper.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    paper.goto(zh_site.base + f"papers/{paper_id}/")
    visible = paper.locator("article").inner_text()
    assert "检索词" not in visible and "Search terms" not in visible
    assert "K V" not in visible and paper.locator(".pb-terms").is_hidden()


def _flat(text: str) -> str:
    """Return text folded, in lower case, with letters and digits only."""
    return "".join(ch for ch in fold(text).lower() if ch.isalnum())


def _page_text(collection: Collection, paper_id: str) -> str:
    """Return the texts a paper page shows that a clause or name may come from."""
    paper = collection.papers[paper_id]
    names = [n for i in paper.institutions for n in (i.en, i.zh, *i.aliases) if n]
    names += [n for t in paper.techniques for n in (t.zh, t.en, *t.aliases) if n]
    return " | ".join([paper.record.title, paper.brief_text or "", *names])


def _clauses(collection: Collection) -> list[tuple[str, str]]:
    """Return (paper id, clause) for every clause of 8 characters or more of every brief."""
    out = []
    for paper in collection.papers.values():
        for clause in re.split(r"[，。；：、（）]", paper.brief_text or ""):
            if len(clause) >= 8:
                out.append((paper.id, clause))
    return out


def test_a_query_searched_by_a_window_finds_what_the_whole_query_finds(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    # With one index chunk allowed, a query whose words lie in more chunks is searched by its
    # best window and each candidate checked: the same papers, as phrase and as word matches.
    names = [name for _, name, _ in _names_and_papers(collection)]
    clauses = _clauses(collection)
    queries = names + [clause for _, clause in clauses]
    page = _search_page(browser, zh_site)
    plans = page.evaluate(
        """async (queries) => {
          const root = document.getElementById('pb-search');
          const out = [];
          for (const q of queries) out.push(await root.pbPlan(q, 1));
          return out;
        }""",
        queries,
    )
    windowed = [q for q, plan in zip(queries, plans, strict=True) if plan is not None]
    assert len(windowed) > len(queries) // 4, "the site has too few chunks to test windows"
    whole = _find_all(page, windowed, chunks=1000)
    part = _find_all(page, windowed, chunks=1)
    differ = []
    for query, a, b in zip(windowed, whole, part, strict=True):
        exact_a = {r["paper"] for r in a if r["exact"]}
        exact_b = {r["paper"] for r in b if r["exact"]}
        # The check may find a phrase the index cannot: Latin words and then CJK (Weight
        # Scaling和知识蒸馏) are never consecutive single words there. Such a page must hold it.
        extra = {
            p for p in exact_b - exact_a if _flat(query) not in _flat(_page_text(collection, p))
        }
        # Pagefind reads a number with a decimal point its own way (2.5×: 25, or 2 and 5, each a
        # prefix), so for such a query a word match may differ; a phrase match may not.
        lost = {r["paper"] for r in a} - {r["paper"] for r in b}
        if not exact_a <= exact_b or extra or (lost and not re.search(r"\d[.,]\d", query)):
            differ.append(f"{query!r}: whole {a}, in part {b}")
    assert not differ, "\n".join(differ)
    # and the paper a brief's clause comes from is among that clause's phrase matches
    found = dict(zip(windowed, part, strict=True))
    missing = [
        (paper, clause)
        for paper, clause in clauses
        if clause in found and {"paper": paper, "exact": True} not in found[clause]
    ]
    assert not missing, missing
    assert not page.errors


def test_a_long_query_loads_only_its_window_s_chunks_and_shows_checked_results(
    browser: Any, zh_site: Served, collection: Collection
) -> None:
    page = _search_page(browser, zh_site)
    phrase = "解决了小语言模型预训练后性能不足"  # from small-lm-post-training's brief
    assert page.evaluate("q => document.getElementById('pb-search').pbPlan(q, 1)", phrase)
    chunks: list[str] = []
    page.on("request", lambda r: chunks.append(r.url) if "/pagefind/index/" in r.url else None)
    page.evaluate("document.getElementById('pb-search').setAttribute('data-max-chunks', '1')")
    page.fill("input.pb-search__input", phrase)
    page.press("input.pb-search__input", "Enter")
    page.wait_for_function(
        """() => {
          const root = document.getElementById('pb-search');
          return !root.hasAttribute('aria-busy') && root.querySelector('.pb-search__result');
        }"""
    )
    assert len(set(chunks)) == 1, chunks
    exact = page.locator(".pb-search__exact .pb-search__result-link").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))"
    )
    assert any(link.rstrip("/").endswith("small-lm-post-training") for link in exact), exact
    # every result shown was checked: each phrase match's page holds the phrase
    briefs = page.locator(".pb-search__exact .pb-search__brief").all_inner_texts()
    assert briefs and all(phrase in brief for brief in briefs), briefs
    assert page.locator(".pb-search__status").inner_text() == "找到 1 篇论文。"
    assert not page.errors


def test_checked_results_come_a_batch_at_a_time_until_every_candidate_is_checked(
    browser: Any, zh_site: Served
) -> None:
    page = _search_page(browser, zh_site)
    query = "的问题"
    root = "document.getElementById('pb-search')"
    assert page.evaluate(f"q => {root}.pbPlan(q, 1)", query)
    wanted = _find_all(page, [query], chunks=1)[0]
    assert len(wanted) > 10  # more than one batch of results
    page.evaluate(f"{root}.setAttribute('data-max-chunks', '1')")
    page.fill("input.pb-search__input", query)
    page.press("input.pb-search__input", "Enter")
    idle = f"() => !{root}.hasAttribute('aria-busy') && {root}.querySelector('.pb-search__result')"
    page.wait_for_function(idle)
    status = page.locator(".pb-search__status")
    assert status.inner_text().startswith("检索词较长"), status.inner_text()
    more = page.locator(".pb-search__more")
    for _ in range(len(wanted)):
        if more.is_hidden():
            break
        more.click()  # disabled until its batch is checked and shown
        page.wait_for_function("!document.querySelector('.pb-search__more').disabled")
    assert more.is_hidden()

    def papers(selector: str) -> set[str]:
        links = page.locator(f"{selector} .pb-search__result-link").evaluate_all(
            "as => as.map(a => a.getAttribute('href'))"
        )
        return {link.rstrip("/").rsplit("/", 1)[-1] for link in links}

    exact = {r["paper"] for r in wanted if r["exact"]}
    loose = {r["paper"] for r in wanted if not r["exact"]}
    assert papers(".pb-search__exact") == exact
    assert papers(".pb-search__loose") == loose
    final = f"{len(exact)} 篇论文含完整的检索词，另有 {len(loose)} 篇含其中的字词。"
    assert status.inner_text() == (final if exact and loose else f"找到 {len(wanted)} 篇论文。")
    assert not page.errors
