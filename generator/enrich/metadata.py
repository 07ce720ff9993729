"""Enrich records with bibliographic metadata: arXiv first, then Semantic Scholar, then fill.

`enrich --metadata` makes three runs of the enrichment loop and one pass over the records:
1. arXiv by id: records with links.arxiv, up to 100 ids per request;
2. arXiv by exact title: records without an id (a found id is proposed, never applied);
3. Semantic Scholar: records with an arXiv id or a DOI, up to 500 per request;
4. fill: each record's missing fields from the stored answers, and its flags under review:
   (see metadata_fill.py for the rules).
Every answer is stored in data/enrichment/<id>.yaml (`metadata:`) with its input, input hash,
source and date; an answer made from the same input is not asked for again until it ages out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from generator.enrich.loop import (
    RunReport,
    RunSettings,
    run_source,
    select_papers,
    unanswered_line,
    utc_now,
)
from generator.enrich.metadata_fill import FillOutcome, plan_fill, rewrite_refusal, write_record
from generator.enrich.metadata_sources import (
    ArxivIdSource,
    ArxivTitleSource,
    MetadataStore,
    SemanticScholarSource,
)
from generator.enrich.sources.arxiv import (
    DEFAULT_ARXIV_URL,
    MAX_IDS_PER_REQUEST,
    ArxivClient,
    arxiv_url_from_env,
    bare_id,
)
from generator.enrich.sources.semantic_scholar import S2Access, SemanticScholarClient
from generator.records.collection import Collection, Paper
from generator.records.load import load_collection
from generator.records.models import ArxivMetadata, SemanticScholarMetadata
from generator.records.parse import display_path


@dataclass(frozen=True)
class MetadataSettings:
    """Which papers a metadata run covers, where the services are, and its limits."""

    only: tuple[str, ...] = ()
    refresh: bool = False
    shard: tuple[int, int] | None = None
    arxiv_url: str = DEFAULT_ARXIV_URL
    s2: S2Access = field(default_factory=S2Access)
    max_calls: int | None = None
    # no request starts once the whole run (all three services) has lasted this long
    time_limit_s: float | None = 900.0
    # a stored answer older than this is asked again (venues get added, citations grow)
    max_age_days: float = 30.0
    timeout_s: float = 30.0
    arxiv_batch: int = MAX_IDS_PER_REQUEST
    s2_batch: int = 500
    max_unanswered_in_row: int = 3
    max_failures_in_row: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **options: Any) -> MetadataSettings:
        """Read PAPERBRIEF_ARXIV_URL, PAPERBRIEF_S2_URL and S2_API_KEY, plus the given options."""
        given = {k: v for k, v in options.items() if v is not None}
        return cls(arxiv_url=arxiv_url_from_env(environ), s2=S2Access.from_env(environ), **given)

    def run_settings(self, time_limit_s: float | None) -> RunSettings:
        """Return the loop settings for one service (the clients keep the pacing themselves)."""
        return RunSettings(
            only=self.only,
            refresh=self.refresh,
            shard=self.shard,
            max_calls=self.max_calls,
            time_limit_s=time_limit_s,
            max_age=timedelta(days=self.max_age_days),
            max_unanswered_in_row=self.max_unanswered_in_row,
            max_failures_in_row=self.max_failures_in_row,
        )


# ---- the run -----------------------------------------------------------------------------------


def _counts(run: RunReport[Any]) -> str:
    found = sum(1 for r in run.answered.values() if r.status == "found")
    missing = len(run.answered) - found
    calls = "request" if run.calls == 1 else "requests"
    return (
        f"{run.calls} {calls}: {found} found, {missing} not found, {len(run.failed)} failed,"
        f" {len(run.current)} current"
    )


@dataclass
class MetadataRunReport:
    """What a metadata run asked, stored and changed."""

    arxiv: RunReport[ArxivMetadata]
    titles: RunReport[ArxivMetadata]
    s2: RunReport[SemanticScholarMetadata]
    fills: list[FillOutcome] = field(default_factory=list)
    time_limit_s: float | None = None  # the whole run's (each service's run gets what is left)

    @property
    def runs(self) -> tuple[RunReport[Any], ...]:
        """Return the three runs in the order they were made."""
        return (self.arxiv, self.titles, self.s2)

    @property
    def calls(self) -> int:
        """Return the requests answered, all services together."""
        return sum(run.calls for run in self.runs)

    @property
    def fields_filled(self) -> int:
        """Return how many record fields were filled."""
        return sum(len(f.filled) for f in self.fills if f.refused is None)

    def summary_lines(self) -> list[str]:
        """Describe the run: requests and answers, fills, flags, failures, what is left."""
        lines = [
            f"metadata: arXiv by id {_counts(self.arxiv)}",
            f"metadata: arXiv by title {_counts(self.titles)}",
            f"metadata: Semantic Scholar {_counts(self.s2)}",
        ]
        for run in self.runs:
            unanswered = unanswered_line(run.unanswered, run.service)
            if unanswered:
                lines.append(unanswered)
        written = [f for f in self.fills if f.refused is None]
        by_field: dict[str, int] = {}
        for outcome in written:
            for filled in outcome.filled:
                by_field[filled.name] = by_field.get(filled.name, 0) + 1
        records = sum(1 for f in written if f.filled)
        detail = ", ".join(f"{name} {count}" for name, count in sorted(by_field.items()))
        lines.append(
            f"filled {self.fields_filled} field(s) in {records} record(s)"
            + (f": {detail}" if detail else "")
        )
        open_flags = sum(len(f.flags) for f in self.fills)
        new_flags = sum(len(f.new_flags) for f in written)
        lines.append(
            f"flags: {open_flags} open, {new_flags} new (added under review: in the record)"
        )
        for outcome in self.fills:
            if outcome.refused is not None:
                names = ", ".join(f.name for f in outcome.filled) or "nothing to fill"
                lines.append(
                    f"not written {outcome.paper_id}: {outcome.refused}; by hand from its"
                    f" enrichment file: {names}"
                )
                lines += [f"  flag for {outcome.paper_id}: {flag}" for flag in outcome.new_flags]
        for run in self.runs:
            for paper_id, reason in sorted(run.failed.items()):
                lines.append(
                    f"failed {paper_id} ({run.service}): {reason}; the record is unchanged"
                )
            if run.stop == "time" and self.time_limit_s is not None:
                lines.append(
                    f"stopped early ({run.service}): the run's time limit of"
                    f" {self.time_limit_s:g} s is reached"
                )
            elif run.stopped:
                lines.append(f"stopped early ({run.service}): {run.stopped}")
            if run.not_attempted:
                lines.append(f"not asked ({run.service}, stopped): {', '.join(run.not_attempted)}")
        if any(run.failed or run.not_attempted for run in self.runs):
            lines.append("run the same command later to ask only for what is missing")
        return lines


def fill_records(
    data_dir: Path,
    papers: Sequence[Paper],
    *,
    today: date,
    holders: Mapping[str, str] | None = None,
    echo: Callable[[str], None] = lambda line: None,
) -> list[FillOutcome]:
    """Fill each record's missing fields from its stored answers; flag what needs a person.

    `holders`: arXiv id (without version) -> the paper id whose record holds it.
    """
    store = MetadataStore(data_dir)
    outcomes: list[FillOutcome] = []
    for paper in papers:
        meta = store.read(paper.id)
        if meta.arxiv is None and meta.semantic_scholar is None:
            continue
        plan = plan_fill(paper.record, meta, today, holders)
        outcome = FillOutcome(paper.id, list(plan.filled), list(plan.flags), list(plan.new_flags))
        outcomes.append(outcome)
        path = data_dir / "papers" / f"{paper.id}.yaml"
        if plan.changed:
            outcome.refused = rewrite_refusal(path, paper.record)
            if outcome.refused is not None:
                echo(f"{paper.id}: not written: {display_path(path)}: {outcome.refused}")
                continue
            write_record(path, plan.record)
        if plan.filled or list(plan.flags) != meta.flags:
            store.save(paper.id, filled=[*meta.filled, *plan.filled], flags=list(plan.flags))
        if plan.filled:
            sources = sorted({f.source for f in plan.filled})
            names = ", ".join(f.name for f in plan.filled)
            echo(f"{paper.id}: filled {names} (from {' and '.join(sources)})")
        for flag in plan.new_flags:
            echo(f"{paper.id}: flagged for review: {flag}")
    return outcomes


def enrich_metadata(
    data_dir: Path,
    settings: MetadataSettings,
    *,
    arxiv: ArxivClient | None = None,
    s2: SemanticScholarClient | None = None,
    echo: Callable[[str], None] = lambda line: None,
    now: Callable[[], datetime] = utc_now,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> MetadataRunReport:
    """Ask arXiv, then Semantic Scholar, about the selected papers; then fill their records."""
    collection: Collection = load_collection(data_dir, strict=False)
    arxiv_client = arxiv or ArxivClient(
        settings.arxiv_url, timeout_s=settings.timeout_s, clock=clock, sleep=sleep
    )
    s2_client = s2 or SemanticScholarClient(
        settings.s2, timeout_s=settings.timeout_s, clock=clock, sleep=sleep
    )
    store = MetadataStore(data_dir)
    started = clock()

    def left() -> float | None:
        if settings.time_limit_s is None:
            return None
        return max(0.0, settings.time_limit_s - (clock() - started))

    def run(source: Any) -> RunReport[Any]:
        return run_source(
            source,
            collection,
            settings.run_settings(left()),
            echo=echo,
            now=now,
            clock=clock,
            sleep=sleep,
        )

    try:
        by_id = run(
            ArxivIdSource(store, arxiv_client, arxiv_client.base_url, settings.arxiv_batch, now)
        )
        by_title = run(ArxivTitleSource(store, arxiv_client, arxiv_client.base_url, 1, now))
        s2_run = run(
            SemanticScholarSource(
                store, s2_client, s2_client.access.base_url, settings.s2_batch, now
            )
        )
    finally:
        if arxiv is None:
            arxiv_client.close()
        if s2 is None:
            s2_client.close()
    papers = select_papers(collection, settings.only, settings.shard)
    holders = {
        bare_id(paper.record.links.arxiv): paper.id
        for paper in collection.papers.values()
        if paper.record.links.arxiv
    }
    fills = fill_records(data_dir, papers, today=now().date(), holders=holders, echo=echo)
    return MetadataRunReport(by_id, by_title, s2_run, fills, settings.time_limit_s)
