"""Render the home page: the latest report, counts, and ways into the site."""

from __future__ import annotations

from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.render.context import PageText, RenderContext, href, iso_day, page_text
from generator.site.render.exports import BIB_PATH, CSV_PATH, JSON_PATH
from generator.site.render.frontmatter import front_matter
from generator.site.render.html import Html, html_heading, html_list, html_text
from generator.site.render.listings import SIDEBAR_LIMIT
from generator.site.render.paths import feed_path, listing_path
from generator.site.render.stats import STATISTICS_PATH

HOME_REPORTS = 10  # newest reports listed on the home page


def render_home(ctx: RenderContext) -> PageText:
    """Render the home page."""
    s = ctx.s
    path = "index.md"
    model = ctx.model
    c = model.counts
    site_name = html_text(ctx.settings.site_name)
    intro = html_text(ctx.text["intro"])
    # The navigation and the drawer (whose title is already the site's name) show the page as
    # "Home"; its heading and the browser's title (overrides/main.html) are the site's name.
    front = front_matter(
        s["home_nav"],
        description=intro,
        feed_rss=feed_path("reports", None, "xml"),
        feed_json=feed_path("reports", None, "json"),
    )
    line = Html("<p>{}</p>\n")
    counted = Html("{} ({})")
    out = [Html(PREBUILT_MARKER + "\n<h1>{}</h1>\n").format(site_name), line.format(intro)]
    latest = model.latest_report
    if latest is not None:
        out.append(html_heading(2, "latest-report", s["latest_report"]))
        out.append(
            Html("<p>{} · {} · {}</p>\n").format(
                ctx.a_report(path, latest),
                iso_day(latest.generated),
                s["paper_count"].format(n=len(latest.papers)),
            )
        )
    out.append(html_heading(2, "overview", s["overview"]))
    counts = s["counts"].format(
        papers=c.papers, reports=c.reports, institutions=c.institutions, techniques=c.techniques
    )
    briefs = s["brief_counts"].format(briefs=c.briefs, generated=c.generated_briefs)
    out.append(line.format(counts) + line.format(briefs))
    active = [g for g in model.techniques if g.papers]
    if active:
        out.append(html_heading(2, "techniques", s["browse_techniques"]))
        techniques = s["sep"].join(
            counted.format(ctx.a_tech(path, g.technique), len(g.papers))
            for g in active[:SIDEBAR_LIMIT]
        )
        out.append(line.format(techniques))
    out.append(line.format(ctx.link(path, listing_path("techniques"), s["all_techniques"])))
    if model.institutions:
        out.append(html_heading(2, "institutions", s["browse_institutions"]))
        institutions = s["sep"].join(
            counted.format(ctx.a_inst(path, g.institution, short=True), len(g.papers))
            for g in model.institutions[:SIDEBAR_LIMIT]
        )
        out.append(line.format(institutions))
    out.append(line.format(ctx.link(path, listing_path("institutions"), s["all_institutions"])))
    out.append(html_heading(2, "reports", s["browse_reports"]))
    if model.reports:
        out.append(
            html_list(
                Html("{} · {}").format(ctx.a_report(path, v), iso_day(v.generated))
                for v in model.reports[:HOME_REPORTS]
            )
        )
    out.append(
        Html("<p>{} · {}</p>\n").format(
            ctx.link(path, listing_path("reports"), s["all_reports"]),
            ctx.link(path, listing_path("papers"), s["all_papers"]),
        )
    )
    out.append(html_heading(2, "statistics", s["statistics"]))
    out.append(line.format(ctx.link(path, STATISTICS_PATH, s["statistics"])))
    downloads = s["downloads"].format(
        bib=href(path, BIB_PATH),
        json=href(path, JSON_PATH),
        csv=href(path, CSV_PATH),
        doc=href(path, "exports.md"),
    )
    out.append(line.format(downloads))
    out.append(html_heading(2, "subscribe", s["subscribe"]))
    out.append(ctx.feed_links(path, "reports", None))
    return page_text(path, front, out)
