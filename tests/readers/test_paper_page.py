"""What a reader sees on a paper page: authors, first version, venue and status, links, meta tags."""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from readers_build import build_fixture
from sitebuild import FIXTURE_DATA, BuiltSite

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

AUTHORS = [f"Author Number{i:02d}" for i in range(1, 13)]

EXTRA_PAPERS = {
    "many-hands": f"""title: Many Hands Make Light Work
authors: [{", ".join(AUTHORS)}]
institutions: [Tsinghua University]
published: 2025-09-29
venue_status: preprint
year: 2025
links:
  arxiv: "2509.25420"
  code: https://github.com/example/many-hands
arxiv_category: cs.AI
techniques: [kv-cache]
added: 2025-11-03
sources:
  code: "the project README, not the paper"
""",
    "withdrawn-sub": """title: A Withdrawn Submission
authors: [Ann Example, Bo Example]
published: 2025-09-30
venue: ICLR 2026
venue_status: withdrawn
year: 2025
links:
  arxiv: "2509.26277"
arxiv_category: cs.CV
techniques: [quantization]
added: 2025-11-03
""",
}


# Semantic Scholar's answer for many-hands (Scholar blocks CI runners: often the only count).
S2_ANSWER = """metadata:
  semantic_scholar:
    status: found
    input: ARXIV:2509.25420
    input_hash: test
    source: https://api.semanticscholar.org/graph/v1/paper/batch
    fetched: 2025-11-20T08:00:00+00:00
    paper_id: 0123456789abcdef0123456789abcdef01234567
    title: Many Hands Make Light Work
    citations: 17
"""


def _data(target: Path) -> Path:
    shutil.copytree(FIXTURE_DATA, target)
    for paper_id, text in EXTRA_PAPERS.items():
        (target / "papers" / f"{paper_id}.yaml").write_text(text, encoding="utf-8")
    (target / "enrichment" / "many-hands.yaml").write_text(S2_ANSWER, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    base = tmp_path_factory.mktemp("paper-page")
    return build_fixture(base, _data(base / "data"))


class Body(HTMLParser):
    """The article's text, the <details> blocks, links by text and citation meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.details: list[dict[str, str]] = []
        self.links: dict[str, str] = {}
        self.meta: list[tuple[str, str]] = []
        self._in: list[str] = []
        self._href: str | None = None
        self._link_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and a.get("name", "").startswith("citation_"):
            self.meta.append((a["name"], a.get("content", "")))
        if tag == "details":
            self.details.append({"summary": "", "text": "", "open": str("open" in a)})
        if tag == "a":
            self._href, self._link_text = a.get("href"), ""
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links[self._link_text.strip()] = self._href
            self._href = None
        while self._in and self._in.pop() != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._href is not None:
            self._link_text += data
        if "details" in self._in and self.details:
            key = "summary" if "summary" in self._in else "text"
            self.details[-1][key] += data


def _page(site: BuiltSite, paper_id: str) -> tuple[Body, str]:
    html = (site.site / "papers" / paper_id / "index.html").read_text(encoding="utf-8")
    head, body = html.split("</head>", 1)
    article = body.split('<article class="md-content__inner', 1)[1].split("</article>", 1)[0]
    meta = Body()
    meta.feed(head)
    page = Body()
    page.feed("<article " + article)
    page.meta = meta.meta
    return page, " ".join(" ".join(page.text).split())


def test_many_authors_show_the_first_ones_and_expand_without_javascript(site: BuiltSite) -> None:
    page, text = _page(site, "many-hands")
    assert "作者: " + "、".join(AUTHORS[:6]) + " 等 12 人" in text
    (more,) = [d for d in page.details if "等" in d["summary"]]
    assert more["summary"].strip() == "等 12 人"
    assert more["open"] == "False"  # closed: the summary is what shows, a click opens it
    assert [n.strip() for n in more["text"].split("、")] == AUTHORS[6:]
    assert "作者数量: 12 人" in text


def test_first_version_venue_status_and_category_are_shown(site: BuiltSite) -> None:
    _, text = _page(site, "withdrawn-sub")
    assert "首版日期: 2025-09-30" in text
    assert "发表情况: ICLR 2026 · 已撤回" in text
    assert "arXiv 分类: cs.CV" in text
    _, text = _page(site, "many-hands")
    assert "发表情况: 预印本" in text
    _, text = _page(site, "quant-llm")
    assert "发表情况: ICLR 2026 · 已发表" in text


def test_one_row_of_links_with_the_arxiv_id_as_text(site: BuiltSite) -> None:
    page, text = _page(site, "many-hands")
    assert "arXiv:2509.25420 · PDF · 代码" in text
    assert page.links["arXiv:2509.25420"] == "https://arxiv.org/abs/2509.25420"
    assert page.links["PDF"] == "https://arxiv.org/pdf/2509.25420"
    assert page.links["代码"] == "https://github.com/example/many-hands"
    page, text = _page(site, "quant-llm")
    assert "arXiv:2510.01234 · PDF · DOI · 代码" in text
    assert page.links["DOI"] == "https://doi.org/10.1145/3600006.3613165"


def test_sources_say_where_a_fact_came_from(site: BuiltSite) -> None:
    _, text = _page(site, "many-hands")
    assert "事实来源: 代码: the project README, not the paper" in text


def test_highwire_tags_name_every_author_and_the_first_version(site: BuiltSite) -> None:
    page, _text = _page(site, "many-hands")
    meta = page.meta
    assert [v for k, v in meta if k == "citation_author"] == AUTHORS
    assert ("citation_publication_date", "2025/09/29") in meta
    assert ("citation_online_date", "2025/09/29") in meta
    assert ("citation_arxiv_id", "2509.25420") in meta
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2509.25420") in meta
    # a withdrawn submission is not presented as a conference paper
    page, _text = _page(site, "withdrawn-sub")
    names = {k for k, _v in page.meta}
    assert "citation_conference_title" not in names and "citation_journal_title" not in names
    # a published paper's date is its venue's year, the arXiv date goes in citation_online_date
    page, _text = _page(site, "quant-llm")
    assert ("citation_publication_date", "2026") in page.meta
    assert ("citation_online_date", "2025/10/01") in page.meta
    assert ("citation_conference_title", "ICLR 2026") in page.meta


def test_the_english_interface_says_and_n_more(tmp_path: Path) -> None:
    model = index_site(load_collection(_data(tmp_path / "data")))
    settings = RenderSettings(language="en", site_name="Papers", site_url="https://example.org/")
    page = next(p for p in render_site(model, settings) if p.path == "papers/many-hands.md")
    assert "<summary>and 6 more</summary>" in page.text
    assert "Venue: preprint" in page.text or "Venue</strong>: preprint" in page.text


def test_citations_say_their_source_and_date(site: BuiltSite) -> None:
    page, text = _page(site, "many-hands")
    assert "被引 17 次（截至 2025-11-20，Semantic Scholar）" in text
    assert page.links["Semantic Scholar 记录"] == (
        "https://www.semanticscholar.org/paper/0123456789abcdef0123456789abcdef01234567"
    )
    _, text = _page(site, "quant-llm")  # a matched Google Scholar record
    assert "被引 42 次（截至 2025-11-05，Google Scholar）" in text
    exported = json.loads((site.site / "exports" / "papers.json").read_text(encoding="utf-8"))
    cited = {p["id"]: p["citations"] for p in exported["papers"]}
    assert cited["many-hands"]["source"] == "Semantic Scholar"
    assert (cited["many-hands"]["count"], cited["many-hands"]["as_of"]) == (17, "2025-11-20")
    assert cited["quant-llm"]["source"] == "Google Scholar"
