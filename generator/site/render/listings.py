"""Render the listing pages: technique and institution pages, and the top-level indexes."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from generator.records.collection import Paper
from generator.records.models import Institution
from generator.site.index import InstitutionGroup, TechniqueGroup, most_cited_first
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.render.compare import comparison_table
from generator.site.render.context import PageText, RenderContext, chunks, iso_day, page_text
from generator.site.render.frontmatter import front_matter
from generator.site.render.html import Html, external_link, html_list, html_table, html_text
from generator.site.render.paths import entity_page_path, feed_path, listing_path
from generator.site.render.strings import STRINGS

T = TypeVar("T")

LISTED_INSTITUTIONS = 3  # per row of a paper listing
SIDEBAR_LIMIT = 30  # co-authors, active institutions, home-page institutions
NO_COUNT = "—"  # a paper without a citation count, explained under the table

_OPENING = Html(PREBUILT_MARKER + "\n<h1>{}</h1>\n")


def page_count(ctx: RenderContext, n_items: int) -> int:
    """Return how many listing pages n items fill."""
    return max(1, -(-n_items // ctx.settings.page_size))


def _numbered(ctx: RenderContext, title: Html, n: int, total: int) -> Html:
    """Return the title of page n of a listing: 'title (page n of total)' after the first."""
    if n == 1:
        return title
    return Html("{} ({})").format(title, ctx.s["page_of"].format(n=n, total=total))


def by_date_then_title(paper: Paper) -> tuple[int, int, bool, str, str]:
    """Sort key of the all-papers list: newest first-version date first, then title.

    A paper whose first-version date is unknown sorts by its year, after the dated papers of
    that year; one with neither comes last. Untitled papers follow titled ones.
    """
    record = paper.record
    published = record.published
    year = published.year if published else (record.year or 0)
    title = record.title
    return (
        -year,
        -(published.toordinal() if published else 0),
        title is None,
        (title or "").casefold(),
        paper.id,
    )


def paper_table(
    ctx: RenderContext, source: str, papers: Sequence[Paper], *, first_version: bool = False
) -> Html:
    """Return a compact table of papers: title, institutions, date, citations.

    The date is the day the paper joined the collection, or with `first_version` the date of
    its first version (its year when only that is known). No cell is left empty: an unknown
    value says so, and a paper with no citation count shows a dash the note under the table
    explains.
    """
    s = ctx.s
    if not papers:
        return Html("<p>{}</p>\n").format(s["none"])
    cited = any(p.id in ctx.model.citations for p in papers)
    date_head = s["published"] if first_version else s["added"]
    head = [s["papers"], s["institutions"], date_head] + ([s["citations"]] if cited else [])
    rows = []
    dashes = False
    for paper in papers:
        insts = [
            ctx.a_inst(source, i, short=True) for i in paper.institutions[:LISTED_INSTITUTIONS]
        ]
        if len(paper.institutions) > LISTED_INSTITUTIONS:
            insts.append(s["more"])
        row = [
            ctx.a_paper(source, paper),
            s["sep"].join(insts) if insts else s["unknown"],
            _first_version(ctx, paper) if first_version else iso_day(paper.record.added),
        ]
        if cited:
            found = ctx.model.citations.get(paper.id)
            if found and found.count is not None:
                row.append(str(found.count))
            else:
                row.append(NO_COUNT)
                dashes = True
        rows.append(row)
    table = html_table(head, rows)
    if dashes:
        table += Html('<p class="pb-table-note">{}</p>\n').format(
            s["no_citations"].format(dash=NO_COUNT)
        )
    return table


def _first_version(ctx: RenderContext, paper: Paper) -> str:
    """Return the first version's date, else the year, else 'unknown'."""
    record = paper.record
    if record.published:
        return iso_day(record.published)
    return str(record.year) if record.year else ctx.s["unknown"]


def render_listing(
    ctx: RenderContext,
    pages: list[str],
    title: Html,
    papers: Sequence[Paper],
    header: Callable[[str], Html],
    *,
    description: Html | None = None,
    feed: tuple[str, str] | None = None,
    first_version: bool = False,
    after_table: Callable[[str, Sequence[Paper]], Html] | None = None,
    skip: Callable[[int], bool] | None = None,
) -> list[PageText]:
    """Render a paginated paper listing; `header(path)` opens the first page.

    `after_table(path, papers)` adds a section about the papers of each page after its table.
    Page n is left out when `skip(n)` says so.
    """
    result = []
    for n, chunk in enumerate(chunks(papers, ctx.settings.page_size), start=1):
        if skip is not None and skip(n):
            continue
        path = pages[n - 1]
        shown_title = _numbered(ctx, title, n, len(pages))
        extra: dict[str, Any] = {"search": {"exclude": True}}
        if feed:
            extra["feed_rss"] = feed_path(feed[0], feed[1], "xml")
            extra["feed_json"] = feed_path(feed[0], feed[1], "json")
        out = [_OPENING.format(shown_title)]
        if n == 1:
            out.append(header(path))
        out.append(ctx.pager(path, pages, n))
        out.append(paper_table(ctx, path, chunk, first_version=first_version))
        if after_table is not None:
            out.append(after_table(path, chunk))
        out.append(ctx.pager(path, pages, n))
        front = front_matter(shown_title, description=description, **extra)
        result.append(page_text(path, front, out))
    return result


def institution_counts(
    ctx: RenderContext, path: str, label: str, counted: Sequence[tuple[Institution, int]]
) -> Html:
    """Return 'label: A (3)、B (2)…' for the first SIDEBAR_LIMIT institutions."""
    s = ctx.s
    more = s["sep"] + s["more"] if len(counted) > SIDEBAR_LIMIT else Html("")
    counts = Html("{} ({})")
    links = s["sep"].join(
        counts.format(ctx.a_inst(path, i, short=True), n) for i, n in counted[:SIDEBAR_LIMIT]
    )
    return Html("{}: {}{}").format(s[label], links, more)


def render_orderings(
    ctx: RenderContext,
    kind: str,
    entity_id: str,
    title: Html,
    papers: Sequence[Paper],
    header: Callable[[str, Html | None], Html],
    *,
    description: Html,
    after_table: Callable[[str, Sequence[Paper]], Html] | None = None,
) -> list[PageText]:
    """Render a listing newest first, and most cited first too when citations exist.

    `header(path, sort_fact)` opens the first page; `sort_fact` links the other order.
    """
    s = ctx.s
    count = page_count(ctx, len(papers))
    newest = [entity_page_path(kind, entity_id, n) for n in range(1, count + 1)]
    cited = [entity_page_path(kind, entity_id, n, "cited") for n in range(1, count + 1)]
    has_citations = any(p.id in ctx.model.citations for p in papers)

    def sort_fact(path: str, order: str) -> Html | None:
        if not has_citations:
            return None
        other = cited[0] if order == "newest" else newest[0]
        label = s["most_cited"] if order == "newest" else s["newest_first"]
        current = s["newest_first"] if order == "newest" else s["most_cited"]
        return Html("{}: {} · {}").format(s["sorted_by"], current, ctx.link(path, other, label))

    feed = (kind, entity_id)
    pages = render_listing(
        ctx,
        newest,
        title,
        papers,
        lambda p: header(p, sort_fact(p, "newest")),
        description=description,
        feed=feed,
        after_table=after_table,
    )
    if has_citations:
        by_citations = sorted(papers, key=lambda p: most_cited_first(p, ctx.model.citations))
        pages += render_listing(
            ctx,
            cited,
            Html("{} ({})").format(title, s["most_cited"]),
            by_citations,
            lambda p: header(p, sort_fact(p, "cited")),
            description=description,
            feed=feed,
            after_table=after_table,
        )
    return pages


def render_technique(ctx: RenderContext, group: TechniqueGroup) -> list[PageText]:
    """Render a technique's pages: newest first, and most cited first when citations exist.

    Each page compares its papers in a table made from their briefs (compare.py).
    """
    tech = group.technique
    s = ctx.s
    fact = Html("{}: {}")
    description = tech.description_in(ctx.settings.language)

    def header(path: str, sort_fact: Html | None) -> Html:
        facts = [s["paper_count"].format(n=len(group.papers))]
        if tech.aliases:
            facts.append(fact.format(s["aliases"], s["sep"].join(tech.aliases)))
        if group.parent:
            facts.append(fact.format(s["parent"], ctx.a_tech(path, group.parent)))
        if group.children:
            children = s["sep"].join(ctx.a_tech(path, c) for c in group.children)
            facts.append(fact.format(s["children"], children))
        if group.institutions:
            facts.append(institution_counts(ctx, path, "active_institutions", group.institutions))
        if sort_fact:
            facts.append(sort_fact)
        return (
            Html("<p>{}</p>\n").format(description)
            + html_list(facts)
            + ctx.feed_links(path, "techniques", tech.id)
        )

    first, second = (tech.zh, tech.en) if ctx.text is STRINGS["zh"] else (tech.en, tech.zh)
    return render_orderings(
        ctx,
        "techniques",
        tech.id,
        Html("{} · {}").format(first, second),
        group.papers,
        header,
        description=html_text(description),
        after_table=lambda path, papers: comparison_table(ctx, path, papers),
    )


def render_institution(ctx: RenderContext, group: InstitutionGroup) -> list[PageText]:
    """Render an institution's pages: newest first, and most cited first when citations exist."""
    inst = group.institution
    s = ctx.s
    fact = Html("{}: {}")

    def header(path: str, sort_fact: Html | None) -> Html:
        strong = Html("<strong>{}</strong>")
        names = [strong.format(name) for name in (inst.zh, inst.en) if name]
        facts = [s["paper_count"].format(n=len(group.papers))]
        if inst.aliases:
            facts.append(fact.format(s["aliases"], s["sep"].join(inst.aliases)))
        if inst.country:
            facts.append(fact.format(s["country"], inst.country))
        website = external_link(inst.url, inst.url) if inst.url else None
        if website:
            facts.append(fact.format(s["website"], website))
        if group.techniques:
            counts = Html("{} ({})")
            techniques = s["sep"].join(
                counts.format(ctx.a_tech(path, t), n) for t, n in group.techniques
            )
            facts.append(fact.format(s["works_on"], techniques))
        if group.coauthors:
            facts.append(institution_counts(ctx, path, "coauthors", group.coauthors))
        if sort_fact:
            facts.append(sort_fact)
        return (
            Html("<p>{}</p>\n").format(Html(" · ").join(names))
            + html_list(facts)
            + ctx.feed_links(path, "institutions", inst.id)
        )

    return render_orderings(
        ctx,
        "institutions",
        inst.id,
        ctx.inst_short(inst),
        group.papers,
        header,
        description=html_text(inst.en),
    )


def render_index(
    ctx: RenderContext,
    kind: str,
    title: Html,
    items: Sequence[T],
    head: list[Html],
    row: Callable[[str, T], list[str]],
) -> list[PageText]:
    """Render a paginated top-level index: a table with one row per entity."""
    chunked = chunks(items, ctx.settings.page_size)
    pages = [listing_path(kind, n) for n in range(1, len(chunked) + 1)]
    result = []
    for n, chunk in enumerate(chunked, start=1):
        path = pages[n - 1]
        shown = _numbered(ctx, title, n, len(pages))
        out = [_OPENING.format(shown), ctx.pager(path, pages, n)]
        if chunk:
            out.append(html_table(head, [row(path, item) for item in chunk]))
        else:
            out.append(Html("<p>{}</p>\n").format(ctx.s["none"]))
        out.append(ctx.pager(path, pages, n))
        front = front_matter(shown, search={"exclude": True})
        result.append(page_text(path, front, out))
    return result


PAPER_LISTING_UNIT = "papers-listing/"


def paper_listing_order(papers: Sequence[Paper]) -> list[Paper]:
    """Return the papers in the order of the all-papers listing."""
    return sorted(papers, key=by_date_then_title)


def render_indexes(
    ctx: RenderContext,
    skip_groups: Collection[str] = (),
    produced: dict[str, list[str]] | None = None,
) -> list[PageText]:
    """Render the index pages of reports, techniques, institutions and papers.

    Page n of the all-papers listing is the unit `PAPER_LISTING_UNIT + str(n)`: it is left out
    when `skip_groups` names it (pagecache.py keeps it), and `produced` gets its path.
    """
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
            g.technique.description_in(ctx.settings.language),
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
    paths = [listing_path("papers", n) for n in range(1, count + 1)]
    pages += render_listing(
        ctx,
        paths,
        s["papers_title"],
        paper_listing_order(model.papers),
        lambda path: Html("<p>{}</p>\n").format(
            s["paper_count"].format(n=len(model.papers)) + s["papers_order"]
        ),
        first_version=True,
        skip=lambda n: f"{PAPER_LISTING_UNIT}{n}" in skip_groups,
    )
    if produced is not None:
        for n, path in enumerate(paths, start=1):
            if f"{PAPER_LISTING_UNIT}{n}" not in skip_groups:
                produced[f"{PAPER_LISTING_UNIT}{n}"] = [path]
    return pages
