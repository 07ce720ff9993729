"""Render a paper page: title, brief, details, links, citations, BibTeX, abstract, search facets."""

from __future__ import annotations

from urllib.parse import quote

from generator.records.collection import Paper
from generator.site.prebuilt import MARKER as PREBUILT_MARKER
from generator.site.render.bibtex import bibtex_entry
from generator.site.render.citation import highwire_tags, pdf_url
from generator.site.render.context import PageText, RenderContext, iso_day, page_text, shorten
from generator.site.render.frontmatter import DESCRIPTION_LENGTH, front_matter
from generator.site.render.html import (
    Html,
    external_link,
    html_heading,
    html_list,
    html_meta_tags,
    html_paragraphs,
    html_text,
)
from generator.site.render.paths import paper_path
from generator.site.search_terms import EVERY_PAPER, SEPARATOR, hidden_search_text

BRIEF_EXCERPT = 240  # characters of the brief a search result shows
# A long author list shows its first names and folds the rest into a <details>, which opens
# without JavaScript; a list only a little longer than that is shown whole.
AUTHORS_SHOWN = 6
AUTHORS_FOLDED_FROM = 9
# The facts a record's `sources:` may name, in the order the page lists them, with their label.
_SOURCE_LABELS = (
    ("title", "title"),
    ("authors", "authors"),
    ("institutions", "institutions"),
    ("published", "published"),
    ("venue", "venue_and_status"),
    ("arxiv_category", "arxiv_category"),
    ("doi", "doi"),
    ("pdf", "pdf"),
    ("code", "code"),
    ("project", "project"),
)

# Look-alikes for the characters that could turn a Pagefind filter label into markup.
_FILTER_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})

_OPENING = Html(PREBUILT_MARKER + "\n<h1>{}</h1>\n")
_NEWLINE = Html("\n")
_BLOCK = Html("{}\n")
_FACT = Html("{}: {}")
_DOT = Html(" · ")
_EMPTY = Html("")
_MISSING = Html("<p><em>{}</em></p>")
_FILTER = Html('<span data-pagefind-filter="{}">{}</span>')
_EXCERPT = Html('<span data-pagefind-meta="brief">{}</span>')
_TERMS = Html('<div class="pb-terms" hidden data-search-exclude>{}</div>\n')
_FACETS = Html('<div class="pb-facets" hidden data-pagefind-ignore data-search-exclude>{}</div>\n')
_CITE = Html(
    '<div class="pb-cite" data-pagefind-ignore="all">\n'
    '<button type="button" class="md-button pb-cite__button" data-pb-cite="{target}" '
    'data-pb-copied="{copied}" data-pb-failed="{failed}">{button}</button>\n'
    '<span class="pb-cite__status" role="status" aria-live="polite"></span>\n'
    '<pre class="pb-bibtex" id="{target}"><code>{lines}</code></pre>\n'
    "</div>\n"
)
_INDENT = Html("  ")
_SMALL = Html("<p><small>{}</small></p>\n")
_FOLDED_AUTHORS = Html('{} <details class="pb-authors"><summary>{}</summary>{}</details>')


def brief_paragraphs(ctx: RenderContext, paper: Paper) -> Html:
    """Return a paper's brief as paragraphs, or the line saying it is still to come."""
    if paper.brief_text:
        return html_paragraphs(paper.brief_text)
    return _MISSING.format(ctx.s["brief_pending"])


def _brief_section(ctx: RenderContext, paper: Paper) -> list[Html]:
    s = ctx.s
    out = [html_heading(2, "brief", s["brief"]), _BLOCK.format(brief_paragraphs(ctx, paper))]
    generated = paper.generated_brief
    if paper.brief_text and generated is not None:
        label = s["ai_generated"].format(model=generated.model, date=iso_day(generated.generated))
        out.append(_SMALL.format(label))
    return out


def _details(ctx: RenderContext, paper: Paper, path: str) -> list[Html]:
    s = ctx.s
    record = paper.record
    sep = s["sep"]
    facts: list[Html] = []
    if paper.institutions:
        institutions = sep.join([ctx.a_inst(path, i) for i in paper.institutions])
        facts.append(_FACT.format(s["institutions"], institutions))
    if record.author_total:
        count = s["author_count_value"].format(n=record.author_total)
        facts.append(_FACT.format(s["author_count"], count))
    if record.authors:
        facts.append(_FACT.format(s["authors"], _author_names(ctx, record.authors)))
    if paper.techniques:
        techniques = sep.join([ctx.a_tech(path, t) for t in paper.techniques])
        facts.append(_FACT.format(s["techniques"], techniques))
    if record.published:
        facts.append(_FACT.format(s["published"], iso_day(record.published)))
    venue = _venue_and_status(ctx, record.venue, record.venue_status)
    if venue:
        facts.append(_FACT.format(s["venue_and_status"], venue))
    if record.citation_year:
        facts.append(_FACT.format(s["year"], record.citation_year))
    if record.arxiv_category:
        facts.append(_FACT.format(s["arxiv_category"], record.arxiv_category))
    reports = ctx.model.reports_of.get(paper.id, [])
    if reports:
        links = sep.join([ctx.a_report(path, ctx.report_views[r.id]) for r in reports])
        facts.append(_FACT.format(s["in_reports"], links))
    facts.append(_FACT.format(s["added"], iso_day(record.added)))
    return [html_heading(2, "details", s["details"]), html_list(facts)]


def _author_names(ctx: RenderContext, authors: list[str]) -> Html:
    """Return the author names; a long list folds all but the first ones into a <details>."""
    sep = ctx.s["sep"]
    if len(authors) < AUTHORS_FOLDED_FROM:
        return sep.join(authors)
    shown, folded = authors[:AUTHORS_SHOWN], authors[AUTHORS_SHOWN:]
    more = ctx.s["authors_more"].format(total=len(authors), more=len(folded))
    return _FOLDED_AUTHORS.format(sep.join(shown), more, sep.join(folded))


def _venue_and_status(ctx: RenderContext, venue: str | None, status: str | None) -> Html | None:
    """Return 'ICLR 2026 · withdrawn submission', 'preprint' or the venue alone, if known."""
    label = ctx.s[f"status_{status}"] if status else None
    if venue and label:
        return _DOT.join([venue, label])
    return html_text(venue) if venue else label


def _links(ctx: RenderContext, paper: Paper) -> list[Html]:
    s = ctx.s
    links = paper.record.links
    # The arXiv id is printed, not only linked: search reads the page's text.
    anchors = [
        external_link(f"https://arxiv.org/abs/{links.arxiv}", f"arXiv:{links.arxiv}")
        if links.arxiv
        else None,
        external_link(pdf_url(paper), s["pdf"]),
        external_link(f"https://doi.org/{quote(links.doi, safe='/:;()')}", "DOI")
        if links.doi
        else None,
        external_link(links.code, s["code"]),
        external_link(links.project, s["project"]),
    ]
    shown = [a for a in anchors if a]
    if not shown:
        return []
    return [html_heading(2, "links", s["links"]), Html("<p>{}</p>\n").format(_DOT.join(shown))]


def _citations(ctx: RenderContext, paper: Paper) -> list[Html]:
    s = ctx.s
    found = ctx.model.citations.get(paper.id)
    if found is None:
        return []
    when = iso_day(found.as_of)
    lines = [
        s["cited_by"].format(count=found.count, date=when, source=found.source)
        if found.count is not None
        else s["cited_unknown"].format(date=when, source=found.source)
    ]
    if found.venue:
        lines.append(_FACT.format(s["venue"], found.venue))
    if found.year:
        lines.append(_FACT.format(s["year"], found.year))
    scholar = external_link(found.url, s["scholar_record"].format(source=found.source))
    if scholar:
        lines.append(scholar)
    return [html_heading(2, "citations", s["citations"]), html_list(lines)]


def _footer(ctx: RenderContext, paper: Paper) -> list[Html]:
    s = ctx.s
    record = paper.record
    footer: list[Html] = []
    sources = [
        _FACT.format(s[label], text)
        for name, label in _SOURCE_LABELS
        if (text := getattr(record.sources, name)) is not None
    ]
    if sources:
        footer.append(_FACT.format(s["sources"], Html("; ").join(sources)))
    if record.review:
        footer.append(_FACT.format(s["review"], Html("; ").join(record.review)))
    if ctx.settings.edit_base:
        edit = f"{ctx.settings.edit_base}data/papers/{paper.id}.yaml"
        footer.append(external_link(edit, s["edit_record"]) or _EMPTY)
    if not footer:
        return []
    return [Html("<hr>\n<p><small>{}</small></p>\n").format(_DOT.join([f for f in footer if f]))]


def render_paper(ctx: RenderContext, paper: Paper) -> PageText:
    """Render one paper page: front matter, then a prebuilt HTML body (generator.site.prebuilt).

    Paper pages are most of a large site, so their body skips Markdown: text goes in as Html
    fields, links are final relative URLs, headings carry fixed ids.
    """
    path = paper_path(paper.id)
    s = ctx.s
    record = paper.record
    title = ctx.title_of(paper)
    english = not ctx.settings.language.lower().startswith("zh")
    summary = (paper.tldr if english else None) or paper.brief_text or record.abstract
    front = front_matter(
        title,
        description=html_text(shorten(summary, DESCRIPTION_LENGTH)) if summary else None,
        # Highwire tags for Zotero and Google Scholar, as one string of <meta> tags:
        # overrides/main.html prints it in <head>.
        citation_meta=html_meta_tags(highwire_tags(paper)) or None,
        # Pagefind indexes paper pages; Material's index keeps only hand-written pages,
        # so it stays small and its plugin skips the bulk of the site.
        search={"exclude": True},
    )
    out = [_OPENING.format(title)]
    if english and paper.tldr:
        out.append(Html("<p><strong>TL;DR:</strong> {}</p>\n").format(paper.tldr))
    out += _brief_section(ctx, paper)
    if paper.tldr and not english:
        out.append(Html("<p><em>TL;DR:</em> {}</p>\n").format(paper.tldr))
    out += _details(ctx, paper, path)
    out += _links(ctx, paper)
    out += _citations(ctx, paper)
    out += [html_heading(2, "cite", s["cite"]), cite_block(ctx, paper)]

    out.append(html_heading(2, "abstract", s["abstract"]))
    if record.abstract:
        out.append(_BLOCK.format(html_paragraphs(record.abstract)))
    else:
        out.append(_BLOCK.format(_MISSING.format(s["abstract_missing"])))
    if record.notes:
        out += [html_heading(2, "notes", s["notes"]), _BLOCK.format(html_paragraphs(record.notes))]

    related = ctx.model.related.get(paper.id, [])
    if related:
        # Other papers' titles are not this paper's text: Pagefind skips them.
        out.append(html_heading(2, "related", s["related"]))
        out.append(html_list([ctx.a_paper(path, p, css="pb-noindex") for p in related]))

    out.append(search_terms_block(ctx, paper))
    out.append(search_facets(ctx, paper))
    out += _footer(ctx, paper)
    return page_text(path, front, out)


def _filter_label(text: str) -> Html:
    """Return a label as HTML with no character HTML could act on, even decoded twice."""
    return html_text(text.translate(_FILTER_LOOKALIKES))


def search_terms_block(ctx: RenderContext, paper: Paper) -> Html:
    """Return the hidden text Pagefind indexes so that every name a reader types finds the paper.

    Technique labels and aliases in both languages (a sub-technique's paper carries its parents':
    PTQ papers are found by 量化), institution names and aliases, authors and the arXiv id, then
    the page's Chinese text one character a word (generator.site.search_terms says why), after
    the word every paper page holds (EVERY_PAPER: how a filter alone lists its papers).
    Hidden from readers; Pagefind reads it (no data-pagefind-ignore), Material's index does not.
    """
    record = paper.record
    names: list[str] = []
    for tech in paper.techniques:
        names += ctx.search_terms(tech)
    for inst in paper.institutions:
        names += [inst.en, inst.zh or "", *inst.aliases]
    names += record.authors or []
    if record.links.arxiv:
        names.append(record.links.arxiv)
    texts = [ctx.plain_title(paper), paper.brief_text or "", paper.tldr or ""]
    texts += [record.abstract or "", record.notes or ""]
    return _TERMS.format(SEPARATOR.join([EVERY_PAPER, hidden_search_text(names, texts)]))


def search_facets(ctx: RenderContext, paper: Paper) -> Html:
    """Return the hidden block of a paper's search filters and result excerpt (Pagefind)."""
    t = ctx.text
    facets: list[tuple[str, str]] = []
    seen: set[str] = set()
    for tech in paper.techniques:
        # A sub-technique's paper is listed under its parent's filter too (PTQ under 量化).
        for current in ctx.lineage(tech):
            if current.id not in seen:
                seen.add(current.id)
                facets.append((t["techniques"], ctx.tech_label(current)))
    facets += [(t["institutions"], ctx.inst_label(i)) for i in paper.institutions]
    if paper.record.citation_year:
        facets.append((t["year"], str(paper.record.citation_year)))
    for report in ctx.model.reports_of.get(paper.id, []):
        view = ctx.report_views[report.id]
        facets.append(
            (t["reports_title"], f"{view.report.record.title} ({iso_day(view.generated)})")
        )
    # Pagefind 1.5 decodes entities in filter values twice, so no escaping survives the bundle;
    # our search page inserts them as text, but any other reader of the bundle (Pagefind's own
    # UI inserts them as HTML) stays inert: labels carry no <, > or & at all.
    spans = [_FILTER.format(name, _filter_label(value)) for name, value in facets]
    summary = paper.brief_text or paper.tldr or paper.record.abstract
    if summary:
        spans.append(_EXCERPT.format(shorten(summary, BRIEF_EXCERPT)))
    # Hidden, left out of both search indexes; Pagefind still reads its filters and meta.
    return _FACETS.format(_EMPTY.join(spans))


def cite_block(ctx: RenderContext, paper: Paper) -> Html:
    """Return the Cite section: the BibTeX entry and a button (docs/assets/javascripts/cite.js)."""
    t = ctx.text
    entry = bibtex_entry(paper, ctx.untitled(paper)).format()
    # Escaped text is one line without its indent: the indent is ours, so it goes back after.
    lines = _NEWLINE.join(
        [
            _INDENT + html_text(line) if line.startswith("  ") else html_text(line)
            for line in entry.split("\n")
        ]
    )
    return _CITE.format(
        target=f"bibtex-{paper.id}",
        copied=t["cite_copied"],
        failed=t["cite_failed"],
        button=t["cite_button"],
        lines=lines,
    )
