"""Render the home page: the latest report, counts, and ways into the site."""

from __future__ import annotations

from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.prebuilt import heading
from generator.site.render.context import PageText, RenderContext, iso_day
from generator.site.render.exports import BIB_PATH, CSV_PATH, JSON_PATH
from generator.site.render.frontmatter import front_matter
from generator.site.render.html import escape, html_list
from generator.site.render.listings import SIDEBAR_LIMIT
from generator.site.render.paths import feed_path, listing_path, rel_url
from generator.site.render.stats import STATISTICS_PATH

HOME_REPORTS = 10  # newest reports listed on the home page


def render_home(ctx: RenderContext) -> PageText:
    """Render the home page."""
    s = ctx.s
    path = "index.md"
    model = ctx.model
    c = model.counts
    out = [
        front_matter(
            escape(ctx.settings.site_name),
            description=escape(s["intro"]),
            feed_rss=feed_path("reports", None, "xml"),
            feed_json=feed_path("reports", None, "json"),
        ),
        f"{PREBUILT_MARKER}\n<h1>{escape(ctx.settings.site_name)}</h1>\n",
        f"<p>{escape(s['intro'])}</p>\n",
    ]
    latest = model.latest_report
    if latest is not None:
        out.append(heading(2, "latest-report", s["latest_report"]) + "\n")
        out.append(
            f"<p>{ctx.a_report(path, latest)} · {iso_day(latest.generated)} · "
            f"{s['paper_count'].format(n=len(latest.papers))}</p>\n"
        )
    out.append(heading(2, "overview", s["overview"]) + "\n")
    counts = s["counts"].format(
        papers=c.papers, reports=c.reports, institutions=c.institutions, techniques=c.techniques
    )
    briefs = s["brief_counts"].format(briefs=c.briefs, generated=c.generated_briefs)
    out.append(f"<p>{counts}</p>\n<p>{briefs}</p>\n")
    active = [g for g in model.techniques if g.papers]
    if active:
        out.append(heading(2, "techniques", s["browse_techniques"]) + "\n")
        out.append(
            "<p>"
            + s["sep"].join(
                f"{ctx.a_tech(path, g.technique)} ({len(g.papers)})" for g in active[:SIDEBAR_LIMIT]
            )
            + "</p>\n"
        )
    out.append(f"<p>{ctx.link(path, listing_path('techniques'), s['all_techniques'])}</p>\n")
    if model.institutions:
        out.append(heading(2, "institutions", s["browse_institutions"]) + "\n")
        out.append(
            "<p>"
            + s["sep"].join(
                f"{ctx.a_inst(path, g.institution, short=True)} ({len(g.papers)})"
                for g in model.institutions[:SIDEBAR_LIMIT]
            )
            + "</p>\n"
        )
    out.append(f"<p>{ctx.link(path, listing_path('institutions'), s['all_institutions'])}</p>\n")
    out.append(heading(2, "reports", s["browse_reports"]) + "\n")
    if model.reports:
        out.append(
            html_list(
                f"{ctx.a_report(path, v)} · {iso_day(v.generated)}"
                for v in model.reports[:HOME_REPORTS]
            )
        )
    out.append(
        f"<p>{ctx.link(path, listing_path('reports'), s['all_reports'])} · "
        f"{ctx.link(path, listing_path('papers'), s['all_papers'])}</p>\n"
    )
    out.append(heading(2, "statistics", s["statistics"]) + "\n")
    out.append(f"<p>{ctx.link(path, STATISTICS_PATH, s['statistics'])}</p>\n")
    downloads = s["downloads"].format(
        bib=rel_url(path, BIB_PATH),
        json=rel_url(path, JSON_PATH),
        csv=rel_url(path, CSV_PATH),
        doc=rel_url(path, "exports.md"),
    )
    out.append(f"<p>{downloads}</p>\n")
    out.append(heading(2, "subscribe", s["subscribe"]) + "\n")
    out.append(ctx.feed_links(path, "reports", None))
    return PageText(path, "".join(out).rstrip("\n") + "\n")
