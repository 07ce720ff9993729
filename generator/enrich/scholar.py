"""Enrich papers with Google Scholar data: paced, capped, deadline-bound, saved as it arrives."""

from __future__ import annotations

import random
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.enrich.shard import select_shard
from generator.enrich.sources.scholar.lookup import (
    SCHOLAR_ORIGIN,
    Candidate,
    Lookup,
    LookupResult,
    SubprocessLookup,
    WorkerConfig,
)
from generator.errors import ConfigError
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
    deadline_s: float = 45.0
    # one HTTP request's timeout; by default 80% of the deadline, so a slow answer is a
    # timeout the worker survives and only a real hang costs a killed worker
    request_timeout_s: float | None = None
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

    def summary_lines(self) -> list[str]:
        """Describe the run: counts, then every failure and every paper left for later."""
        lines = [
            f"scholar: {self.lookups} lookups; {len(self.matched)} matched, {len(self.no_match)} without"
            f" a confident match, {len(self.failed)} failed, {len(self.fresh)} still fresh,"
            f" {len(self.skipped)} skipped"
        ]
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
    text = " ".join(text.split())[:_MAX_TEXT]
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


def utc_now() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_fresh(
    stored: ScholarEnrichment | None, title: str, now: datetime, max_age_days: float
) -> bool:
    """Return True when a stored answer for this very title is younger than the age limit."""
    if stored is None or stored.status == "error" or stored.query != title:
        return False
    return now - _aware(stored.fetched) < timedelta(days=max_age_days)


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


def enrich_scholar(
    data_dir: Path,
    settings: ScholarSettings,
    *,
    lookup: Lookup | None = None,
    echo: Callable[[str], None] = lambda line: None,
    now: Callable[[], datetime] = utc_now,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> ScholarRunReport:
    """Look the selected papers up on Scholar and store each answer as soon as it arrives."""
    collection = load_collection(data_dir, strict=False)
    papers = collection.papers
    if settings.only:
        unknown = [p for p in settings.only if p not in papers]
        if unknown:
            raise ConfigError(
                f"--only {', '.join(unknown)}: no such valid paper in {data_dir}/papers"
                " (check the id, or run `paperbrief validate` if the record has problems)"
            )
        ids = list(dict.fromkeys(settings.only))
    else:
        ids = sorted(papers)
    ids = select_shard(ids, settings.shard)

    report = ScholarRunReport()
    due: list[tuple[str, str, ScholarEnrichment | None]] = []
    started = now()
    for paper_id in ids:
        title = papers[paper_id].record.title
        if not title:
            report.skipped[paper_id] = "no title in the record to search for"
            continue
        stored = read_enrichment(data_dir, paper_id).scholar
        if not settings.refresh and is_fresh(stored, title, started, settings.max_age_days):
            report.fresh.append(paper_id)
            continue
        due.append((paper_id, title, stored))
    # never-answered papers first, then the oldest answers: capped runs still cover everything
    epoch = datetime.min.replace(tzinfo=UTC)
    due.sort(
        key=lambda d: _aware(d[2].fetched) if d[2] is not None and d[2].status != "error" else epoch
    )

    owned = lookup is None
    active: Lookup | None = lookup
    in_row = 0
    try:
        for position, (paper_id, title, stored) in enumerate(due):
            if report.lookups >= settings.max_lookups:
                report.over_limit = [d[0] for d in due[position:]]
                break
            if report.lookups:
                sleep(settings.delay_s * (1 + rand() / 2))
            if active is None:
                active = settings.make_lookup()
            result = active(title)
            report.lookups += 1
            enrichment = enrichment_from(result, title, threshold=settings.threshold, fetched=now())
            if result.answered:
                in_row = 0
                save_enrichment(data_dir, paper_id, scholar=enrichment)
                (report.matched if enrichment.status == "match" else report.no_match).append(
                    paper_id
                )
            else:
                in_row += 1
                report.failed[paper_id] = enrichment.error or "no answer"
                # an earlier answer is worth more than today's failure, and rewriting an
                # earlier failure would only churn the committed file: record the first one only
                if stored is None:
                    save_enrichment(data_dir, paper_id, scholar=enrichment)
            echo(_describe(paper_id, enrichment))
            if in_row >= settings.max_blocks_in_row:
                report.stopped = (
                    f"{in_row} lookups in a row got no answer from Scholar (blocked, CAPTCHA,"
                    " timeout or unreachable); try later, from another network, or with a proxy (docs/scholar.md)"
                )
                report.not_reached = [d[0] for d in due[position + 1 :]]
                break
    finally:
        if owned and isinstance(active, SubprocessLookup):
            active.close()
    return report
