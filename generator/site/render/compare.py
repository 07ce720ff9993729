"""The comparison table of a technique page: its papers side by side, from their briefs' fields.

A brief written to the template ("X发布了Y论文，使用…，解决了…，达成了…的效果") holds the
method, the problem and the effect (records.brief_parts); a generated brief was written from
those fields. One row per paper of the listing page: paper · method · problem · effect ·
institutions · year. The table is plain HTML, readable as it is; sortable-table.js (shipped
with the site) turns its headings into sort buttons. The class sits on a wrapper: Material
styles only tables without a class. Every cell is escaped text or a link of ours;
a part the brief does not give is a dash the note under the table explains.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.records.collection import Paper
from generator.site.render.context import RenderContext
from generator.site.render.html import Html, html_heading

MISSING = "—"  # a part the brief does not give; the note under the table says so
LISTED_INSTITUTIONS = 3

_CELL = Html("<td>{}</td>")
_SORTED_CELL = Html('<td data-sort="{}">{}</td>')


def _row(ctx: RenderContext, source: str, paper: Paper) -> tuple[Html, bool]:
    """Return a paper's row and whether a part of its brief is missing."""
    s = ctx.s
    parts = paper.brief_parts
    given = [parts.method, parts.problem, parts.effect] if parts else [None, None, None]
    missing = not all(given)
    cells = [_CELL.format(ctx.a_paper(source, paper))]
    # a missing part sorts last whichever the direction (data-sort="")
    cells += [_CELL.format(text) if text else _SORTED_CELL.format("", MISSING) for text in given]
    insts = [ctx.a_inst(source, i, short=True) for i in paper.institutions[:LISTED_INSTITUTIONS]]
    if len(paper.institutions) > LISTED_INSTITUTIONS:
        insts.append(s["more"])
    if insts:
        cells.append(_CELL.format(s["sep"].join(insts)))
    else:
        cells.append(_SORTED_CELL.format("", s["unknown"]))
    year = paper.record.citation_year
    cells.append(_SORTED_CELL.format(year or "", year or s["unknown"]))
    return Html("<tr>{}</tr>\n").format(Html("").join(cells)), missing


def comparison_table(ctx: RenderContext, source: str, papers: Sequence[Paper]) -> Html:
    """Return the comparison section of a technique page for these papers (empty for none)."""
    if not papers:
        return Html("")
    s = ctx.s
    head = Html("").join(
        Html('<th scope="col">{}</th>').format(s[key])
        for key in ("papers", "method", "problem", "effect", "institutions", "year")
    )
    rows: list[Html] = []
    any_missing = False
    for paper in papers:
        row, missing = _row(ctx, source, paper)
        rows.append(row)
        any_missing = any_missing or missing
    out = [
        html_heading(2, "compare", Html("{}").format(s["compare"])),
        Html("<p>{}</p>\n").format(s["compare_intro"]),
        Html(
            '<div class="pb-compare pb-sortable">\n<table>\n<thead>\n<tr>{}</tr>\n'
            "</thead>\n<tbody>\n{}</tbody>\n</table>\n</div>\n"
        ).format(head, Html("").join(rows)),
    ]
    if any_missing:
        out.append(
            Html('<p class="pb-table-note">{}</p>\n').format(
                s["compare_missing"].format(dash=MISSING)
            )
        )
    return Html("").join(out)
