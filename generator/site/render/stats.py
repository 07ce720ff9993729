"""Tally the collection and render the statistics page: charts (inline SVG) with data tables.

Every tally is linear in the number of papers, and every chart and table is bounded (top N plus
an "others" row; the matrix crosses the top institutions with the top techniques), so the page
stays the same size at 10,000 papers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from generator.site.render.charts import Bar, bar_chart, column_chart, heat_map
from generator.site.render.html import escape
from generator.site.index import InstitutionGroup, SiteModel, TechniqueGroup

if TYPE_CHECKING:
    from generator.site.render.pages import PageText, Renderer

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

STAT_STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "统计",
        "intro": "本页统计全部 {papers} 篇论文（{reports} 份报告）；图表在构建时生成，每张图下附数据表。",
        "per_technique": "各技术方向的论文数",
        "per_institution": "各机构的论文数",
        "matrix": "机构 × 技术方向",
        "matrix_note": "论文最多的 {rows} 个机构与 {columns} 个技术方向；格中为两者共有的论文数。",
        "per_report": "各报告收录的论文数",
        "per_month": "各月报告收录的论文数",
        "per_year": "各年报告收录的论文数",
        "authors": "作者数量分布",
        "authors_note": "按论文的作者人数统计；{unknown} 篇论文作者数未知。",
        "technique": "技术方向",
        "institution": "机构",
        "report": "报告",
        "date": "日期",
        "period": "时间",
        "papers": "论文数",
        "author_count": "作者数",
        "others": "其他 {n} 个（合计，去重）",
        "unknown": "未知",
        "shown_of": "显示前 {shown} 个，共 {total} 个。",
        "none": "暂无数据。",
    },
    "en": {
        "title": "Statistics",
        "intro": "Figures over all {papers} papers ({reports} reports); the charts are drawn at build time and each has its data table below it.",
        "per_technique": "Papers per technique",
        "per_institution": "Papers per institution",
        "matrix": "Institutions × techniques",
        "matrix_note": "The {rows} institutions and {columns} techniques with the most papers; each cell counts the papers they share.",
        "per_report": "Papers per report",
        "per_month": "Papers in reports per month",
        "per_year": "Papers in reports per year",
        "authors": "Author-count distribution",
        "authors_note": "Papers by number of authors; the author count of {unknown} papers is unknown.",
        "technique": "Technique",
        "institution": "Institution",
        "report": "Report",
        "date": "Date",
        "period": "Period",
        "papers": "Papers",
        "author_count": "Authors",
        "others": "{n} others (together, each paper once)",
        "unknown": "unknown",
        "shown_of": "Top {shown} of {total}.",
        "none": "No data yet.",
    },
}


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
        n = paper.record.author_count or len(paper.record.authors or [])
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


_RIGHT = ' style="text-align: right;"'


def _table(head: list[str], rows: list[list[str]], numeric_from: int = -1) -> str:
    """Return an HTML table (cells are HTML already); columns from `numeric_from` align right."""
    first = numeric_from % len(head)

    def cells(tag: str, row: list[str]) -> str:
        return "".join(
            f"<{tag}{_RIGHT if j >= first else ''}>{c}</{tag}>" for j, c in enumerate(row)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>\n" for row in rows)
    return f"<table>\n<thead>\n<tr>{cells('th', head)}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>\n"


def _figure(svg: str) -> str:
    return f'<figure class="pb-figure">\n{svg}\n</figure>\n'


def render_statistics(model: SiteModel, renderer: Renderer) -> PageText:
    """Render the statistics page: five charts, each followed by its data table."""
    from generator.site.prebuilt import MARKER, heading
    from generator.site.render.pages import PageText, _front_matter, listing_path

    st = tally_statistics(model)
    zh = renderer.settings.language.lower().startswith("zh")
    t = STAT_STRINGS["zh" if zh else "en"]
    path = STATISTICS_PATH
    out = [
        _front_matter(escape(t["title"]), search={"exclude": True}),
        f"{MARKER}\n<h1>{escape(t['title'])}</h1>\n",
        f"<p>{escape(t['intro'].format(papers=len(model.papers), reports=len(model.reports)))}</p>\n",
    ]
    none = f"<p>{escape(t['none'])}</p>\n"

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
        out.append(heading(2, key.replace("_", "-"), escape(t[key])) + "\n")
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
        rows = [
            [
                renderer.a_tech(path, g.technique)
                if isinstance(g, TechniqueGroup)
                else renderer.a_inst(path, g.institution),
                str(len(g.papers)),
            ]
            for g in groups
        ]
        if others[0]:
            label = t["others"].format(n=others[0])
            bars.append(Bar(label, others[1]))
            rows.append([renderer.link(path, listing_path(kind), escape(label)), str(others[1])])
        out.append(_figure(bar_chart(f"chart-{kind}", t[key], bars)))
        head = [escape(t["technique" if kind == "techniques" else "institution"]), t["papers"]]
        out.append(_table(head, rows))
        if others[0]:
            out.append(f"<p>{escape(t['shown_of'].format(shown=len(groups), total=total))}</p>\n")

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

    out.append(heading(2, "matrix", escape(t["matrix"])) + "\n")
    if st.matrix_rows and st.matrix_columns:
        note = t["matrix_note"].format(rows=len(st.matrix_rows), columns=len(st.matrix_columns))
        out.append(f"<p>{escape(note)}</p>\n")
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
        head = [escape(t["institution"])] + [
            renderer.a_tech(path, g.technique) for g in st.matrix_columns
        ]
        rows = [
            [renderer.a_inst(path, g.institution, short=True)] + [str(v) for v in line]
            for g, line in zip(st.matrix_rows, st.matrix, strict=True)
        ]
        out.append(_table(head, rows, numeric_from=1))
    else:
        out.append(none)

    key = {"report": "per_report", "month": "per_month", "year": "per_year"}[st.timeline_unit]
    out.append(heading(2, "timeline", escape(t[key])) + "\n")
    if st.timeline:
        out.append(
            _figure(
                column_chart(
                    "chart-timeline", t[key], [Bar(p.label, p.papers) for p in st.timeline]
                )
            )
        )
        if st.timeline_unit == "report":
            views = renderer.report_views
            rows = [
                [p.label, renderer.a_report(path, views[p.report_id]), str(p.papers)]
                for p in reversed(st.timeline)
                if p.report_id is not None
            ]
            out.append(_table([escape(t["date"]), escape(t["report"]), escape(t["papers"])], rows))
        else:
            rows = [[p.label, str(p.papers)] for p in reversed(st.timeline)]
            out.append(_table([escape(t["period"]), escape(t["papers"])], rows))
    else:
        out.append(none)

    out.append(heading(2, "authors", escape(t["authors"])) + "\n")
    if model.papers:
        out.append(f"<p>{escape(t['authors_note'].format(unknown=st.authors_unknown))}</p>\n")
        bars = [Bar(label, n) for label, n in st.author_buckets]
        out.append(_figure(column_chart("chart-authors", t["authors"], bars)))
        rows = [[label, str(n)] for label, n in st.author_buckets]
        rows.append([escape(t["unknown"]), str(st.authors_unknown)])
        out.append(_table([escape(t["author_count"]), escape(t["papers"])], rows))
    else:
        out.append(none)
    return PageText(path, "".join(out).rstrip("\n") + "\n")
