"""A synthetic collection built in memory: many papers, techniques, institutions and reports."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

from generator.records.collection import Collection, Paper, Report
from generator.records.models import Institution, PaperRecord, ReportRecord, Technique
from generator.records.registry import InstitutionRegistry


def synthetic_collection(
    n_papers: int, n_techniques: int = 40, n_institutions: int = 200, n_reports: int = 60
) -> Collection:
    """Return a validated-looking collection with a skewed spread, seeded for repeatability."""
    rng = random.Random(7)
    techniques = {
        f"tech-{i}": Technique(
            id=f"tech-{i}", zh=f"技术{i}", en=f"Technique {i}", description=f"Technique {i}."
        )
        for i in range(n_techniques)
    }
    institutions = [
        Institution(id=f"inst-{i}", en=f"Institute {i} <b>&</b>", zh=f"研究所{i}")
        for i in range(n_institutions)
    ]
    registry, _ = InstitutionRegistry.build(institutions)
    tech_list, inst_list = list(techniques.values()), institutions
    papers: dict[str, Paper] = {}
    for i in range(n_papers):
        # Skewed: low indices are popular, so top-N and "others" both have members.
        techs = {tech_list[int(rng.expovariate(1 / 20)) % n_techniques].id: None for _ in range(2)}
        insts = {
            inst_list[int(rng.expovariate(1 / 100)) % n_institutions].id: None for _ in range(2)
        }
        authors = rng.choice([None, 1, 2, 3, 5, 8, 12, 30, 80])
        record = PaperRecord(
            title=f"Paper {i}",
            author_count=authors,
            added=date(2025, 1, 1) + timedelta(days=i % 365),
            year=2024 + i % 2,
            techniques=sorted(techs),
        )
        papers[f"p-{i}"] = Paper(
            id=f"p-{i}",
            record=record,
            source=f"papers/p-{i}.yaml",
            institutions=tuple(registry.by_id[x] for x in sorted(insts)),
            techniques=tuple(techniques[x] for x in sorted(techs)),
        )
    ids = list(papers)
    reports = {}
    for r in range(n_reports):
        rid = f"report-{r}"
        members = ids[r * 7 % max(len(ids), 1) :][:12] or ids[:1]
        reports[rid] = Report(
            id=rid,
            record=ReportRecord(
                title=f"Report {r}",
                generated=datetime(2024, 1, 1) + timedelta(days=9 * r),
                papers=members,
            ),
            source=f"reports/{rid}.yaml",
        )
    return Collection(
        data_dir=Path("synthetic"),
        papers=papers,
        reports=reports,
        institutions=registry,
        techniques=techniques,
    )
