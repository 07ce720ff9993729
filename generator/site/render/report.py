"""Render a report in the sample report's structure: every paper's brief, then its details."""

from __future__ import annotations

from generator.site.index import ReportView
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.render.context import (
    PageText,
    RenderContext,
    chunks,
    href,
    page_text,
    shorten,
)
from generator.site.render.exports import report_bib_path
from generator.site.render.frontmatter import DESCRIPTION_LENGTH, front_matter
from generator.site.render.html import Html, html_heading, html_list, html_paragraphs, html_text
from generator.site.render.paper import brief_paragraphs
from generator.site.render.paths import entity_page_path

# A report's pages are kept or rendered together, as one unit of the generator's cache.
REPORT_UNIT = "reports/"


def render_report(ctx: RenderContext, view: ReportView) -> list[PageText]:
    """Render a report's pages: briefs, then details; split into pages when long."""
    s = ctx.s
    record = view.report.record
    english = not ctx.settings.language.lower().startswith("zh")
    size = ctx.settings.report_page_size
    chunked = chunks(view.papers, size)
    pages = [entity_page_path("reports", view.id, n) for n in range(1, len(chunked) + 1)]
    strong = Html("<strong>{}</strong>: {}")
    result = []
    for n, chunk in enumerate(chunked, start=1):
        path = pages[n - 1]
        offset = (n - 1) * size
        title = (
            html_text(record.title)
            if n == 1
            else Html("{} ({})").format(record.title, s["page_of"].format(n=n, total=len(pages)))
        )
        front = front_matter(
            title,
            description=html_text(shorten(record.intro, DESCRIPTION_LENGTH))
            if record.intro
            else None,
            search={"exclude": True},
        )
        out = [
            Html(PREBUILT_MARKER + "\n<h1>{}</h1>\n").format(title),
            html_list(
                [
                    Html("{}: {}").format(
                        s["report_generated"], record.generated.strftime("%Y-%m-%d %H:%M:%S")
                    ),
                    Html("{}: {}").format(
                        s["report_size"], s["report_size_value"].format(n=len(view.papers))
                    ),
                ]
            ),
        ]
        if n == 1 and record.intro:
            out.append(html_paragraphs(record.intro) + Html("\n"))
        if n == 1:
            bib = href(path, report_bib_path(view.id))
            name = Html("{}.bib").format(view.id)
            out.append(Html("<p>{}</p>\n").format(s["report_bib"].format(name=name, bib=bib)))
        out.append(ctx.pager(path, pages, n))
        out.append(html_heading(2, "briefs", s["report_briefs"]))
        for i, paper in enumerate(chunk, start=offset + 1):
            link = Html("{}. {}").format(i, ctx.a_paper(path, paper))
            out.append(html_heading(3, f"brief-{i}", link))
            out.append(brief_paragraphs(ctx, paper) + Html("\n"))
            if paper.tldr and english:
                out.append(Html("<p><em>TL;DR:</em> {}</p>\n").format(paper.tldr))
        out.append(html_heading(2, "details", s["report_details"]))
        for i, paper in enumerate(chunk, start=offset + 1):
            link = Html("{}. {}").format(i, ctx.a_paper(path, paper))
            out.append(html_heading(3, f"paper-{i}", link))
            facts = []
            if paper.institutions:
                institutions = s["sep"].join(ctx.a_inst(path, x) for x in paper.institutions)
                facts.append(strong.format(s["main_institutions"], institutions))
            if paper.record.author_total:
                count = s["author_count_value"].format(n=paper.record.author_total)
                facts.append(strong.format(s["author_count"], count))
            if paper.techniques:
                techniques = s["sep"].join(ctx.a_tech(path, t) for t in paper.techniques)
                facts.append(strong.format(s["techniques"], techniques))
            if facts:
                out.append(html_list(facts))
            abstract = (
                html_paragraphs(paper.record.abstract)
                if paper.record.abstract
                else Html("<p><em>{}</em></p>").format(s["abstract_missing"])
            )
            out.append(Html("<p><strong>{}</strong>:</p>\n{}\n").format(s["abstract"], abstract))
        out.append(ctx.pager(path, pages, n))
        result.append(page_text(path, front, out))
    return result
