"""The feeds a reader lives with: whole reports, stable items, a limit, the channel's links."""

from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from report_data import ROOT, write_paper

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site
from generator.site.render.feeds import REPORT_FEED_SIZE

FIXTURE = ROOT / "tests" / "fixtures" / "site-data"
SITE_URL = "https://reports.example.org/papers/"
SETTINGS = RenderSettings(language="zh", site_name="论文简报", site_url=SITE_URL)
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def _feeds(data: Path) -> dict[str, str]:
    pages = render_site(index_site(load_collection(data)), SETTINGS)
    return {p.path: p.text for p in pages if p.path.startswith("feeds/")}


def _rss_items(text: str) -> dict[str, str]:
    items = re.findall(r"<item>.*?</item>", text, flags=re.S)
    return {re.search(r"<guid[^>]*>(.*?)</guid>", i).group(1): i for i in items}  # type: ignore[union-attr]


def _json_items(text: str) -> dict[str, str]:
    """Return each JSON Feed item's exact text by its id."""
    blocks = re.findall(r'\n    \{\n      "id": "([^"]+)".*?\n    \}', text, flags=re.S)
    return {
        item_id: re.search(
            r'\n    \{\n      "id": "' + re.escape(item_id) + r'".*?\n    \}', text, re.S
        ).group(0)  # type: ignore[union-attr]
        for item_id in blocks
    }


def _report(data: Path, report_id: str, when: datetime, papers: list[str], title: str) -> None:
    (data / "reports" / f"{report_id}.yaml").write_text(
        json.dumps(
            {"title": title, "generated": f"{when:%Y-%m-%d %H:%M:%S}", "papers": papers},
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE, tmp_path / "data"))


def test_a_report_item_carries_the_whole_report_escaped(data: Path) -> None:
    rss = _feeds(data)["feeds/reports.xml"]
    root = ET.fromstring(rss.encode("utf-8"))  # strict: well-formed or an error
    items = {i.findtext("guid"): i for i in root.iter("item")}
    hostile = items["paperbrief:report:report-2025-11-02"]
    content = hostile.findtext(CONTENT) or ""
    collection = load_collection(data)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())
    for paper_id in collection.reports["report-2025-11-02"].record.papers:
        paper = collection.papers[paper_id]
        assert f'<a href="{SITE_URL}papers/{paper_id}/">' in content
        assert paper.brief_text and " ".join(paper.brief_text.split()) in text
        assert " ".join((paper.record.title or "").split()) in text
    # what a reader renders holds only our elements, and links only to the site
    assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", content)) <= {"p", "ol", "li", "a"}
    assert all(h.startswith(SITE_URL) for h in re.findall(r'href="([^"]*)"', content))
    # the untitled paper and the brief-less one still appear, by placeholder
    old = items["paperbrief:report:report-2025-10-15"].findtext(CONTENT) or ""
    assert old.count("<li>") == 3 and "untitled-sparse" in old


def test_feedparser_and_json_agree_on_the_content(data: Path) -> None:
    feeds = _feeds(data)
    parsed = feedparser.parse(feeds["feeds/reports.xml"])
    assert parsed.bozo == 0
    as_json = json.loads(feeds["feeds/reports.json"])
    assert [e.id for e in parsed.entries] == [i["id"] for i in as_json["items"]]
    for entry, item in zip(parsed.entries, as_json["items"], strict=True):
        assert entry.content[0].value.count("<li>") == item["content_html"].count("<li>") > 0
        assert entry.content[0].type == "text/html"
        # the description stays the short summary
        assert "<li>" not in entry.summary


def test_adding_a_report_adds_one_item_and_changes_no_other(data: Path) -> None:
    before = _feeds(data)
    write_paper(
        data,
        "new-one",
        title="A New Paper on Quantization",
        added="2025-11-10",
        techniques=["quantization"],
        institutions=["Peking University"],
        brief="北京大学的新论文。",
    )
    _report(data, "report-2025-11-10", datetime(2025, 11, 10, 8), ["new-one"], "Third report")
    after = _feeds(data)
    for name, parse in (("feeds/reports.xml", _rss_items), ("feeds/reports.json", _json_items)):
        old, new = parse(before[name]), parse(after[name])
        assert set(new) - set(old) == {"paperbrief:report:report-2025-11-10"}
        assert {k: new[k] for k in old} == old
    for name in ("feeds/techniques/quantization.xml", "feeds/institutions/peking-university.xml"):
        old, new = _rss_items(before[name]), _rss_items(after[name])
        assert set(new) - set(old) == {"paperbrief:paper:new-one"}
        assert {k: new[k] for k in old} == old
    root = ET.fromstring(after["feeds/reports.xml"].encode("utf-8")).find("channel")
    assert root is not None
    assert root.findtext("lastBuildDate") == "Mon, 10 Nov 2025 08:00:00 +0000"


def test_the_channel_points_at_itself_and_at_every_older_item(data: Path) -> None:
    papers = ["quant-llm"]
    start = datetime(2025, 12, 1)
    for n in range(REPORT_FEED_SIZE + 3):
        _report(data, f"weekly-{n:02d}", start + timedelta(days=7 * n), papers, f"Weekly {n}")
    feeds = _feeds(data)
    channel = ET.fromstring(feeds["feeds/reports.xml"].encode("utf-8")).find("channel")
    assert channel is not None
    items = channel.findall("item")
    assert len(items) == REPORT_FEED_SIZE
    assert items[0].findtext("guid") == f"paperbrief:report:weekly-{REPORT_FEED_SIZE + 2:02d}"
    assert channel.findtext("lastBuildDate") == items[0].findtext("pubDate")
    self_link = channel.find("{http://www.w3.org/2005/Atom}link")
    assert self_link is not None and self_link.get("rel") == "self"
    assert self_link.get("href") == f"{SITE_URL}feeds/reports.xml"
    # older reports are on the listing page the channel links to
    assert channel.findtext("link") == f"{SITE_URL}reports/"
    as_json = json.loads(feeds["feeds/reports.json"])
    assert as_json["home_page_url"] == f"{SITE_URL}reports/"
    assert as_json["feed_url"] == f"{SITE_URL}feeds/reports.json"
    assert len(as_json["items"]) == REPORT_FEED_SIZE
    tech = ET.fromstring(feeds["feeds/techniques/quantization.xml"].encode("utf-8")).find("channel")
    assert tech is not None and tech.findtext("link") == f"{SITE_URL}techniques/quantization/"
