"""The hostile data built end to end: every output file is scanned for payloads that came alive."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import feedparser
import pytest
import yaml
from hostile_build import HostileSite, generated_docs
from hostile_payloads import GROUPS, SNIPPET_SENTINEL
from hostile_scan import Finding, check_file, check_html, scan_tree

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible_text(page: str) -> str:
    """Return the text a reader sees in an HTML page, whitespace folded."""

    class Text(__import__("html.parser").parser.HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.skip += tag in {"script", "style"}

        def handle_endtag(self, tag: str) -> None:
            self.skip -= tag in {"script", "style"}

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def _fold(text: str) -> str:
    return " ".join(text.split())


def test_build_succeeds_offline_with_no_keys(hostile_site: HostileSite) -> None:
    assert hostile_site.run.returncode == 0, hostile_site.run.stderr
    assert any(line.startswith("loaded ") for line in hostile_site.guard), "socket guard not loaded"
    assert [line for line in hostile_site.guard if line.startswith("blocked")] == []


def test_every_output_file_is_inert(hostile_site: HostileSite) -> None:
    findings, kinds = scan_tree(hostile_site.site)
    assert findings == [], "\n".join(map(str, findings[:40]))
    # the scan really read pages, feeds, the search index and the sitemap
    assert kinds.get(".html", 0) > 10 and kinds.get(".xml", 0) >= 2 and kinds.get(".json", 0) >= 2
    assert (hostile_site.site / "sitemap.xml").is_file()


def test_generated_markdown_is_inert(hostile_site: HostileSite) -> None:
    docs = hostile_site.project / "docs"
    files = generated_docs(docs)
    assert len(files) > 20
    findings = [f for rel, raw in files.items() for f in check_file(raw, rel, rel)]
    assert findings == [], "\n".join(map(str, findings[:40]))


def test_no_control_or_bidi_character_reaches_any_file(hostile_site: HostileSite) -> None:
    leaks = []
    for root in (hostile_site.site, hostile_site.project / "docs", hostile_site.data):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                continue  # binary: images, fonts, compressed indexes
            if path.suffix in {".js", ".map", ".css"}:
                continue  # theme and Pagefind code, not built from records
            found = _CONTROLS.search(text)
            if found:
                leaks.append(f"{path.relative_to(root)}: U+{ord(found.group()):04X}")
    assert leaks == []


def test_the_payloads_read_as_the_text_they_are(hostile_site: HostileSite) -> None:
    for i, group in enumerate(GROUPS):
        title = f"Hostile {i}: {group}"
        page = (hostile_site.site / "papers" / f"hostile-{i}" / "index.html").read_text("utf-8")
        head = re.search(r"<title>(.*?)</title>", page, re.S)
        assert head and html.unescape(head.group(1)).startswith(_fold(title))
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)
        assert h1 and _visible_text(h1.group(1)).startswith(_fold(title))
        description = re.search(r'<meta name="description" content="([^"]*)"', page)
        assert description and "<" in html.unescape(description.group(1))
    text = _visible_text((hostile_site.site / "papers" / "hostile-3" / "index.html").read_text())
    for literal in ("JJ{{ 7*7 }}JJ", "JR{% raw %}JRX{% endraw %}", '--8<-- "/etc/passwd"'):
        assert literal in text


def test_no_template_ever_evaluated_record_text(hostile_site: HostileSite) -> None:
    config = yaml.safe_load((hostile_site.project / "mkdocs.yml").read_text("utf-8"))
    rendered = f"JK{config['site_name']}JK"
    for root in (hostile_site.site, hostile_site.project / "docs"):
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            raw = path.read_bytes()
            assert rendered.encode() not in raw, path
            assert SNIPPET_SENTINEL.encode() not in raw, path


def test_every_field_reaches_the_site_as_text(hostile_site: HostileSite) -> None:
    """The scan is only worth something if every hostile field was really published."""
    texts = " ".join(
        _visible_text(p.read_text("utf-8")) for p in sorted(hostile_site.site.rglob("*.html"))
    )
    expected = {
        "title": "Hostile 0:",
        "authors": "Author 0",
        "human brief": GROUPS[0][:20],
        "record tldr": "TLDR 0:",
        "LLM tldr": "LLM TLDR 1:",
        "LLM model": "model ",
        "venue": GROUPS[2][:20],
        "review": "review 0:",
        "notes": "Setext",
        "institution en": "Institute 0",
        "institution zh": "研究所0",
        "institution alias": "Alias0",
        "technique zh": "技术0",
        "technique en": "Technique 0",
        "technique alias": "alias0",
        "technique description": GROUPS[2][:20],
        "report title": "Report ",
        "report intro": "line one",
        "scholar venue": "Venue ",
    }
    missing = {field: text for field, text in expected.items() if text not in texts}
    assert missing == {}


def test_feeds_parse_and_keep_payloads_as_text(hostile_site: HostileSite) -> None:
    feeds = sorted((hostile_site.site / "feeds").rglob("*.xml"))
    assert len(feeds) >= 7
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            assert entry.title and entry.link.startswith("https://")
    reports = feedparser.parse((hostile_site.site / "feeds" / "reports.xml").read_bytes())
    assert any("pbx01" in e.title for e in reports.entries)  # kept, as text
    for path in sorted((hostile_site.site / "feeds").rglob("*.json")):
        feed = json.loads(path.read_text("utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert "<" not in path.read_text("utf-8")  # \u003c: inert even if a page inlines it


# ---- the scanner itself must catch what it is looking for ----------------------------------

LIVE_HTML = [
    '<p><script>alert("pbx01")</script></p>',
    "<p><img src=x onerror=alert(1)></p>",
    "<svg onload=alert(1)></svg>",
    "<b pbx04>t</b>",
    '<p id="x" onclick="alert(1)">x</p>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x61;script:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href=" &#14;javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<iframe src="https://evil.example"></iframe>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<form action="javascript:alert(1)"></form>',
    "<!-- pbx23 hides the rest",
    '<base href="https://evil.example/">',
]


@pytest.mark.parametrize("snippet", LIVE_HTML)
def test_scanner_catches_live_html(snippet: str) -> None:
    page = f"<!doctype html><html><body>{snippet}</body></html>"
    assert check_file(page.encode(), "index.html", "x") != []


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "feed.xml",
            "<rss><channel><item><description><![CDATA[<img src=x onerror=alert(1)>]]>"
            "</description></item></channel></rss>",
        ),
        (
            "search_index.json",
            json.dumps({"docs": [{"location": "", "title": "t", "text": "<svg onload=alert(1)>"}]}),
        ),
        (
            "feed.json",
            json.dumps(
                {
                    "version": "https://jsonfeed.org/version/1.1",
                    "items": [{"content_html": '<a href="javascript:x">'}],
                }
            ),
        ),
        ("data.json", '{"title": "<img pbx02 src=x onerror=alert(2)>"}'),
        ("page.md", "# JJ49JJ"),
        ("page.md", f"included: {SNIPPET_SENTINEL}"),
        ("papers.csv", 'id,title\r\nx,"=HYPERLINK(""https://evil.example"",""pbx31"")"\r\n'),
        ("papers.bib", "@article{x,\n  title = {a}, injected = {pbx32},\n}\n"),
    ],
)
def test_scanner_catches_live_payloads_in_other_formats(name: str, content: str) -> None:
    assert check_file(content.encode(), name, name) != []


def test_scanner_reads_pagefind_and_gzip() -> None:
    import gzip

    fragment = json.dumps(
        {
            "url": "/p/",
            "content": "<img src=x onerror=alert(1)>",
            "meta": {"title": "<b>"},
            "filters": {"k": ["<img src=x onerror=alert(1)>"]},
            "anchors": [],
        }
    )
    raw = gzip.compress(b"pagefind_dcd" + fragment.encode())
    found = check_file(raw, "x.pf_fragment", "x")
    assert [f.rule for f in found] == ["event handler attribute"]  # the filter, not the content
    assert check_file(gzip.compress(b"<?xml version='1.0'?><a>JJ49JJ</a>"), "s.xml.gz", "s")


def test_inert_html_passes_the_scanner() -> None:
    escaped = "&lt;img pbx02 src=x onerror=alert(2)&gt; &#91;x&#93;(javascript:alert(1))"
    assert check_html(f'<p title="{escaped}">{escaped}</p>', "x") == []
    assert Finding("a", "b", "c")  # printable
    assert Path(__file__).name.startswith("test_hostile")


def test_the_build_configuration_never_reads_record_text_as_code() -> None:
    """SECURITY.md promises no hooks, no snippets, no macros; templates never mark text safe."""
    root = Path(__file__).resolve().parents[2]
    config = (root / "mkdocs.yml").read_text("utf-8")
    for forbidden in ("hooks:", "pymdownx.snippets", "macros", "md_in_html"):
        assert forbidden not in config, forbidden
    for template in sorted((root / "overrides").rglob("*.html")):
        assert "| safe" not in template.read_text("utf-8"), template
    assert (root / "SECURITY.md").is_file()
