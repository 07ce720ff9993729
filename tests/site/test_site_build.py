"""End to end: the real strict MkDocs build of the fixture and of the bundled data."""

from __future__ import annotations

import filecmp
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from sitebuild import CONFIG, FIXTURE_DATA, BuiltSite, build_into

from generator.cli import main
from generator.records.load import load_collection
from generator.site.search_terms import fold, spaced_cjk

HOSTILE_TITLE = (
    'T</title><script>alert(1)</script> {{ 7*7 }} {: onclick="alert(2)" } '
    "[x](javascript:alert(3)) *em* _u_ `code` | pipe #"
)
SEPARATOR = re.compile("[\\s\u200b\u3000\\-、。，．？！；]+")


class Page(HTMLParser):
    """Collect what a browser would act on: tags, attributes, script bodies, title, links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[str] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in {"script", "title"}:
            self._in = tag
            if tag == "script":
                self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts[-1] += data
        elif self._in == "title":
            self.title += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


# ---- the fixture site (hostile record included) -------------------------------------------


def test_hostile_text_is_inert_in_every_page(fixture_site: BuiltSite) -> None:
    for path in html_files(fixture_site.site):
        page = parse(path)
        for tag, attrs in page.tags:
            assert tag not in {"iframe", "img", "b", "i"} or "evil" not in str(attrs), (path, tag)
            for name, value in attrs.items():
                assert not name.startswith("on"), (path, tag, name)
                if name in {"href", "src", "action", "formaction", "srcdoc", "style"}:
                    assert "alert(" not in value, (path, tag, value)
                    assert "javascript:" not in value.lower(), (path, tag, value)
            if tag == "script" and "src" in attrs:
                assert "://" not in attrs["src"], (path, attrs)
                assert "assets/javascripts/" in attrs["src"], (path, attrs)
        assert all("alert(" not in body for body in page.scripts), path
        assert "49" not in page.title, path


def test_hostile_title_reads_as_text_in_title_heading_and_meta(fixture_site: BuiltSite) -> None:
    page = parse(fixture_site.site / "papers" / "hostile" / "index.html")
    assert page.title.strip() == f"{HOSTILE_TITLE} - 论文简报"
    meta = dict(next(a for t, a in page.tags if t == "meta" and a.get("name") == "description"))
    assert meta["content"].startswith("AI 简报 <script>alert('brief')</script> {{ 7*7 }}")
    raw = (fixture_site.site / "papers" / "hostile" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in raw and "<img src=x" not in raw and "<iframe" not in raw
    assert "{{ 7*7 }}" not in raw  # entity-escaped, yet it displays as {{ 7*7 }}


def test_the_home_page_names_the_site_once(fixture_site: BuiltSite) -> None:
    # The drawer's title is the site's name: the home page's own navigation entry says "首页",
    # and the browser's title is the site's name alone, not "论文简报 - 论文简报".
    home = fixture_site.site / "index.html"
    assert parse(home).title.strip() == "论文简报"
    raw = home.read_text(encoding="utf-8")
    primary = raw[raw.index("md-nav--primary") :]
    labels = re.findall(r'md-ellipsis">\s*([^<]*?)\s*<', primary)
    assert labels[0] == "首页" and "论文简报" not in labels
    assert "<h1>论文简报</h1>" in raw


def test_material_search_index_stays_small_and_inert(fixture_site: BuiltSite) -> None:
    # Paper pages are Pagefind's: Material's own index holds only the hand-written pages.
    index = json.loads(
        (fixture_site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    locations = {d["location"].split("#")[0] for d in index["docs"]}
    assert not any(loc.startswith(("papers/", "techniques/", "institutions/")) for loc in locations)
    for doc in index["docs"]:
        for field in ("title", "text"):
            for tag in ("<script", "<img", "<iframe", "<b>", "<i>"):
                assert tag not in doc[field], (doc["location"], field, tag)


def test_feeds_parse_and_keep_hostile_text_escaped(fixture_site: BuiltSite) -> None:
    # sitemap.xml files beside the feeds only keep Material's alternate-link lookup from a 404.
    feeds = sorted(
        p for p in (fixture_site.site / "feeds").rglob("*.xml") if p.name != "sitemap.xml"
    )
    assert len(feeds) == 1 + 4 + 4  # reports, each technique, each institution with papers
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        for entry in parsed.entries:
            assert entry.id.startswith("paperbrief:")
            assert entry.link.startswith("https://example.github.io/paperbrief/")
            for value in (entry.title, entry.get("summary", "")):
                assert "<script" not in value and "<img" not in value and "<b>" not in value
    reports = feedparser.parse((fixture_site.site / "feeds" / "reports.xml").read_bytes())
    assert [e.id for e in reports.entries] == [
        "paperbrief:report:report-2025-11-02",
        "paperbrief:report:report-2025-10-15",
    ]
    assert (
        reports.entries[0].link == "https://example.github.io/paperbrief/reports/report-2025-11-02/"
    )


def test_json_feeds_follow_json_feed_1_1(fixture_site: BuiltSite) -> None:
    for path in sorted((fixture_site.site / "feeds").rglob("*.json")):
        raw = path.read_text(encoding="utf-8")
        assert "<" not in raw and ">" not in raw
        feed = json.loads(raw)
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"].endswith(path.relative_to(fixture_site.site).as_posix())
        for item in feed["items"]:
            assert item["id"].startswith("paperbrief:") and item["url"].startswith("https://")
            assert "<script" not in item["content_html"]
    quant = json.loads(
        (fixture_site.site / "feeds" / "techniques" / "quantization.json").read_text(
            encoding="utf-8"
        )
    )
    assert quant["items"][0]["title"] == HOSTILE_TITLE  # plain text, as the spec asks


def test_pages_link_their_feeds(fixture_site: BuiltSite) -> None:
    for page, feed in [
        ("index.html", "feeds/reports.xml"),
        ("techniques/quantization/index.html", "../../feeds/techniques/quantization.xml"),
        (
            "institutions/tsinghua-university/index.html",
            "../../feeds/institutions/tsinghua-university.xml",
        ),
    ]:
        parsed = parse(fixture_site.site / page)
        alternates = [
            a["href"] for t, a in parsed.tags if t == "link" and a.get("rel") == "alternate"
        ]
        assert feed in alternates, (page, alternates)
        anchors = [a.get("href") for t, a in parsed.tags if t == "a"]
        assert feed in anchors, page


def test_every_generated_page_is_reachable_from_the_home_page(fixture_site: BuiltSite) -> None:
    site = fixture_site.site
    seen: set[str] = set()
    todo = ["index.html"]
    while todo:
        current = todo.pop()
        if current in seen or not (site / current).is_file():
            continue
        seen.add(current)
        for tag, attrs in parse(site / current).tags:
            href = attrs.get("href", "") if tag == "a" else ""
            if not href or "://" in href or href.startswith(("#", "mailto:")):
                continue
            target = posixpath.normpath(
                posixpath.join(posixpath.dirname(current), href.split("#")[0])
            )
            todo.append(
                posixpath.join(target, "index.html") if not target.endswith(".html") else target
            )
    generated = {
        p.relative_to(site).as_posix()
        for kind in ("papers", "institutions", "techniques", "reports")
        for p in (site / kind).rglob("index.html")
    }
    assert generated - seen == set()


def test_no_link_in_the_site_is_broken(fixture_site: BuiltSite) -> None:
    # Paper pages are prebuilt HTML (generator/site/prebuilt.py): MkDocs no longer checks their
    # links, so every link and in-page anchor of every page is checked here.
    site = fixture_site.site
    ids: dict[Path, set[str]] = {}
    broken: list[str] = []
    # 404.html links from the site root (it is served at any depth): left to MkDocs.
    for path in [p for p in html_files(site) if p.name != "404.html"]:
        for tag, attrs in parse(path).tags:
            href = attrs.get("href") or attrs.get("src") or ""
            if tag not in {"a", "link", "script", "img"} or not href or "://" in href:
                continue
            if href.startswith(("mailto:", "data:")):
                continue
            target_rel, _, anchor = href.partition("#")
            target = (path.parent / target_rel).resolve() if target_rel else path
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{path.relative_to(site)}: {href}")
            elif anchor and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {a["id"] for _, a in parse(target).tags if "id" in a}
                if anchor not in ids[target] and anchor not in {"__skip", "__toc"}:
                    broken.append(f"{path.relative_to(site)}: {href} (no such anchor)")
    assert broken == []


def test_pages_match_a_plain_mkdocs_build_of_the_same_docs(
    fixture_site: BuiltSite, tmp_path: Path
) -> None:
    # paperbrief's build adds a navigation cache and the Pagefind feed (generator/site/mkdocs_hooks.py);
    # neither may change a page. Only the sitemap differs: paper pages are built first.
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(
        str(CONFIG), docs_dir=str(fixture_site.docs), site_dir=str(tmp_path / "plain")
    )
    config.plugins.on_startup(command="build", dirty=False)
    epoch = str(fixture_site.report.source_date_epoch)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", epoch)
        build(config)
    ours = {p.relative_to(fixture_site.site) for p in fixture_site.site.rglob("*.html")}
    plain = {p.relative_to(tmp_path / "plain") for p in (tmp_path / "plain").rglob("*.html")}
    ours = {p for p in ours if p.parts[0] != "pagefind"}
    assert ours == plain
    different = [
        str(p)
        for p in sorted(ours)
        if (fixture_site.site / p).read_bytes() != (tmp_path / "plain" / p).read_bytes()
    ]
    assert different == []


def test_no_third_party_hosts(fixture_site: BuiltSite) -> None:
    for path in html_files(fixture_site.site):
        for tag, attrs in parse(path).tags:
            if tag == "script" or (
                tag == "link" and attrs.get("rel") in {"stylesheet", "preconnect", "icon"}
            ):
                assert "://" not in (attrs.get("src", "") + attrs.get("href", "")), (
                    path,
                    tag,
                    attrs,
                )
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis" not in text and "fonts.gstatic" not in text
        assert 'data-md-component="source"' not in text  # Material would ask api.github.com


def test_rebuild_is_byte_identical_and_rewrites_nothing(
    fixture_site: BuiltSite, tmp_path: Path
) -> None:
    again = build_into(tmp_path, FIXTURE_DATA)
    assert again.report.source_date_epoch == fixture_site.report.source_date_epoch
    compare = filecmp.dircmp(fixture_site.site, again.site)
    differing: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        differing.extend(prefix + n for n in cmp.left_only + cmp.right_only + cmp.funny_files)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        differing.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(compare, "")
    assert differing == []
    assert (again.site / "sitemap.xml").read_bytes() == (
        fixture_site.site / "sitemap.xml"
    ).read_bytes()
    assert (again.site / "sitemap.xml.gz").read_bytes() == (
        fixture_site.site / "sitemap.xml.gz"
    ).read_bytes()
    # same docs directory again: nothing to rewrite
    from generator.site.build import build_site

    report = build_site(
        FIXTURE_DATA,
        again.docs,
        tmp_path / "site-2",
        config_file=CONFIG,
    )
    assert report.written == 0 and report.removed == 0


# ---- the bundled data ----------------------------------------------------------------------


def test_bundled_site_has_a_page_per_paper_and_search_finds_techniques(
    bundled_site: BuiltSite,
) -> None:
    collection = load_collection(bundled_site.data)
    site = bundled_site.site
    for paper_id in collection.papers:
        assert (site / "papers" / paper_id / "index.html").is_file()
    for view in collection.reports:
        assert (site / "reports" / view / "index.html").is_file()
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    # what Pagefind indexes: the data-pagefind-body element, minus data-pagefind-ignore parts
    indexed = {
        f"papers/{p}/": _pagefind_text(site / "papers" / p / "index.html")
        for p in collection.papers
    }
    assert all(indexed.values())

    techniques = collection.techniques
    if "quantization" not in techniques:
        pytest.skip("no quantization technique in this data")

    def under_quantization(tech_id: str | None) -> bool:
        seen = set()
        while tech_id and tech_id not in seen:
            if tech_id == "quantization":
                return True
            seen.add(tech_id)
            tech_id = techniques[tech_id].parent
        return False

    expected = {
        f"papers/{p.id}/"
        for p in collection.papers.values()
        if any(under_quantization(t.id) for t in p.techniques)
    }
    assert expected
    for query in ("量化", "quantization"):
        # as the search page writes a query: Latin folded, every CJK character a word
        words = [w.lower() for w in spaced_cjk(fold(query)).split()]
        found = {page for page, text in indexed.items() if _holds_phrase(text, words)}
        assert expected <= found, (query, expected - found)


def _holds_phrase(text: str, words: list[str]) -> bool:
    """Tell whether the words follow one another in the text, as a quoted Pagefind query asks."""
    tokens = [t.lower() for t in SEPARATOR.split(text) if t]
    n = len(words)
    return any(tokens[i : i + n] == words for i in range(len(tokens) - n + 1))


def _pagefind_text(page: Path) -> str:
    """Return the text Pagefind indexes: the root element, less the excluded parts."""
    from lxml import html as lxml_html

    from generator.site.search import EXCLUDE_SELECTORS, ROOT_SELECTOR

    tree = lxml_html.fromstring(page.read_bytes())
    (root,) = tree.xpath(f"//{ROOT_SELECTOR}")
    excluded = [".//*[@data-pagefind-ignore]"] + [
        f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {sel[1:]} ')]"
        for sel in EXCLUDE_SELECTORS
    ]
    assert all(sel.startswith(".") for sel in EXCLUDE_SELECTORS)
    for xpath in excluded:
        for node in root.xpath(xpath):
            node.drop_tree()
    return " ".join(root.text_content().split())


def test_bundled_feeds_parse(bundled_site: BuiltSite) -> None:
    for path in sorted((bundled_site.site / "feeds").rglob("*.xml")):
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, path
    reports = feedparser.parse((bundled_site.site / "feeds" / "reports.xml").read_bytes())
    dates = [e.published_parsed for e in reports.entries]
    assert dates == sorted(dates, reverse=True)


def test_bundled_home_page_counts(bundled_site: BuiltSite) -> None:
    collection = load_collection(bundled_site.data)
    home = (bundled_site.docs / "index.md").read_text(encoding="utf-8")
    assert f"{len(collection.papers)} 篇论文" in home


# ---- the command ---------------------------------------------------------------------------


def test_build_command_reports_invalid_data_with_positions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "papers").mkdir(parents=True)
    (data / "papers" / "bad.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", "--data", str(data), "--site-dir", str(tmp_path / "site")]
    )
    assert result.exit_code == 1
    assert "bad.yaml:" in result.output
    assert not (tmp_path / "site").exists()


def test_build_and_serve_have_help() -> None:
    for command in ("build", "serve"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "--data" in result.output


def test_use_directory_urls_false_is_refused_clearly(tmp_path: Path) -> None:
    from generator.errors import ConfigError
    from generator.site.build import build_site

    config = tmp_path / "mkdocs.yml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8")
        .replace("site_name:", "use_directory_urls: false\nsite_name:", 1)
        .replace("custom_dir: overrides", f"custom_dir: {CONFIG.parent / 'overrides'}"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="use_directory_urls"):
        build_site(FIXTURE_DATA, tmp_path / "docs", tmp_path / "site", config_file=config)
