"""Render a report in the sample report's structure: every paper's brief, then its details."""

from __future__ import annotations

from generator.site.index import ReportView
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.prebuilt import heading
from generator.site.render.context import PageText, RenderContext, chunks, shorten
from generator.site.render.exports import report_bib_path
from generator.site.render.frontmatter import DESCRIPTION_LENGTH, front_matter
from generator.site.render.html import escape, html_list, html_paragraphs
from generator.site.render.paper import brief_paragraphs
from generator.site.render.paths import entity_page_path, rel_url


def render_report(ctx: RenderContext, view: ReportView) -> list[PageText]:
    """Render a report's pages: briefs, then details; split into pages when long."""
    s = ctx.s
    record = view.report.record
    english = not ctx.settings.language.lower().startswith("zh")
    size = ctx.settings.report_page_size
    chunked = chunks(view.papers, size)
    pages = [entity_page_path("reports", view.id, n) for n in range(1, len(chunked) + 1)]
    result = []
    for n, chunk in enumerate(chunked, start=1):
        path = pages[n - 1]
        offset = (n - 1) * size
        title = (
            escape(record.title)
            if n == 1
            else f"{escape(record.title)} ({s['page_of'].format(n=n, total=len(pages))})"
        )
        out = [
            front_matter(
                title,
                description=escape(shorten(record.intro, DESCRIPTION_LENGTH))
                if record.intro
                else None,
                search={"exclude": True},
            ),
            f"{PREBUILT_MARKER}\n<h1>{title}</h1>\n",
            html_list(
                [
                    f"{s['report_generated']}: {record.generated.strftime('%Y-%m-%d %H:%M:%S')}",
                    f"{s['report_size']}: {s['report_size_value'].format(n=len(view.papers))}",
                ]
            ),
        ]
        if n == 1 and record.intro:
            out.append(html_paragraphs(record.intro) + "\n")
        if n == 1:
            bib = rel_url(path, report_bib_path(view.id))
            out.append(f"<p>{s['report_bib'].format(name=f'{view.id}.bib', bib=bib)}</p>\n")
        out.append(ctx.pager(path, pages, n))
        out.append(heading(2, "briefs", s["report_briefs"]) + "\n")
        for i, paper in enumerate(chunk, start=offset + 1):
            out.append(heading(3, f"brief-{i}", f"{i}. {ctx.a_paper(path, paper)}") + "\n")
            out.append(brief_paragraphs(ctx, paper) + "\n")
            if paper.tldr and english:
                out.append(f"<p><em>TL;DR:</em> {escape(paper.tldr)}</p>\n")
        out.append(heading(2, "details", s["report_details"]) + "\n")
        for i, paper in enumerate(chunk, start=offset + 1):
            out.append(heading(3, f"paper-{i}", f"{i}. {ctx.a_paper(path, paper)}") + "\n")
            facts = []
            if paper.institutions:
                facts.append(
                    f"<strong>{s['main_institutions']}</strong>: "
                    + s["sep"].join(ctx.a_inst(path, x) for x in paper.institutions)
                )
            if paper.record.author_count:
                count = s["author_count_value"].format(n=paper.record.author_count)
                facts.append(f"<strong>{s['author_count']}</strong>: {count}")
            if paper.techniques:
                facts.append(
                    f"<strong>{s['techniques']}</strong>: "
                    + s["sep"].join(ctx.a_tech(path, t) for t in paper.techniques)
                )
            if facts:
                out.append(html_list(facts))
            abstract = (
                html_paragraphs(paper.record.abstract)
                if paper.record.abstract
                else f"<p><em>{s['abstract_missing']}</em></p>"
            )
            out.append(f"<p><strong>{s['abstract']}</strong>:</p>\n{abstract}\n")
        out.append(ctx.pager(path, pages, n))
        result.append(PageText(path, "".join(out).rstrip("\n") + "\n"))
    return result
