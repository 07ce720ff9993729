"""Render the listing pages: technique and institution pages, and the top-level indexes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from generator.records.collection import Paper
from generator.records.models import Institution
from generator.site.index import InstitutionGroup, TechniqueGroup, most_cited_first
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.render.context import PageText, RenderContext, chunks, iso_day
from generator.site.render.frontmatter import front_matter
from generator.site.render.html import escape, external_link, html_list, html_table
from generator.site.render.paths import entity_page_path, feed_path, listing_path
from generator.site.render.strings import STRINGS

T = TypeVar("T")

LISTED_INSTITUTIONS = 3  # per row of a paper listing
SIDEBAR_LIMIT = 30  # co-authors, active institutions, home-page institutions


def page_count(ctx: RenderContext, n_items: int) -> int:
    """Return how many listing pages n items fill."""
    return max(1, -(-n_items // ctx.settings.page_size))


def paper_table(ctx: RenderContext, source: str, papers: Sequence[Paper]) -> str:
    """Return a compact table of papers: title, institutions, year/date, citations."""
    s = ctx.s
    if not papers:
        return f"<p>{s['none']}</p>\n"
    cited = any(p.id in ctx.model.citations for p in papers)
    head = [s["papers"], s["institutions"], s["date"]] + ([s["citations"]] if cited else [])
    rows = []
    for paper in papers:
        insts = [
            ctx.a_inst(source, i, short=True) for i in paper.institutions[:LISTED_INSTITUTIONS]
        ]
        if len(paper.institutions) > LISTED_INSTITUTIONS:
            insts.append(s["more"])
        row = [ctx.a_paper(source, paper), s["sep"].join(insts), iso_day(paper.record.added)]
        if cited:
            found = ctx.model.citations.get(paper.id)
            row.append(str(found.count) if found and found.count is not None else "")
        rows.append(row)
    return html_table(head, rows)


def render_listing(
    ctx: RenderContext,
    pages: list[str],
    title: str,
    papers: Sequence[Paper],
    header: Callable[[str], str],
    *,
    description: str | None = None,
    feed: tuple[str, str] | None = None,
) -> list[PageText]:
    """Render a paginated paper listing; `header(path)` opens the first page."""
    result = []
    for n, chunk in enumerate(chunks(papers, ctx.settings.page_size), start=1):
        path = pages[n - 1]
        shown_title = (
            title if n == 1 else f"{title} ({ctx.s['page_of'].format(n=n, total=len(pages))})"
        )
        extra: dict[str, Any] = {"search": {"exclude": True}}
        if feed:
            extra["feed_rss"] = feed_path(feed[0], feed[1], "xml")
            extra["feed_json"] = feed_path(feed[0], feed[1], "json")
        out = [
            front_matter(shown_title, description=description, **extra),
            f"{PREBUILT_MARKER}\n<h1>{shown_title}</h1>\n",
        ]
        if n == 1:
            out.append(header(path))
        out.append(ctx.pager(path, pages, n))
        out.append(paper_table(ctx, path, chunk))
        out.append(ctx.pager(path, pages, n))
        result.append(PageText(path, "".join(out).rstrip("\n") + "\n"))
    return result


def institution_counts(
    ctx: RenderContext, path: str, label: str, counted: Sequence[tuple[Institution, int]]
) -> str:
    """Return 'label: A (3)、B (2)…' for the first SIDEBAR_LIMIT institutions."""
    s = ctx.s
    more = f"{s['sep']}{s['more']}" if len(counted) > SIDEBAR_LIMIT else ""
    links = s["sep"].join(
        f"{ctx.a_inst(path, i, short=True)} ({n})" for i, n in counted[:SIDEBAR_LIMIT]
    )
    return f"{s[label]}: {links}{more}"


def render_orderings(
    ctx: RenderContext,
    kind: str,
    entity_id: str,
    title: str,
    papers: Sequence[Paper],
    header: Callable[[str, str | None], str],
    *,
    description: str,
) -> list[PageText]:
    """Render a listing newest first, and most cited first too when citations exist.

    `header(path, sort_fact)` opens the first page; `sort_fact` links the other order.
    """
    s = ctx.s
    count = page_count(ctx, len(papers))
    newest = [entity_page_path(kind, entity_id, n) for n in range(1, count + 1)]
    cited = [entity_page_path(kind, entity_id, n, "cited") for n in range(1, count + 1)]
    has_citations = any(p.id in ctx.model.citations for p in papers)

    def sort_fact(path: str, order: str) -> str | None:
        if not has_citations:
            return None
        other = cited[0] if order == "newest" else newest[0]
        label = s["most_cited"] if order == "newest" else s["newest_first"]
        current = s["newest_first"] if order == "newest" else s["most_cited"]
        return f"{s['sorted_by']}: {current} · {ctx.link(path, other, label)}"

    feed = (kind, entity_id)
    pages = render_listing(
        ctx,
        newest,
        title,
        papers,
        lambda p: header(p, sort_fact(p, "newest")),
        description=description,
        feed=feed,
    )
    if has_citations:
        by_citations = sorted(papers, key=lambda p: most_cited_first(p, ctx.model.citations))
        pages += render_listing(
            ctx,
            cited,
            f"{title} ({s['most_cited']})",
            by_citations,
            lambda p: header(p, sort_fact(p, "cited")),
            description=description,
            feed=feed,
        )
    return pages


def render_technique(ctx: RenderContext, group: TechniqueGroup) -> list[PageText]:
    """Render a technique's pages: newest first, and most cited first when citations exist."""
    tech = group.technique
    s = ctx.s

    def header(path: str, sort_fact: str | None) -> str:
        out = [f"<p>{escape(tech.description)}</p>\n"]
        facts = [s["paper_count"].format(n=len(group.papers))]
        if tech.aliases:
            facts.append(f"{s['aliases']}: " + s["sep"].join(escape(a) for a in tech.aliases))
        if group.parent:
            facts.append(f"{s['parent']}: {ctx.a_tech(path, group.parent)}")
        if group.children:
            facts.append(
                f"{s['children']}: " + s["sep"].join(ctx.a_tech(path, c) for c in group.children)
            )
        if group.institutions:
            facts.append(institution_counts(ctx, path, "active_institutions", group.institutions))
        if sort_fact:
            facts.append(sort_fact)
        out.append(html_list(facts))
        out.append(ctx.feed_links(path, "techniques", tech.id))
        return "".join(out)

    title = (
        f"{escape(tech.zh)} · {escape(tech.en)}"
        if s is STRINGS["zh"]
        else f"{escape(tech.en)} · {escape(tech.zh)}"
    )
    return render_orderings(
        ctx,
        "techniques",
        tech.id,
        title,
        group.papers,
        header,
        description=escape(tech.description),
    )


def render_institution(ctx: RenderContext, group: InstitutionGroup) -> list[PageText]:
    """Render an institution's pages: newest first, and most cited first when citations exist."""
    inst = group.institution
    s = ctx.s

    def header(path: str, sort_fact: str | None) -> str:
        names = [f"<strong>{escape(inst.zh)}</strong>"] if inst.zh else []
        names.append(f"<strong>{escape(inst.en)}</strong>")
        out = [f"<p>{' · '.join(names)}</p>\n"]
        facts = [s["paper_count"].format(n=len(group.papers))]
        if inst.aliases:
            facts.append(f"{s['aliases']}: " + s["sep"].join(escape(a) for a in inst.aliases))
        if inst.country:
            facts.append(f"{s['country']}: {escape(inst.country)}")
        website = external_link(inst.url, escape(inst.url)) if inst.url else None
        if website:
            facts.append(f"{s['website']}: {website}")
        if group.techniques:
            facts.append(
                f"{s['works_on']}: "
                + s["sep"].join(f"{ctx.a_tech(path, t)} ({n})" for t, n in group.techniques)
            )
        if group.coauthors:
            facts.append(institution_counts(ctx, path, "coauthors", group.coauthors))
        if sort_fact:
            facts.append(sort_fact)
        out.append(html_list(facts))
        out.append(ctx.feed_links(path, "institutions", inst.id))
        return "".join(out)

    return render_orderings(
        ctx,
        "institutions",
        inst.id,
        ctx.inst_short(inst),
        group.papers,
        header,
        description=escape(inst.en),
    )


def render_index(
    ctx: RenderContext,
    kind: str,
    title: str,
    items: Sequence[T],
    head: list[str],
    row: Callable[[str, T], list[str]],
) -> list[PageText]:
    """Render a paginated top-level index: a table with one row per entity."""
    chunked = chunks(items, ctx.settings.page_size)
    pages = [listing_path(kind, n) for n in range(1, len(chunked) + 1)]
    result = []
    for n, chunk in enumerate(chunked, start=1):
        path = pages[n - 1]
        shown = title if n == 1 else f"{title} ({ctx.s['page_of'].format(n=n, total=len(pages))})"
        out = [
            front_matter(shown, search={"exclude": True}),
            f"{PREBUILT_MARKER}\n<h1>{shown}</h1>\n",
            ctx.pager(path, pages, n),
        ]
        if chunk:
            out.append(html_table(head, [row(path, item) for item in chunk]))
        else:
            out.append(f"<p>{ctx.s['none']}</p>\n")
        out.append(ctx.pager(path, pages, n))
        result.append(PageText(path, "".join(out).rstrip("\n") + "\n"))
    return result


def render_indexes(ctx: RenderContext) -> list[PageText]:
    """Render the index pages of reports, techniques, institutions and papers."""
    s = ctx.s
    model = ctx.model
    pages = render_index(
        ctx,
        "reports",
        s["reports_title"],
        model.reports,
        [s["reports_title"], s["date"], s["papers"]],
        lambda path, v: [ctx.a_report(path, v), iso_day(v.generated), str(len(v.papers))],
    )
    pages += render_index(
        ctx,
        "techniques",
        s["techniques_title"],
        model.techniques,
        [s["techniques_title"], s["papers"], s["details"]],
        lambda path, g: [
            ctx.a_tech(path, g.technique),
            str(len(g.papers)),
            escape(g.technique.description),
        ],
    )
    pages += render_index(
        ctx,
        "institutions",
        s["institutions_title"],
        model.institutions,
        [s["institutions_title"], s["papers"]],
        lambda path, g: [ctx.a_inst(path, g.institution), str(len(g.papers))],
    )
    count = page_count(ctx, len(model.papers))
    pages += render_listing(
        ctx,
        [listing_path("papers", n) for n in range(1, count + 1)],
        s["papers_title"],
        model.papers,
        lambda path: f"<p>{s['paper_count'].format(n=len(model.papers))}</p>\n",
    )
    return pages
