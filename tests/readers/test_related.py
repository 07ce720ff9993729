"""Related papers: most shared techniques first, then most shared institutions, then newest."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from synthetic import synthetic_collection

from generator.records.collection import Collection, Paper
from generator.records.models import Institution, PaperRecord, Technique
from generator.records.registry import InstitutionRegistry
from generator.site.index import RELATED_LIMIT, index_site, newest_first
from generator.site.render import RenderSettings, render_site

TECHS = {t: Technique(id=t, zh=t, en=t, description=t) for t in ("a", "b", "c")}
INSTS = [Institution(id=i, en=i) for i in ("x", "y", "z")]


def _collection(spec: dict[str, tuple[str, str, int]]) -> Collection:
    """spec: id -> (technique ids, institution ids, day added)."""
    registry, _ = InstitutionRegistry.build(INSTS)
    papers = {}
    for pid, (techs, insts, day) in spec.items():
        papers[pid] = Paper(
            id=pid,
            record=PaperRecord(
                title=f"Title {pid}", added=date(2025, 1, day), techniques=list(techs)
            ),
            source=f"papers/{pid}.yaml",
            institutions=tuple(registry.by_id[i] for i in insts),
            techniques=tuple(TECHS[t] for t in techs),
        )
    return Collection(
        data_dir=Path("mem"), papers=papers, reports={}, institutions=registry, techniques=TECHS
    )


SPEC = {
    "me": ("ab", "xy", 1),
    "both-techs": ("ab", "", 2),
    "tech-two-insts": ("a", "xy", 3),
    "tech-one-inst": ("b", "x", 4),
    "tech-newer": ("a", "z", 9),
    "tech-older": ("a", "", 5),
    "insts-only": ("c", "xy", 20),
    "nothing": ("c", "z", 21),
}


def test_order_is_techniques_then_institutions_then_newest() -> None:
    model = index_site(_collection(SPEC))
    assert RELATED_LIMIT == 5
    assert [p.id for p in model.related["me"]] == [
        "both-techs",
        "tech-two-insts",
        "tech-one-inst",
        "tech-newer",
        "tech-older",
    ]


def test_institution_only_papers_follow_technique_papers() -> None:
    spec = {k: v for k, v in SPEC.items() if k in {"me", "tech-older", "insts-only", "nothing"}}
    model = index_site(_collection(spec))
    assert [p.id for p in model.related["me"]] == ["tech-older", "insts-only"]
    assert model.related["nothing"][0].id == "insts-only"  # shares technique c


def test_paper_page_lists_related_papers_in_that_order() -> None:
    model = index_site(_collection(SPEC))
    page = next(p.text for p in render_site(model, RenderSettings()) if p.path == "papers/me.md")
    section = page.split('<h2 id="related">', 1)[1].split("</ul>", 1)[0]
    titles = re.findall(r'<li><a class="pb-noindex" href="[^"]+">([^<]+)</a></li>', section)
    assert titles == [
        "Title both-techs",
        "Title tech-two-insts",
        "Title tech-one-inst",
        "Title tech-newer",
        "Title tech-older",
    ]


def _brute_force(papers: list[Paper]) -> dict[str, list[str]]:
    """Score every other paper: the definition the fast ranking must match."""
    result = {}
    for paper in papers:
        techs = {t.id for t in paper.techniques}
        insts = {i.id for i in paper.institutions}
        scored = []
        for other in papers:
            if other.id == paper.id:
                continue
            t = len(techs & {x.id for x in other.techniques})
            i = len(insts & {x.id for x in other.institutions})
            if t or i:
                scored.append(((-t, -i, newest_first(other)), other.id))
        result[paper.id] = [pid for _, pid in sorted(scored)[:RELATED_LIMIT]]
    return result


@pytest.mark.parametrize(
    ("n", "techniques", "institutions"), [(40, 3, 4), (400, 6, 12), (600, 40, 200)]
)
def test_fast_ranking_matches_scoring_every_paper(
    n: int, techniques: int, institutions: int
) -> None:
    collection = synthetic_collection(n, n_techniques=techniques, n_institutions=institutions)
    model = index_site(collection)
    expected = _brute_force(sorted(collection.papers.values(), key=newest_first))
    assert {k: [p.id for p in v] for k, v in model.related.items()} == expected
