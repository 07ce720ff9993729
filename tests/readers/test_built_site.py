"""The built site as readers and their tools see it: meta tags, exports, Cite, statistics, English."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from readers_build import HOSTILE_TLDR
from sitebuild import BuiltSite

from generator.site.render.exports import BIB_PATH, CSV_PATH, JSON_PATH

HOSTILE_TITLE = (
    'T</title><script>alert(1)</script> {{ 7*7 }} {: onclick="alert(2)" } '
    "[x](javascript:alert(3)) *em* _u_ `code` | pipe #"
)


class Page(HTMLParser):
    """Meta tags, elements by id, the <html> lang and the text of <pre> blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: list[tuple[str, str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.pre: dict[str, str] = {}
        self._pre: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.tags.append((tag, a))
        if tag == "meta" and a.get("name", "").startswith("citation_"):
            self.meta.append((a["name"], a.get("content", "")))
        if tag == "pre" and "id" in a:
            self._pre = a["id"]
            self.pre[self._pre] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre = None

    def handle_data(self, data: str) -> None:
        if self._pre:
            self.pre[self._pre] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_highwire_meta_tags_for_zotero_and_scholar(zh_site: BuiltSite) -> None:
    page = parse(zh_site.site / "papers" / "quant-llm" / "index.html")
    assert page.meta == [
        ("citation_title", "QuantLLM: 4-bit Weights for Large Language Models"),
        ("citation_author", "Wei Zhang"),
        ("citation_author", "Li Na"),
        ("citation_author", "John Smith"),
        # published at ICLR 2026: cited as of 2026, first posted on arXiv in 2025
        ("citation_publication_date", "2026"),
        ("citation_date", "2026"),
        ("citation_online_date", "2025/10/01"),
        ("citation_conference_title", "ICLR 2026"),
        ("citation_pdf_url", "https://arxiv.org/pdf/2510.01234"),
        ("citation_arxiv_id", "2510.01234"),
        ("citation_doi", "10.1145/3600006.3613165"),
        ("citation_keywords", "Quantization"),
    ]
    untitled = parse(zh_site.site / "papers" / "untitled-sparse" / "index.html")
    assert "citation_title" not in dict(untitled.meta)


def test_hostile_meta_tags_carry_text_and_add_no_markup(zh_site: BuiltSite) -> None:
    path = zh_site.site / "papers" / "hostile" / "index.html"
    page = parse(path)
    assert dict(page.meta)["citation_title"] == HOSTILE_TITLE
    assert dict(page.meta)["citation_journal_title"] == "<i>Venue</i> | {{ 1+1 }}"
    authors = [v for k, v in page.meta if k == "citation_author"]
    assert authors == ["<img src=x onerror=alert(4)>", "{{ config.site_name }}"]
    head = path.read_text(encoding="utf-8").split("</head>")[0]
    assert "<img" not in head and "<i>" not in head and "{{" not in head


def test_cite_block_holds_the_entry_of_the_bib_file(zh_site: BuiltSite) -> None:
    bib = (zh_site.site / BIB_PATH).read_text(encoding="utf-8")
    for paper_id in ("quant-llm", "hostile", "untitled-sparse"):
        path = zh_site.site / "papers" / paper_id / "index.html"
        page = parse(path)
        shown = page.pre[f"bibtex-{paper_id}"]
        assert shown.startswith("@") and f"{{{paper_id}," in shown
        assert shown in bib  # what the reader copies is what the .bib files hold
        button = next(a for t, a in page.tags if t == "button" and "data-pb-cite" in a)
        assert button["data-pb-cite"] == f"bibtex-{paper_id}"
        assert not any(k.startswith("on") for k in button)
        scripts = [a["src"] for t, a in page.tags if t == "script" and "src" in a]
        assert any(s.endswith("assets/javascripts/cite.js") for s in scripts)


def test_exports_are_served_at_stable_urls(zh_site: BuiltSite) -> None:
    for path in (JSON_PATH, CSV_PATH, BIB_PATH, "exports/reports/report-2025-11-02.bib"):
        built = zh_site.site / path
        assert built.is_file(), path
        assert built.read_bytes() == (zh_site.docs / path).read_bytes()
    data = json.loads((zh_site.site / JSON_PATH).read_text(encoding="utf-8"))
    assert data["count"] == 5
    home = (zh_site.site / "index.html").read_text(encoding="utf-8")
    for href in (JSON_PATH, CSV_PATH, BIB_PATH, "statistics/", "exports/"):
        assert f'href="{href}"' in home, href
    report = (zh_site.site / "reports" / "report-2025-11-02" / "index.html").read_text("utf-8")
    assert 'href="../../exports/reports/report-2025-11-02.bib"' in report
    exports_doc = zh_site.site / "exports" / "index.html"
    assert "papers.json" in exports_doc.read_text(encoding="utf-8")


def test_statistics_page_is_in_the_nav_with_inline_svg(zh_site: BuiltSite) -> None:
    text = (zh_site.site / "statistics" / "index.html").read_text(encoding="utf-8")
    assert text.count('<svg class="pb-chart"') == 5
    assert text.count("<table>") == 5
    home = (zh_site.site / "index.html").read_text(encoding="utf-8")
    assert 'href="statistics/"' in home and 'href="exports/"' in home


def test_english_interface(en_site: BuiltSite) -> None:
    site = en_site.site
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in home
    assert "Browse by technique" in home and "Statistics" in home
    paper = (site / "papers" / "quant-llm" / "index.html").read_text(encoding="utf-8")
    body = paper.split('<article class="md-content__inner', 1)[1]
    # the English TL;DR leads the page, before the Chinese brief
    tldr = body.index("QuantLLM stores LLM weights in 4 bits")
    assert tldr < body.index(">Brief<") < body.index("清华大学与北京大学发布了")
    assert ">Cite<" in paper and "Cite this paper" in paper
    meta = re.search(r'<meta name="description" content="([^"]*)"', paper)
    assert meta and html.unescape(meta.group(1)).startswith("QuantLLM stores LLM weights")
    stats = (site / "statistics" / "index.html").read_text(encoding="utf-8")
    assert "Papers per technique" in stats
    assert "Author-count distribution" in stats
    report = (site / "reports" / "report-2025-10-15" / "index.html").read_text(encoding="utf-8")
    assert "QuantLLM stores LLM weights in 4 bits" in report


def test_english_hostile_tldr_is_inert(en_site: BuiltSite) -> None:
    text = (en_site.site / "papers" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert('tldr')" not in text
    assert "alert('tldr')" in html.unescape(text)
    data = json.loads((en_site.site / JSON_PATH).read_text(encoding="utf-8"))
    assert next(p for p in data["papers"] if p["id"] == "hostile")["tldr"] == HOSTILE_TLDR
