"""Group validated papers into the site model: by institution, technique and report."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from generator.records.collection import Collection, Paper, Report
from generator.records.models import Institution, Technique

RELATED_LIMIT = 5


@dataclass(frozen=True)
class Citations:
    """A citation count and where it came from: a matched Google Scholar record or Semantic Scholar."""

    count: int | None
    as_of: date
    venue: str | None
    year: int | None
    url: str | None
    source: str = "Google Scholar"


@dataclass
class InstitutionGroup:
    """An institution with its papers (newest first) and what it works on."""

    institution: Institution
    papers: list[Paper]
    techniques: list[tuple[Technique, int]]
    coauthors: list[tuple[Institution, int]]


@dataclass
class TechniqueGroup:
    """A technique with its papers (newest first) and the institutions active in it."""

    technique: Technique
    papers: list[Paper]
    institutions: list[tuple[Institution, int]]
    parent: Technique | None
    children: list[Technique]


@dataclass
class ReportView:
    """A report with its papers in report order."""

    report: Report
    papers: list[Paper]

    @property
    def id(self) -> str:
        """Return the report id."""
        return self.report.id

    @property
    def generated(self) -> datetime:
        """Return when the report was generated."""
        return self.report.record.generated


@dataclass(frozen=True)
class Counts:
    """Totals shown on the home page."""

    papers: int
    reports: int
    institutions: int
    techniques: int
    briefs: int
    generated_briefs: int


@dataclass
class SiteModel:
    """Everything the renderer needs, grouped and sorted; no further lookups required."""

    papers: list[Paper]
    institutions: list[InstitutionGroup]
    techniques: list[TechniqueGroup]
    reports: list[ReportView]
    counts: Counts
    related: dict[str, list[Paper]] = field(default_factory=dict)
    reports_of: dict[str, list[Report]] = field(default_factory=dict)
    citations: dict[str, Citations] = field(default_factory=dict)
    # Collection.read_digests: per paper, what its record and enrichment were read from
    read_digests: dict[str, bytes] = field(default_factory=dict)

    @property
    def latest_report(self) -> ReportView | None:
        """Return the newest report, if any."""
        return self.reports[0] if self.reports else None


def newest_first(paper: Paper) -> tuple[int, int, str]:
    """Sort key: most recently added first, then newest year, then id."""
    return (-paper.record.added.toordinal(), -(paper.record.year or 0), paper.id)


def citations_of(paper: Paper) -> Citations | None:
    """Return the freshest citation count: a matched Scholar record's, else Semantic Scholar's.

    Scholar blocks most CI runners, so Semantic Scholar's count (asked by `enrich --metadata`)
    is often the only one; when both exist the one fetched later wins (Scholar on the same day).
    """
    enrichment = paper.enrichment
    scholar = enrichment.scholar if enrichment else None
    found: list[Citations] = []
    if scholar is not None and scholar.status == "match":
        found.append(
            Citations(
                count=scholar.citations,
                as_of=scholar.fetched.date(),
                venue=scholar.venue,
                year=scholar.year,
                url=scholar.scholar_url or scholar.pub_url,
            )
        )
    metadata = enrichment.metadata if enrichment else None
    s2 = metadata.semantic_scholar if metadata else None
    if s2 is not None and s2.status == "found" and s2.citations is not None:
        found.append(
            Citations(
                count=s2.citations,
                as_of=s2.fetched.date(),
                venue=None,  # the record's venue is shown with the paper's details
                year=None,
                url=f"https://www.semanticscholar.org/paper/{s2.paper_id}" if s2.paper_id else None,
                source="Semantic Scholar",
            )
        )
    # max keeps the first of equals: Scholar's, on the same day
    return max(found, key=lambda c: c.as_of) if found else None


def most_cited_first(
    paper: Paper, citations: dict[str, Citations]
) -> tuple[int, tuple[int, int, str]]:
    """Sort key: most cited first (unknown last), then newest first."""
    found = citations.get(paper.id)
    count = found.count if found and found.count is not None else -1
    return (-count, newest_first(paper))


def _related(papers: list[Paper]) -> dict[str, list[Paper]]:
    """Rank related papers: most shared techniques, then most shared institutions, then newest.

    Scoring every paper that shares a technique costs the square of a
    technique's size (40 s at 10,000 papers), so only three kinds of candidate are scored: papers
    sharing an institution, papers sharing two or more techniques, and the newest few of those
    sharing exactly one technique and no institution. Every other paper ranks below these.
    """
    papers = sorted(papers, key=newest_first)
    rank = {p.id: i for i, p in enumerate(papers)}
    by_technique: dict[str, list[Paper]] = defaultdict(list)
    by_institution: dict[str, list[Paper]] = defaultdict(list)
    tech_sets: dict[str, frozenset[str]] = {}
    for paper in papers:
        tech_sets[paper.id] = frozenset(t.id for t in paper.techniques)
        for tech_id in tech_sets[paper.id]:
            by_technique[tech_id].append(paper)
        for inst_id in {i.id for i in paper.institutions}:
            by_institution[inst_id].append(paper)
    tech_ids = {t: [p.id for p in members] for t, members in by_technique.items()}
    tech_members = {t: frozenset(ids) for t, ids in tech_ids.items()}
    inst_ids = {i: [p.id for p in members] for i, members in by_institution.items()}
    by_id = {p.id: p for p in papers}

    related: dict[str, list[Paper]] = {}
    for paper in papers:
        own_techs = tech_sets[paper.id]
        shared_inst: Counter[str] = Counter()
        for inst_id in {i.id for i in paper.institutions}:
            shared_inst.update(inst_ids[inst_id])  # counted in C: no Python loop per member
        shared_inst.pop(paper.id, None)
        keys: dict[str, tuple[int, int, int]] = {
            other: (-len(own_techs & tech_sets[other]), -n, rank[other])
            for other, n in shared_inst.items()
        }
        groups = sorted(own_techs)
        for i, first in enumerate(groups):
            for second in groups[i + 1 :]:
                for other in tech_members[first] & tech_members[second]:
                    if other not in keys and other != paper.id:
                        keys[other] = (-len(own_techs & tech_sets[other]), 0, rank[other])
        # One shared technique, no shared institution: newest first, so the first few suffice.
        taken = 0
        for other in heapq.merge(*(tech_ids[t] for t in groups), key=rank.__getitem__):
            if taken >= RELATED_LIMIT:
                break
            if other not in keys and other != paper.id:
                keys[other] = (-1, 0, rank[other])
                taken += 1
        best = heapq.nsmallest(RELATED_LIMIT, keys.items(), key=lambda kv: kv[1])
        related[paper.id] = [by_id[other] for other, _ in best]
    return related


RelatedOf = Callable[[list[Paper]], dict[str, list[Paper]]]


def related_inputs(paper: Paper) -> tuple[object, ...]:
    """Return everything of a paper that ranking related papers reads (see `_related`)."""
    return (
        paper.id,
        paper.record.added.toordinal(),
        paper.record.year,
        tuple(t.id for t in paper.techniques),
        tuple(i.id for i in paper.institutions),
    )


def related_papers(papers: list[Paper]) -> dict[str, list[Paper]]:
    """Return each paper's related papers, best first (at most RELATED_LIMIT)."""
    return _related(papers)


def index_site(collection: Collection, related_of: RelatedOf = related_papers) -> SiteModel:
    """Build the site model from a validated collection.

    `related_of` ranks related papers (the generator's cache passes one that keeps the ranking
    between builds: pagecache.CachedRelated).
    """
    papers = sorted(collection.papers.values(), key=newest_first)
    citations = {p.id: c for p in papers if (c := citations_of(p)) is not None}

    inst_papers: dict[str, list[Paper]] = defaultdict(list)
    tech_papers: dict[str, list[Paper]] = {tech_id: [] for tech_id in collection.techniques}
    for paper in papers:
        for inst in paper.institutions:
            inst_papers[inst.id].append(paper)
        for tech in paper.techniques:
            tech_papers[tech.id].append(paper)

    institutions: list[InstitutionGroup] = []
    for inst_id, members in inst_papers.items():
        techs: Counter[str] = Counter(t.id for p in members for t in p.techniques)
        partners: Counter[str] = Counter(
            other.id for p in members for other in p.institutions if other.id != inst_id
        )
        institutions.append(
            InstitutionGroup(
                institution=collection.institutions.by_id[inst_id],
                papers=members,
                techniques=[
                    (collection.techniques[t], n)
                    for t, n in sorted(techs.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                coauthors=[
                    (collection.institutions.by_id[i], n)
                    for i, n in sorted(partners.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
            )
        )
    institutions.sort(key=lambda g: (-len(g.papers), g.institution.id))

    children: dict[str, list[Technique]] = defaultdict(list)
    for tech in collection.techniques.values():
        if tech.parent:
            children[tech.parent].append(tech)
    techniques: list[TechniqueGroup] = []
    for tech_id, members in tech_papers.items():
        active: Counter[str] = Counter(i.id for p in members for i in p.institutions)
        tech = collection.techniques[tech_id]
        techniques.append(
            TechniqueGroup(
                technique=tech,
                papers=members,
                institutions=[
                    (collection.institutions.by_id[i], n)
                    for i, n in sorted(active.items(), key=lambda kv: (-kv[1], kv[0]))
                ],
                parent=collection.techniques.get(tech.parent) if tech.parent else None,
                children=sorted(children[tech_id], key=lambda t: t.id),
            )
        )
    techniques.sort(key=lambda g: (-len(g.papers), g.technique.id))

    reports = [
        ReportView(
            report=r,
            papers=[collection.papers[p] for p in r.record.papers if p in collection.papers],
        )
        for r in collection.reports.values()
    ]
    reports.sort(key=lambda r: (r.generated, r.id), reverse=True)
    reports_of: dict[str, list[Report]] = defaultdict(list)
    for view in reports:
        for paper in view.papers:
            reports_of[paper.id].append(view.report)

    counts = Counts(
        papers=len(papers),
        reports=len(reports),
        institutions=len(institutions),
        techniques=sum(1 for t in techniques if t.papers),
        briefs=sum(1 for p in papers if p.brief_text),
        generated_briefs=sum(1 for p in papers if p.generated_brief is not None),
    )
    return SiteModel(
        papers=papers,
        institutions=institutions,
        techniques=techniques,
        reports=reports,
        counts=counts,
        related=related_of(papers),
        reports_of=dict(reports_of),
        citations=citations,
        read_digests=collection.read_digests,
    )
