"""Enrich papers with Google Scholar data: Scholar as a source of the enrichment run loop."""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.enrich.calls import CallMeter
from generator.enrich.loop import (
    Ask,
    Failed,
    Found,
    Job,
    Outcome,
    RunReport,
    RunSettings,
    Skip,
    Stored,
    run_source,
    unanswered_line,
)
from generator.enrich.loop import utc_now as utc_now  # authoring/add.py stamps drafts with it
from generator.enrich.sources.scholar.lookup import (
    SCHOLAR_ORIGIN,
    Candidate,
    Lookup,
    LookupResult,
    SubprocessLookup,
    WorkerConfig,
)
from generator.records.characters import FORBIDDEN_IN_PROSE
from generator.records.collection import Paper
from generator.records.keys import normalize_title
from generator.records.load import load_collection
from generator.records.models import Line, ScholarEnrichment, Url
from generator.records.store import read_enrichment, save_enrichment

_LINE: TypeAdapter[str] = TypeAdapter(Line)
_URL: TypeAdapter[str] = TypeAdapter(Url)
_MAX_TEXT = 500
_MAX_AUTHORS = 100


@dataclass(frozen=True)
class ScholarSettings:
    """Which papers a Scholar run covers and how gently it asks."""

    only: tuple[str, ...] = ()
    refresh: bool = False
    shard: tuple[int, int] | None = None
    # seconds between lookups; each wait adds up to half of it again at random
    delay_s: float = 10.0
    max_lookups: int = 40
    max_age_days: float = 30.0
    # one lookup's hard deadline (the worker is killed past it)
    deadline_s: float = 45.0
    # one HTTP request's timeout; by default 80% of the deadline, so a slow answer is a
    # timeout the worker survives and only a real hang costs a killed worker
    request_timeout_s: float | None = None
    # no lookup starts once the whole run has lasted this long (None: no limit)
    time_limit_s: float | None = None
    # stop after this many lookups in a row got no answer (403, CAPTCHA, timeout, unreachable)
    max_blocks_in_row: int = 3
    # normalized titles must agree at least this much (rapidfuzz ratio, 0-100) to be a match
    threshold: float = 90.0
    candidates: int = 5
    endpoint: str = SCHOLAR_ORIGIN

    def make_lookup(self) -> SubprocessLookup:
        """Return the real lookup: a worker process with this run's deadline."""
        timeout = self.request_timeout_s or max(1.0, self.deadline_s * 0.8)
        config = WorkerConfig(
            endpoint=self.endpoint, request_timeout=timeout, candidates=self.candidates
        )
        return SubprocessLookup(config=config, deadline=self.deadline_s)

    def run_settings(self) -> RunSettings:
        """Return what the run loop needs: selection, cap, pacing, age and breakers."""
        return RunSettings(
            only=self.only,
            refresh=self.refresh,
            shard=self.shard,
            max_calls=self.max_lookups,
            gap_s=self.delay_s,
            jitter=0.5,
            time_limit_s=self.time_limit_s,
            max_age=timedelta(days=self.max_age_days),
            max_unanswered_in_row=self.max_blocks_in_row,
            max_failures_in_row=self.max_blocks_in_row,
        )


@dataclass
class ScholarRunReport:
    """What a Scholar run did, for the summary."""

    matched: list[str] = field(default_factory=list)
    no_match: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    fresh: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    over_limit: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    stopped: str | None = None
    lookups: int = 0
    unanswered: int = 0

    @classmethod
    def from_run(cls, run: RunReport[ScholarEnrichment]) -> ScholarRunReport:
        """Read the loop's report as a Scholar run's."""
        return cls(
            matched=[i for i, found in run.answered.items() if found.status == "match"],
            no_match=[i for i, found in run.answered.items() if found.status != "match"],
            failed=run.failed,
            fresh=run.current,
            skipped=run.skipped,
            over_limit=run.over_budget,
            not_reached=run.not_reached,
            # reaching --max-lookups is the plan, not a stop: its papers are listed on their own
            stopped=run.stopped if run.stop != "budget" else None,
            lookups=run.calls,
            unanswered=run.unanswered,
        )

    def summary_lines(self) -> list[str]:
        """Describe the run: counts, then every failure and every paper left for later."""
        lines = [
            f"scholar: {self.lookups} lookups; {len(self.matched)} matched, {len(self.no_match)} without"
            f" a confident match, {len(self.failed)} failed, {len(self.fresh)} still fresh,"
            f" {len(self.skipped)} skipped"
        ]
        unanswered = unanswered_line(self.unanswered, "Scholar")
        if unanswered:
            lines.append(unanswered)
        for paper_id, reason in sorted(self.failed.items()):
            lines.append(f"failed {paper_id}: {reason}")
        for paper_id, reason in sorted(self.skipped.items()):
            lines.append(f"skipped {paper_id}: {reason}")
        if self.no_match:
            lines.append(f"review (no confident match): {', '.join(self.no_match)}")
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        if self.not_reached:
            lines.append(f"not looked up (stopped): {', '.join(self.not_reached)}")
        if self.over_limit:
            lines.append(f"not looked up (over --max-lookups): {', '.join(self.over_limit)}")
        if self.failed or self.not_reached or self.over_limit:
            lines.append(
                "run the same command later to look up only what is missing; stored results are kept"
            )
        return lines


# ---- matching and cleaning ---------------------------------------------------------------------


def title_similarity(wanted: str, found: str) -> float:
    """Score two titles 0-100 after folding case, accents, punctuation and spacing."""
    from rapidfuzz.fuzz import ratio

    a, b = normalize_title(wanted), normalize_title(found)
    if not a or not b:
        return 0.0
    return float(ratio(a, b))


def clean_line(text: str | None) -> str | None:
    """Turn untrusted text into one clean line, or None if nothing valid is left."""
    if text is None:
        return None
    text = "".join(
        ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} or ch in "\t\n"
    )
    # non-characters and Hangul fillers too: what validation refuses is cleaned, not refused
    text = " ".join(FORBIDDEN_IN_PROSE.sub("", text).split())[:_MAX_TEXT]
    try:
        return _LINE.validate_python(text)
    except ValidationError:
        return None


def clean_url(url: str | None) -> str | None:
    """Keep an http(s) URL (Scholar-relative ones made absolute); drop anything else."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("/") and not url.startswith("//"):
        url = SCHOLAR_ORIGIN + url
    try:
        return _URL.validate_python(url)
    except ValidationError:
        return None


def _year(text: str | None) -> int | None:
    if text and re.fullmatch(r"\d{4}", text.strip()) and 1900 <= int(text) <= 2100:
        return int(text)
    return None


def _venue(text: str | None) -> str | None:
    # scholarly writes 'NA' when Scholar shows no venue
    return None if text is None or text.strip() in {"", "NA"} else clean_line(text)


def best_candidate(title: str, candidates: Sequence[Candidate]) -> tuple[Candidate, float] | None:
    """Return the candidate whose title is closest to ours (the higher-ranked one on a tie)."""
    best: tuple[Candidate, float] | None = None
    for candidate in candidates:
        score = title_similarity(title, candidate.title)
        if best is None or score > best[1]:
            best = (candidate, score)
    return best


def enrichment_from(
    result: LookupResult, title: str, *, threshold: float, fetched: datetime
) -> ScholarEnrichment:
    """Turn a lookup into what is stored: a match, the best non-matching candidate, or an error."""
    if not result.answered:
        return ScholarEnrichment(
            status="error",
            query=clean_line(title),
            error=clean_line(result.reason) or "no answer from Scholar",
            scholar_url=clean_url(result.search_url),
            fetched=fetched,
        )
    best = best_candidate(title, result.candidates)
    if best is None:
        return ScholarEnrichment(
            status="no-match",
            query=clean_line(title),
            scholar_url=clean_url(result.search_url),
            fetched=fetched,
        )
    candidate, score = best
    authors = [a for a in (clean_line(name) for name in candidate.authors[:_MAX_AUTHORS]) if a]
    return ScholarEnrichment(
        status="match" if score >= threshold else "no-match",
        query=clean_line(title),
        citations=candidate.citations
        if candidate.citations is not None and candidate.citations >= 0
        else None,
        venue=_venue(candidate.venue),
        year=_year(candidate.year),
        pub_url=clean_url(candidate.pub_url),
        eprint_url=clean_url(candidate.eprint_url),
        # the "Cited by" listing backs the count; without one, the search itself
        scholar_url=clean_url(candidate.citedby_url) or clean_url(result.search_url),
        authors=authors,
        matched_title=clean_line(candidate.title),
        similarity=round(score, 1),
        fetched=fetched,
    )


# ---- the run -----------------------------------------------------------------------------------


def _describe(paper_id: str, stored: ScholarEnrichment) -> str:
    if stored.status == "match":
        cites = (
            f"{stored.citations} citations" if stored.citations is not None else "no citation count"
        )
        return f"{paper_id}: match, {cites} (similarity {stored.similarity:g})"
    if stored.status == "no-match":
        if stored.matched_title is None:
            return f"{paper_id}: no confident match (Scholar found nothing)"
        return f"{paper_id}: no confident match (best: {stored.matched_title!r}, similarity {stored.similarity:g})"
    return f"{paper_id}: failed: {stored.error}"


@dataclass
class ScholarSource:
    """Scholar as a source of the run loop: one title searched per lookup, in a worker process."""

    data_dir: Path
    settings: ScholarSettings
    lookup: Lookup | None = None
    now: Callable[[], datetime] = utc_now
    service: str = "Scholar"
    batch_size: int = 1
    _owned: SubprocessLookup | None = field(default=None, init=False)

    def plan(self, paper: Paper) -> Ask[str] | Skip:
        """Search the record's title; a changed title means a new lookup."""
        title = paper.record.title
        if not title:
            return Skip("no title in the record to search for")
        return Ask(title, fingerprint=title)

    def stored(self, paper: Paper) -> Stored[ScholarEnrichment] | None:
        """Return the stored Scholar entry (read from disk: the loader may have skipped it)."""
        scholar = read_enrichment(self.data_dir, paper.id).scholar
        if scholar is None:
            return None
        return Stored(scholar, scholar.status != "error", scholar.query, scholar.fetched)

    def fetch(
        self, jobs: Sequence[Job[str, ScholarEnrichment]], meter: CallMeter
    ) -> Mapping[str, Outcome[ScholarEnrichment]]:
        """Look each title up, paced by the meter."""
        return {job.paper.id: self._look_up(job.request, meter) for job in jobs}

    def _look_up(self, title: str, meter: CallMeter) -> Outcome[ScholarEnrichment]:
        meter.before_call()
        if self.lookup is None:
            self._owned = self.settings.make_lookup()
            self.lookup = self._owned
        result = self.lookup(title)
        if result.reached:
            meter.answered()
        else:
            meter.no_answer(result.reason or "no answer from Scholar")
        enrichment = enrichment_from(
            result, title, threshold=self.settings.threshold, fetched=self.now()
        )
        if result.answered:
            return Found(enrichment)
        return Failed(enrichment.error or "no answer", record=enrichment, outage=True)

    def save(self, paper_id: str, result: ScholarEnrichment) -> None:
        """Write the Scholar entry beside the paper's other enrichment."""
        save_enrichment(self.data_dir, paper_id, scholar=result)

    def describe(self, paper_id: str, outcome: Outcome[ScholarEnrichment]) -> str:
        """Return the line printed for one lookup."""
        if isinstance(outcome, Found):
            return _describe(paper_id, outcome.result)
        return f"{paper_id}: failed: {outcome.reason}"

    def outage_message(self, in_row: int) -> str:
        """Say that Scholar is not answering, and what to try."""
        return (
            f"{in_row} lookups in a row got no answer from Scholar (blocked, CAPTCHA,"
            " timeout or unreachable); try later, from another network, or with a proxy (docs/scholar.md)"
        )

    def close(self) -> None:
        """Stop the worker process this source started."""
        if self._owned is not None:
            self._owned.close()


def enrich_scholar(
    data_dir: Path,
    settings: ScholarSettings,
    *,
    lookup: Lookup | None = None,
    echo: Callable[[str], None] = lambda line: None,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
    clock: Callable[[], float] = time.monotonic,
) -> ScholarRunReport:
    """Look the selected papers up on Scholar and store each answer as soon as it arrives."""
    collection = load_collection(data_dir, strict=False)
    source = ScholarSource(data_dir, settings, lookup=lookup, now=now)
    try:
        run = run_source(
            source,
            collection,
            settings.run_settings(),
            echo=echo,
            now=now,
            clock=clock,
            sleep=sleep,
            rand=rand,
        )
    finally:
        source.close()
    return ScholarRunReport.from_run(run)
