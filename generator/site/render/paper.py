"""Render a paper page: title, brief, details, links, citations, BibTeX, abstract, search facets."""

from __future__ import annotations

import html
from urllib.parse import quote

from generator.records.collection import Paper
from generator.records.models import Technique
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.prebuilt import heading
from generator.site.render.bibtex import bibtex_entry
from generator.site.render.citation import highwire_tags
from generator.site.render.context import PageText, RenderContext, iso_day, shorten
from generator.site.render.frontmatter import DESCRIPTION_LENGTH, front_matter
from generator.site.render.html import escape, external_link, html_list, html_paragraphs
from generator.site.render.paths import paper_path

BRIEF_EXCERPT = 240  # characters of the brief a search result shows

# Look-alikes for the characters that could turn a Pagefind filter label into markup.
_FILTER_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})


def brief_paragraphs(ctx: RenderContext, paper: Paper) -> str:
    """Return a paper's brief as paragraphs, or the line saying it is still to come."""
    if paper.brief_text:
        return html_paragraphs(paper.brief_text)
    return f"<p><em>{ctx.s['brief_pending']}</em></p>"


def _brief_section(ctx: RenderContext, paper: Paper) -> str:
    s = ctx.s
    out = [heading(2, "brief", s["brief"]) + "\n", brief_paragraphs(ctx, paper) + "\n"]
    generated = paper.generated_brief
    if paper.brief_text and generated is not None:
        label = s["ai_generated"].format(
            model=escape(generated.model), date=iso_day(generated.generated)
        )
        out.append(f"<p><small>{label}</small></p>\n")
    return "".join(out)


def render_paper(ctx: RenderContext, paper: Paper) -> PageText:
    """Render one paper page: front matter, then a prebuilt HTML body (generator.site.prebuilt).

    Paper pages are most of a large site, so their body skips Markdown: every untrusted
    text goes through escape(), links are final relative URLs, headings carry fixed ids.
    """
    path = paper_path(paper.id)
    s = ctx.s
    record = paper.record
    title = ctx.title_of(paper)
    english = not ctx.settings.language.lower().startswith("zh")
    summary = (paper.tldr if english else None) or paper.brief_text or record.abstract
    out = [
        front_matter(
            title,
            description=escape(shorten(summary, DESCRIPTION_LENGTH)) if summary else None,
            # Highwire tags for Zotero and Google Scholar, as one string of <meta> tags
            # (names ours, contents escaped): overrides/main.html prints it in <head>.
            citation_meta="".join(
                f'<meta name="{name}" content="{content}">'
                for name, content in highwire_tags(paper)
            )
            or None,
            # Pagefind indexes paper pages; Material's index keeps only hand-written pages,
            # so it stays small and its plugin skips the bulk of the site.
            search={"exclude": True},
        ),
        PREBUILT_MARKER + "\n",
        f"<h1>{title}</h1>\n",
    ]
    if english and paper.tldr:
        out.append(f"<p><strong>TL;DR:</strong> {escape(paper.tldr)}</p>\n")
    out.append(_brief_section(ctx, paper))
    if paper.tldr and not english:
        out.append(f"<p><em>TL;DR:</em> {escape(paper.tldr)}</p>\n")

    out.append(heading(2, "details", s["details"]) + "\n")
    facts: list[str] = []
    if paper.institutions:
        facts.append(
            f"{s['institutions']}: "
            + s["sep"].join(ctx.a_inst(path, i) for i in paper.institutions)
        )
    if record.author_count or record.authors:
        n = record.author_count or len(record.authors or [])
        facts.append(f"{s['author_count']}: {s['author_count_value'].format(n=n)}")
    if record.authors:
        facts.append(f"{s['authors']}: " + s["sep"].join(escape(a) for a in record.authors))
    if paper.techniques:
        facts.append(
            f"{s['techniques']}: " + s["sep"].join(ctx.a_tech(path, t) for t in paper.techniques)
        )
    if record.venue:
        facts.append(f"{s['venue']}: {escape(record.venue)}")
    if record.year:
        facts.append(f"{s['year']}: {record.year}")
    reports = ctx.model.reports_of.get(paper.id, [])
    if reports:
        facts.append(
            f"{s['in_reports']}: "
            + s["sep"].join(ctx.a_report(path, ctx.report_views[r.id]) for r in reports)
        )
    facts.append(f"{s['added']}: {iso_day(record.added)}")
    out.append(html_list(facts))

    links = record.links
    anchors = [
        external_link(f"https://arxiv.org/abs/{links.arxiv}", "arXiv") if links.arxiv else None,
        external_link(f"https://doi.org/{quote(links.doi, safe='/:;()')}", "DOI")
        if links.doi
        else None,
        external_link(links.pdf, s["pdf"]),
        external_link(links.code, s["code"]),
        external_link(links.project, s["project"]),
    ]
    shown = [a for a in anchors if a]
    if shown:
        out.append(heading(2, "links", s["links"]) + f"\n<p>{' · '.join(shown)}</p>\n")

    found = ctx.model.citations.get(paper.id)
    if found is not None:
        out.append(heading(2, "citations", s["citations"]) + "\n")
        cite_lines = [
            s["cited_by"].format(count=found.count, date=iso_day(found.as_of))
            if found.count is not None
            else s["cited_unknown"].format(date=iso_day(found.as_of))
        ]
        if found.venue:
            cite_lines.append(f"{s['venue']}: {escape(found.venue)}")
        if found.year:
            cite_lines.append(f"{s['year']}: {found.year}")
        scholar = external_link(found.url, s["scholar_record"])
        if scholar:
            cite_lines.append(scholar)
        out.append(html_list(cite_lines))
    out.append(heading(2, "cite", s["cite"]) + "\n" + cite_block(ctx, paper))

    out.append(heading(2, "abstract", s["abstract"]) + "\n")
    out.append(
        (
            html_paragraphs(record.abstract)
            if record.abstract
            else f"<p><em>{s['abstract_missing']}</em></p>"
        )
        + "\n"
    )

    if record.notes:
        out.append(heading(2, "notes", s["notes"]) + f"\n{html_paragraphs(record.notes)}\n")

    related = ctx.model.related.get(paper.id, [])
    if related:
        out.append(
            heading(2, "related", s["related"])
            # Other papers' titles are not this paper's text: Pagefind skips them.
            + "\n"
            + html_list(ctx.a_paper(path, p, css="pb-noindex") for p in related)
        )

    # The search index reads the body: the labels make 量化 and quantization both find the paper.
    # A sub-technique's paper is found by its parent's labels too (PTQ papers by 量化).
    terms: list[str] = []
    for tech in paper.techniques:
        for term in ctx.search_terms(tech):
            if term not in terms:
                terms.append(term)
    if terms:
        out.append(f"<p>{s['keywords']}: " + " · ".join(escape(t) for t in terms) + "</p>\n")
    out.append(search_facets(ctx, paper) + "\n")

    footer: list[str] = []
    if record.review:
        footer.append(f"{s['review']}: " + "; ".join(escape(r) for r in record.review))
    if ctx.settings.edit_base:
        footer.append(
            external_link(f"{ctx.settings.edit_base}data/papers/{paper.id}.yaml", s["edit_record"])
            or ""
        )
    if footer:
        out.append("<hr>\n<p><small>" + " · ".join(f for f in footer if f) + "</small></p>\n")
    return PageText(path, "".join(out))


def _filter_label(escaped: str) -> str:
    """Return an escaped label as plain text with no character HTML could act on."""
    return html.unescape(escaped).translate(_FILTER_LOOKALIKES)


def search_facets(ctx: RenderContext, paper: Paper) -> str:
    """Return the hidden block of a paper's search filters and result excerpt (Pagefind)."""
    s = ctx.s
    facets: list[tuple[str, str]] = []
    seen: set[str] = set()
    for tech in paper.techniques:
        # A sub-technique's paper is listed under its parent's filter too (PTQ under 量化).
        current: Technique | None = tech
        while current is not None and current.id not in seen:
            seen.add(current.id)
            facets.append((s["techniques"], ctx.tech_name(current)))
            group = ctx.tech_groups.get(current.parent) if current.parent else None
            current = group.technique if group else None
    facets += [(s["institutions"], ctx.inst_short(i)) for i in paper.institutions]
    if paper.record.year:
        facets.append((s["year"], str(paper.record.year)))
    for report in ctx.model.reports_of.get(paper.id, []):
        view = ctx.report_views[report.id]
        title = f"{view.report.record.title} ({view.generated.strftime('%Y-%m-%d')})"
        facets.append((s["reports_title"], escape(title)))
    # Pagefind's UI inserts filter values as HTML ({@html}) after Pagefind 1.5 decoded
    # entities twice: no escaping survives that, so labels carry no <, > or & at all.
    spans = [
        f'<span data-pagefind-filter="{escape(k)}">{escape(_filter_label(v))}</span>'
        for k, v in facets
    ]
    summary = paper.brief_text or paper.tldr or paper.record.abstract
    if summary:
        spans.append(
            f'<span data-pagefind-meta="brief">{escape(shorten(summary, BRIEF_EXCERPT))}</span>'
        )
    # Hidden, left out of both search indexes; Pagefind still reads its filters and meta.
    return (
        '<div class="pb-facets" hidden data-pagefind-ignore data-search-exclude>'
        + "".join(spans)
        + "</div>"
    )


def cite_block(ctx: RenderContext, paper: Paper) -> str:
    """Return the Cite section: the BibTeX entry and a button (docs/assets/javascripts/cite.js)."""
    s = ctx.s
    entry = bibtex_entry(paper, ctx.untitled(paper)).format()
    # escape() keeps each line inert; the indent is ours, so it goes back after escaping.
    lines = "\n".join(
        ("  " if line.startswith("  ") else "") + escape(line) for line in entry.split("\n")
    )
    target = f"bibtex-{paper.id}"
    return (
        '<div class="pb-cite" data-pagefind-ignore="all">\n'
        f'<button type="button" class="md-button pb-cite__button" data-pb-cite="{target}" '
        f'data-pb-copied="{escape(s["cite_copied"])}" data-pb-failed="{escape(s["cite_failed"])}">'
        f"{escape(s['cite_button'])}</button>\n"
        '<span class="pb-cite__status" role="status" aria-live="polite"></span>\n'
        f'<pre class="pb-bibtex" id="{target}"><code>{lines}</code></pre>\n'
        "</div>\n"
    )
