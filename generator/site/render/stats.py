"""Tally the collection and render the statistics page: charts (inline SVG) with data tables.

Every tally is linear in the number of papers, and every chart and table is bounded (top N; the
table adds an "others" row, which the chart leaves out and a note under it describes; the matrix
crosses the top institutions with the top techniques), so the page stays the same size at 10,000
papers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from generator.site.index import InstitutionGroup, SiteModel, TechniqueGroup
from generator.site.prebuilt import MARKER
from generator.site.render.charts import Bar, bar_chart, column_chart, heat_map
from generator.site.render.context import PageText, RenderContext, page_text
from generator.site.render.frontmatter import front_matter
from generator.site.render.html import Html, html_heading, html_table, html_text
from generator.site.render.paths import listing_path
from generator.site.render.strings import stat_strings_for

STATISTICS_PATH = "statistics.md"
TOP_TECHNIQUES = 20
TOP_INSTITUTIONS = 20
MATRIX_INSTITUTIONS = 15
MATRIX_TECHNIQUES = 10
TIMELINE_LIMIT = 30  # bars before reports are grouped by month, then by year
# Author-count buckets: (lowest, highest); None is open-ended.
AUTHOR_BUCKETS: tuple[tuple[int, int | None], ...] = (
    *((n, n) for n in range(1, 11)),
    (11, 15),
    (16, 20),
    (21, 50),
    (51, None),
)


@dataclass(frozen=True)
class TimelinePoint:
    """Papers in the reports of one report, month or year."""

    label: str
    papers: int
    report_id: str | None  # set when the point is one report
    generated: datetime | None


@dataclass(frozen=True)
class Statistics:
    """The tallies behind the statistics page."""

    techniques: list[TechniqueGroup]  # with papers, most first
    technique_others: tuple[int, int]  # (how many more techniques, their distinct papers)
    institutions: list[InstitutionGroup]
    institution_others: tuple[int, int]
    matrix_rows: list[InstitutionGroup]
    matrix_columns: list[TechniqueGroup]
    matrix: list[list[int]]
    timeline: list[TimelinePoint]
    timeline_unit: str  # report, month or year
    author_buckets: list[tuple[str, int]]
    authors_unknown: int


def _others(groups: list[TechniqueGroup] | list[InstitutionGroup], top: int) -> tuple[int, int]:
    rest = groups[top:]
    return len(rest), len({p.id for g in rest for p in g.papers})


def _timeline(model: SiteModel) -> tuple[list[TimelinePoint], str]:
    views = sorted(model.reports, key=lambda v: (v.generated, v.id))
    if len(views) <= TIMELINE_LIMIT:
        return [
            TimelinePoint(v.generated.strftime("%Y-%m-%d"), len(v.papers), v.id, v.generated)
            for v in views
        ], "report"
    for unit, fmt in (("month", "%Y-%m"), ("year", "%Y")):
        sums: Counter[str] = Counter()
        for v in views:
            sums[v.generated.strftime(fmt)] += len(v.papers)
        if len(sums) <= TIMELINE_LIMIT or unit == "year":
            points = [TimelinePoint(k, n, None, None) for k, n in sorted(sums.items())]
            return points, unit
    raise AssertionError("unreachable")  # pragma: no cover


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if low == high else f"{low}–{high}"


def tally_statistics(model: SiteModel) -> Statistics:
    """Count papers per technique, institution, report and author count; cross the leaders."""
    techniques = [g for g in model.techniques if g.papers]
    institutions = model.institutions
    rows = institutions[:MATRIX_INSTITUTIONS]
    columns = techniques[:MATRIX_TECHNIQUES]
    column_index = {g.technique.id: j for j, g in enumerate(columns)}
    matrix = []
    for group in rows:
        line = [0] * len(columns)
        for paper in group.papers:
            for tech in paper.techniques:
                j = column_index.get(tech.id)
                if j is not None:
                    line[j] += 1
        matrix.append(line)

    sizes: Counter[int] = Counter()
    unknown = 0
    for paper in model.papers:
        n = paper.record.author_total or 0
        if n:
            sizes[n] += 1
        else:
            unknown += 1
    buckets = []
    for low, high in AUTHOR_BUCKETS:
        count = sum(c for n, c in sizes.items() if n >= low and (high is None or n <= high))
        buckets.append((_bucket_label(low, high), count))
    # Trailing empty buckets say nothing; keep at least the small ones for scale.
    while len(buckets) > 5 and buckets[-1][1] == 0:
        buckets.pop()

    timeline, unit = _timeline(model)
    return Statistics(
        techniques=techniques[:TOP_TECHNIQUES],
        technique_others=_others(techniques, TOP_TECHNIQUES),
        institutions=institutions[:TOP_INSTITUTIONS],
        institution_others=_others(institutions, TOP_INSTITUTIONS),
        matrix_rows=rows,
        matrix_columns=columns,
        matrix=matrix,
        timeline=timeline,
        timeline_unit=unit,
        author_buckets=buckets,
        authors_unknown=unknown,
    )


def _figure(svg: Html) -> Html:
    return Html('<figure class="pb-figure">\n{}\n</figure>\n').format(svg)


def render_statistics(model: SiteModel, ctx: RenderContext) -> PageText:
    """Render the statistics page of a model: five charts, each followed by its data table."""
    st = tally_statistics(model)
    zh = ctx.settings.language.lower().startswith("zh")
    t = stat_strings_for(ctx.settings.language)
    path = STATISTICS_PATH
    title = html_text(t["title"])
    line = Html("<p>{}</p>\n")
    intro = t["intro"].format(papers=len(model.papers), reports=len(model.reports))
    out = [Html(MARKER + "\n<h1>{}</h1>\n").format(title), line.format(intro)]
    none = line.format(t["none"])

    def section(anchor: str, key: str) -> Html:
        return html_heading(2, anchor, html_text(t[key]))

    def tech_label(group: TechniqueGroup) -> str:
        return group.technique.zh if zh else group.technique.en

    def inst_label(group: InstitutionGroup) -> str:
        inst = group.institution
        return inst.zh if zh and inst.zh else inst.en

    def ranking(
        key: str,
        groups: list[TechniqueGroup] | list[InstitutionGroup],
        others: tuple[int, int],
        total: int,
        kind: str,
    ) -> None:
        out.append(section(key.replace("_", "-"), key))
        if not groups:
            out.append(none)
            return
        bars = [
            Bar(
                tech_label(g) if isinstance(g, TechniqueGroup) else inst_label(g),
                len(g.papers),
            )
            for g in groups
        ]
        rows: list[list[str]] = [
            [
                ctx.a_tech(path, g.technique)
                if isinstance(g, TechniqueGroup)
                else ctx.a_inst(path, g.institution),
                str(len(g.papers)),
            ]
            for g in groups
        ]
        if others[0]:
            # The rest is one row of the table, not a bar: summed over many, it would dwarf
            # the bars it follows (13 others holding 12 papers beside a largest bar of 3).
            label = t["others"].format(n=others[0])
            rows.append([ctx.link(path, listing_path(kind), label), str(others[1])])
        out.append(_figure(bar_chart(f"chart-{kind}", t[key], bars)))
        if others[0]:
            note = Html(t[f"rest_{kind}"]).format(
                shown=len(groups),
                total=total,
                n=others[0],
                papers=others[1],
                all=ctx.link(path, listing_path(kind), t[f"all_{kind}"]),
            )
            out.append(Html('<p class="pb-figure__note">{}</p>\n').format(note))
        head = [t["technique" if kind == "techniques" else "institution"], t["papers"]]
        out.append(html_table(head, rows, right_from=-1))

    ranking(
        "per_technique",
        st.techniques,
        st.technique_others,
        len(st.techniques) + st.technique_others[0],
        "techniques",
    )
    ranking(
        "per_institution",
        st.institutions,
        st.institution_others,
        len(st.institutions) + st.institution_others[0],
        "institutions",
    )

    out.append(section("matrix", "matrix"))
    if st.matrix_rows and st.matrix_columns:
        note = t["matrix_note"].format(rows=len(st.matrix_rows), columns=len(st.matrix_columns))
        out.append(line.format(note))
        out.append(
            _figure(
                heat_map(
                    "chart-matrix",
                    t["matrix"],
                    [inst_label(g) for g in st.matrix_rows],
                    [tech_label(g) for g in st.matrix_columns],
                    st.matrix,
                )
            )
        )
        head = [t["institution"]] + [ctx.a_tech(path, g.technique) for g in st.matrix_columns]
        rows = [
            [ctx.a_inst(path, g.institution, short=True)] + [str(v) for v in counts]
            for g, counts in zip(st.matrix_rows, st.matrix, strict=True)
        ]
        out.append(html_table(head, rows, right_from=1))
    else:
        out.append(none)

    key = {"report": "per_report", "month": "per_month", "year": "per_year"}[st.timeline_unit]
    out.append(section("timeline", key))
    if st.timeline:
        bars = [Bar(p.label, p.papers) for p in st.timeline]
        out.append(_figure(column_chart("chart-timeline", t[key], bars)))
        if st.timeline_unit == "report":
            views = ctx.report_views
            rows = [
                [p.label, ctx.a_report(path, views[p.report_id]), str(p.papers)]
                for p in reversed(st.timeline)
                if p.report_id is not None
            ]
            out.append(html_table([t["date"], t["report"], t["papers"]], rows, right_from=-1))
        else:
            rows = [[p.label, str(p.papers)] for p in reversed(st.timeline)]
            out.append(html_table([t["period"], t["papers"]], rows, right_from=-1))
    else:
        out.append(none)

    out.append(section("authors", "authors"))
    if model.papers:
        out.append(line.format(t["authors_note"].format(unknown=st.authors_unknown)))
        bars = [Bar(label, n) for label, n in st.author_buckets]
        out.append(_figure(column_chart("chart-authors", t["authors"], bars)))
        rows = [[label, str(n)] for label, n in st.author_buckets]
        rows.append([t["unknown"], str(st.authors_unknown)])
        out.append(html_table([t["author_count"], t["papers"]], rows, right_from=-1))
    else:
        out.append(none)
    return page_text(path, front_matter(title, search={"exclude": True}), out)
