"""Render the feeds: RSS 2.0 and JSON Feed 1.1 for reports, each technique and each institution.

A feed reader keys items by guid and shows an item again when its text changes, so an item is
made from its own report or paper only: adding a report adds one item and leaves every other
item byte for byte as it was. A report's item carries the whole report (every paper's linked
title and brief) in content:encoded and content_html; its description stays a short summary.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from typing import Any

from generator.records.collection import Paper
from generator.site.index import InstitutionGroup, ReportView, TechniqueGroup
from generator.site.render.context import PageText, RenderContext, shorten
from generator.site.render.html import Html, html_paragraphs, html_text
from generator.site.render.paths import entity_page_path, feed_path, listing_path, paper_path

FEED_SUMMARY = 300  # characters of a JSON Feed item's summary
REPORT_TITLES = 5  # paper titles a report item's summary names
# Items of the reports feed: each carries a whole report (about 0.5 KB a paper), so fewer than
# a paper feed's; older reports stay on the reports page, which the channel links to.
REPORT_FEED_SIZE = 20

# escape() output is valid XML text and never holds "]]>" (brackets become entities), so a
# CDATA section carries it unchanged; readers see entity-escaped HTML.
_CDATA = Html("<{0}><![CDATA[{1}]]></{0}>")
_NEWLINE = Html("\n")
_RSS = Html('<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">')
_RSS_CONTENT = Html(
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
    ' xmlns:content="http://purl.org/rss/1.0/modules/content/">'
)
_REPORT_ENTRY = Html('<li><p><a href="{}">{}</a></p>{}</li>\n')
_ITEM = Html(
    "<item>\n<title><![CDATA[{title}]]></title>\n<link>{link}</link>\n"
    '<guid isPermaLink="false">{id}</guid>\n<pubDate>{date}</pubDate>'
)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, in the forms RSS and JSON Feed each need."""

    id: str
    url: str
    title: Html
    plain_title: str
    html: Html  # the description
    summary: str | None
    date: datetime
    tags: list[str]
    content: Html | None = None  # the whole text, when the description is a summary
    rss: Html = field(init=False)  # the <item> element

    def __post_init__(self) -> None:
        cdata = _CDATA
        lines = [
            _ITEM.format(
                title=self.title, link=self.url, id=self.id, date=format_datetime(self.date)
            ),
            *[cdata.format("category", tag) for tag in self.tags],
            cdata.format("description", self.html),
            *([cdata.format("content:encoded", self.content)] if self.content else []),
            Html("</item>"),
        ]
        object.__setattr__(self, "rss", _NEWLINE.join(lines))


def _as_utc(value: date | datetime) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _paper_item(ctx: RenderContext, paper: Paper) -> FeedItem:
    html = Html("")
    if paper.brief_text:
        html += html_paragraphs(paper.brief_text)
    if paper.institutions:
        names = ctx.s["sep"].join(ctx.inst_name(i) for i in paper.institutions)
        html += Html("<p>{}</p>").format(names)
    summary = paper.brief_text or paper.record.abstract or ""
    return FeedItem(
        id=f"paperbrief:paper:{paper.id}",
        url=ctx.abs_url(paper_path(paper.id)),
        title=ctx.title_of(paper),
        plain_title=ctx.plain_title(paper),
        html=html,
        summary=shorten(summary, FEED_SUMMARY) if summary else None,
        date=_as_utc(paper.record.added),
        tags=[t.zh if ctx.settings.language.startswith("zh") else t.en for t in paper.techniques],
    )


def _report_item(ctx: RenderContext, view: ReportView) -> FeedItem:
    t = ctx.text
    titles = [ctx.plain_title(p) for p in view.papers[:REPORT_TITLES]]
    more = t["sep"] + t["more"] if len(view.papers) > REPORT_TITLES else ""
    summary = t["report_summary"].format(n=len(view.papers), titles=t["sep"].join(titles) + more)
    record = view.report.record
    intro = html_paragraphs(record.intro) if record.intro else Html("")
    return FeedItem(
        id=f"paperbrief:report:{view.id}",
        url=ctx.abs_url(entity_page_path("reports", view.id)),
        title=html_text(record.title),
        plain_title=record.title,
        html=intro + Html("<p>{}</p>").format(summary),
        summary=summary,
        date=_as_utc(view.generated),
        tags=[],
        content=_report_content(ctx, view),
    )


def _report_content(ctx: RenderContext, view: ReportView) -> Html:
    """Return a whole report as HTML: its intro, then each paper's linked title and brief."""
    record = view.report.record
    intro = html_paragraphs(record.intro) if record.intro else Html("")
    pending = Html("<p>{}</p>").format(ctx.text["brief_pending"])
    entries = [
        _REPORT_ENTRY.format(
            ctx.abs_url(paper_path(paper.id)),
            ctx.title_of(paper),
            html_paragraphs(paper.brief_text) if paper.brief_text else pending,
        )
        for paper in view.papers
    ]
    count = Html("<p>{}</p>\n<ol>\n").format(ctx.text["paper_count"].format(n=len(view.papers)))
    return intro + count + Html("").join(entries) + Html("</ol>")


def _feed_pair(
    ctx: RenderContext,
    kind: str,
    entity_id: str | None,
    title: str,
    description: str,
    page: str,
    items: list[FeedItem],
) -> list[PageText]:
    rss_path = feed_path(kind, entity_id, "xml")
    json_path = feed_path(kind, entity_id, "json")
    # The newest item dates the channel, never the clock: builds stay reproducible.
    updated = max((i.date for i in items), default=datetime(1970, 1, 1, tzinfo=UTC))
    cdata = _CDATA
    rss = [
        Html('<?xml version="1.0" encoding="utf-8"?>'),
        _RSS_CONTENT if any(item.content for item in items) else _RSS,
        Html("<channel>"),
        cdata.format("title", title),
        Html("<link>{}</link>").format(ctx.abs_url(page)),
        cdata.format("description", description),
        Html("<language>{}</language>").format(ctx.text["language"]),
        Html("<lastBuildDate>{}</lastBuildDate>").format(format_datetime(updated)),
        Html("<generator>paperbrief</generator>"),
        Html('<atom:link href="{}" rel="self" type="application/rss+xml"/>').format(
            ctx.base_url + rss_path
        ),
    ]
    rss += [item.rss for item in items]
    rss += [Html("</channel>"), Html("</rss>")]
    feed: dict[str, Any] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": ctx.abs_url(page),
        "feed_url": ctx.base_url + json_path,
        "description": description,
        "language": ctx.text["language"],
        "items": [
            {
                "id": item.id,
                "url": item.url,
                # JSON Feed titles and summaries are plain text by the spec; HTML goes in content_html.
                "title": item.plain_title,
                "content_html": item.content or item.html or html_text(item.plain_title),
                **({"summary": item.summary} if item.summary else {}),
                "date_published": item.date.isoformat(),
                **({"tags": item.tags} if item.tags else {}),
            }
            for item in items
        ],
    }
    text = json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=False)
    # No raw <, > or & in the file, so it stays inert even if a page inlines it.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return [
        PageText(rss_path, str(_NEWLINE.join(rss)) + "\n"),
        PageText(json_path, text + "\n"),
    ]


def render_feeds(ctx: RenderContext) -> list[PageText]:
    """Render RSS 2.0 and JSON Feed 1.1 files: reports, each technique, each institution."""
    made: dict[str, FeedItem] = {}
    feeds = render_reports_feed(ctx)
    for tg in ctx.model.techniques:
        feeds += render_technique_feed(ctx, tg, made)
    for ig in ctx.model.institutions:
        feeds += render_institution_feed(ctx, ig, made)
    return feeds


def render_reports_feed(ctx: RenderContext) -> list[PageText]:
    """Render the feed of the newest reports."""
    t = ctx.text
    site = ctx.settings.site_name
    return _feed_pair(
        ctx,
        "reports",
        None,
        t["feed_reports_title"].format(site=site),
        t["feed_reports_description"].format(site=site),
        listing_path("reports"),  # every report, those past the feed's limit too
        [_report_item(ctx, v) for v in ctx.model.reports[:REPORT_FEED_SIZE]],
    )


def _paper_items(
    ctx: RenderContext, papers: Sequence[Paper], made: dict[str, FeedItem] | None
) -> list[FeedItem]:
    # A paper is in the feed of each of its techniques and institutions: one item for all.
    made = {} if made is None else made
    return [
        made.get(p.id) or made.setdefault(p.id, _paper_item(ctx, p))
        for p in papers[: ctx.settings.feed_size]
    ]


def render_technique_feed(
    ctx: RenderContext, group: TechniqueGroup, made: dict[str, FeedItem] | None = None
) -> list[PageText]:
    """Render the feed of a technique's newest papers (`made`: items already made, by paper)."""
    t = ctx.text
    tech = group.technique
    name = tech.zh if ctx.settings.language.startswith("zh") else tech.en
    return _feed_pair(
        ctx,
        "techniques",
        tech.id,
        t["feed_paper_title"].format(name=name),
        t["feed_papers_description"].format(name=name),
        entity_page_path("techniques", tech.id),
        _paper_items(ctx, group.papers, made),
    )


def render_institution_feed(
    ctx: RenderContext, group: InstitutionGroup, made: dict[str, FeedItem] | None = None
) -> list[PageText]:
    """Render the feed of an institution's newest papers."""
    t = ctx.text
    inst = group.institution
    name = ctx.inst_label(inst)
    return _feed_pair(
        ctx,
        "institutions",
        inst.id,
        t["feed_paper_title"].format(name=name),
        t["feed_papers_description"].format(name=name),
        entity_page_path("institutions", inst.id),
        _paper_items(ctx, group.papers, made),
    )


def render_feed_sitemaps(feeds: Iterable[str]) -> list[PageText]:
    """Render an empty sitemap.xml beside the feeds.

    Material's bundle takes every <link rel="alternate"> for a language version and fetches
    sitemap.xml next to it; without these files each page logs 404 errors in the console.
    """
    folders = sorted({posixpath.dirname(path) for path in feeds})
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n'
    )
    return [PageText(f"{folder}/sitemap.xml", text) for folder in folders]
