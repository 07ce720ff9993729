"""From the sample data to a subscriber's feed reader: three new papers, new-report, a real build.

The site is built twice with the real `paperbrief build` in a scratch project (mkdocs.yml,
hand-written docs, overrides): once from the sample data, once after three papers were added and
`paperbrief new-report --since-last` ran. The reports feed is read with feedparser and with a
strict XML parser; the built pages are opened in Chromium.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest
from report_data import NEW_ORDER, NEW_PAPERS, ROOT, SAMPLE_REPORT, add_new_papers, copy_sample_data

from generator.site.write import copy_handwritten_docs

pytestmark = pytest.mark.slow

SITE_URL = "https://example.github.io/paperbrief/"  # site_url of the repository's mkdocs.yml
RSS = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM_LINK = "{http://www.w3.org/2005/Atom}link"


@dataclass
class Builds:
    """The sample site before and after the new report."""

    before: Path  # site/ built from the sample data
    after: Path  # site/ built after new-report
    report_id: str
    new_report_output: str


def _paperbrief(*args: str, cwd: Path) -> str:
    """Run the installed `paperbrief` command as a maintainer would; return its output."""
    command = Path(sys.executable).with_name("paperbrief")
    env = {k: v for k, v in os.environ.items() if k != "MISTRAL_API_KEY"}
    done = subprocess.run(
        [str(command), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"paperbrief {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _project(base: Path) -> Path:
    """Lay out a scratch project: the repository's mkdocs.yml, hand-written docs, overrides."""
    base.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", base / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", base / "overrides")
    copy_handwritten_docs(ROOT / "docs", base / "docs")
    return base


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    """Build the sample, add three papers, cut the report, build again."""
    base = tmp_path_factory.mktemp("report-e2e")
    project = _project(base / "project")
    data = copy_sample_data(project)
    _paperbrief("build", "--site-dir", str(base / "before"), cwd=project)
    add_new_papers(data)
    output = _paperbrief("new-report", "--title", "新增论文报告", "--since-last", cwd=project)
    (made,) = {p.stem for p in (data / "reports").glob("*.yaml")} - {SAMPLE_REPORT}
    _paperbrief("build", "--site-dir", str(base / "after"), cwd=project)
    return Builds(base / "before", base / "after", made, output)


def _items(rss: str) -> dict[str, str]:
    """Return each <item>…</item> of an RSS file by its guid, as the exact bytes written."""
    items = re.findall(r"<item>.*?</item>", rss, flags=re.S)
    return {re.search(r"<guid[^>]*>(.*?)</guid>", item).group(1): item for item in items}  # type: ignore[union-attr]


def test_new_report_took_the_three_papers_in_title_order(builds: Builds) -> None:
    assert "(the newest report): 3" in builds.new_report_output
    assert (
        "written" in builds.new_report_output and "nothing needs review" in builds.new_report_output
    )


def test_feedparser_sees_one_new_item_with_every_paper_and_brief(builds: Builds) -> None:
    feed = feedparser.parse((builds.after / "feeds" / "reports.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.id for e in feed.entries] == [
        f"paperbrief:report:{builds.report_id}",
        f"paperbrief:report:{SAMPLE_REPORT}",
    ]
    new = feed.entries[0]
    assert new.title == "新增论文报告"
    assert new.link == f"{SITE_URL}reports/{builds.report_id}/"
    content = new.content[0].value  # content:encoded, HTML
    positions = []
    for paper_id in NEW_ORDER:
        paper = NEW_PAPERS[paper_id]
        link = f'<a href="{SITE_URL}papers/{paper_id}/">{html.escape(str(paper["title"]), quote=False)}</a>'
        assert link in content
        assert html.escape(str(paper["brief"]), quote=False) in content
        positions.append(content.index(link))
    assert positions == sorted(positions)  # in report order
    # the hostile-looking title stays text: no <b> element reaches the reader
    assert "<b>" not in content and "&lt;b&gt;fast&lt;/b&gt; &amp; small" in content
    assert feed.feed.updated == new.published  # lastBuildDate: the newest item's date


def test_a_strict_xml_parser_reads_the_same_feed(builds: Builds) -> None:
    root = ET.fromstring((builds.after / "feeds" / "reports.xml").read_bytes())
    channel = root.find("channel")
    assert channel is not None
    (self_link,) = channel.findall(ATOM_LINK)
    assert self_link.get("rel") == "self"
    assert self_link.get("href") == f"{SITE_URL}feeds/reports.xml"
    assert channel.findtext("link") == f"{SITE_URL}reports/"  # older reports: the listing
    items = channel.findall("item")
    assert len(items) == 2
    assert channel.findtext("lastBuildDate") == items[0].findtext("pubDate")
    encoded = items[0].findtext(RSS) or ""
    for paper_id in NEW_ORDER:
        assert f'href="{SITE_URL}papers/{paper_id}/"' in encoded
        assert html.escape(str(NEW_PAPERS[paper_id]["brief"]), quote=False) in encoded


def test_the_json_feed_carries_the_same_report(builds: Builds) -> None:
    feed = json.loads((builds.after / "feeds" / "reports.json").read_text(encoding="utf-8"))
    new, old = feed["items"]
    assert new["id"] == f"paperbrief:report:{builds.report_id}"
    for paper_id in NEW_ORDER:
        assert f'href="{SITE_URL}papers/{paper_id}/"' in new["content_html"]
        assert html.escape(str(NEW_PAPERS[paper_id]["brief"]), quote=False) in new["content_html"]
    before = json.loads((builds.before / "feeds" / "reports.json").read_text(encoding="utf-8"))
    assert before["items"] == [old]


def test_the_sample_reports_item_is_unchanged_byte_for_byte(builds: Builds) -> None:
    before = _items((builds.before / "feeds" / "reports.xml").read_text(encoding="utf-8"))
    after = _items((builds.after / "feeds" / "reports.xml").read_text(encoding="utf-8"))
    guid = f"paperbrief:report:{SAMPLE_REPORT}"
    assert set(before) == {guid}
    assert set(after) == {guid, f"paperbrief:report:{builds.report_id}"}
    assert after[guid] == before[guid]
    # the JSON Feed item is the same text too
    item = re.compile(r'    \{\n      "id": "' + re.escape(guid) + r'".*?\n    \}', re.S)
    old_json = (builds.before / "feeds" / "reports.json").read_text(encoding="utf-8")
    new_json = (builds.after / "feeds" / "reports.json").read_text(encoding="utf-8")
    assert item.search(new_json).group(0) == item.search(old_json).group(0)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("feed", "new"),
    [
        ("techniques/quantization", {"tiny-kv"}),
        ("institutions/peking-university", {"tiny-kv", "atlas-ptq"}),
    ],
)
def test_paper_feeds_gain_the_new_papers_and_keep_the_rest(
    builds: Builds, feed: str, new: set[str]
) -> None:
    before = _items((builds.before / "feeds" / f"{feed}.xml").read_text(encoding="utf-8"))
    after = _items((builds.after / "feeds" / f"{feed}.xml").read_text(encoding="utf-8"))
    assert set(after) - set(before) == {f"paperbrief:paper:{p}" for p in new}
    assert {guid: after[guid] for guid in before} == before


# ---- in Chromium ---------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(builds: Builds) -> Iterator[str]:
    """Serve the site built after the new report on 127.0.0.1."""
    handler = functools.partial(_Quiet, directory=str(builds.after))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    """A Chromium page that may load only this site; it fails the test on script errors."""
    from machine_tools import BROWSER_TIMEOUT_MS

    context = browser.new_context(service_workers="block")
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
    left: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).hostname == "127.0.0.1":
            request_route.continue_()
        else:
            left.append(url)
            request_route.abort()

    context.route("**/*", route)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield tab
    finally:
        context.close()
    assert errors == [] and left == []


@pytest.mark.browser
def test_the_home_page_shows_the_new_report_as_the_latest(
    page: Any, served: str, builds: Builds
) -> None:
    page.goto(served, wait_until="load")
    latest = page.locator("h2#latest-report + p a").first
    assert latest.inner_text() == "新增论文报告"
    latest.click()
    page.wait_for_url(f"{served}reports/{builds.report_id}/")
    text = page.locator("article").inner_text()
    for paper_id in NEW_ORDER:
        assert str(NEW_PAPERS[paper_id]["title"]) in text


@pytest.mark.browser
def test_the_reports_index_lists_both_reports(page: Any, served: str, builds: Builds) -> None:
    page.goto(f"{served}reports/", wait_until="load")
    hrefs = page.eval_on_selector_all(
        "article a[href]", "els => els.map(e => new URL(e.href).pathname)"
    )
    listed = [h for h in hrefs if re.fullmatch(r"/reports/[^/]+/", h)]
    assert listed[:2] == [f"/reports/{builds.report_id}/", f"/reports/{SAMPLE_REPORT}/"]
