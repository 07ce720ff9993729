"""One run loop for every outside source: select, skip what is cached, ask, save each result.

A source (Scholar, Mistral briefs, arXiv, ...) says what to ask about a paper, how to read what is
stored, how to ask about a batch of papers and how to save an answer. The loop does the rest the
same way for all of them: --only, --shard and --refresh; the cache (a stored answer made from the
same inputs costs no call); the order (never answered first, then the oldest answers); the call
cap, pacing, time limit and the breakers (through a CallMeter); saving each result as it arrives,
where a failure never replaces a stored answer; a progress line; and the run report.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Generic, Protocol, TypeVar

from generator.enrich.calls import CallMeter, CircuitOpen, StopKind, StopRun
from generator.enrich.shard import select_shard
from generator.errors import ConfigError
from generator.records.collection import Collection, Paper

Request = TypeVar("Request")
Result = TypeVar("Result")

Progress = Callable[[Sequence[Paper]], AbstractContextManager[Iterable[Paper]]]

_EPOCH = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RunSettings:
    """Which papers a run covers and how it may call the service."""

    only: tuple[str, ...] = ()
    refresh: bool = False
    shard: tuple[int, int] | None = None
    # answered calls this run may make; None: no cap
    max_calls: int | None = None
    # pause after each call before the next (plus up to `jitter` times as much at random)
    gap_s: float = 0.0
    jitter: float = 0.0
    # no call starts once the run has lasted this long; None: no limit
    time_limit_s: float | None = None
    # a stored answer older than this is asked again; None: answers do not age
    max_age: timedelta | None = None
    # stop after this many calls in a row got no answer at all (connection refused, timeout)
    max_unanswered_in_row: int = 3
    # stop after this many requests in a row failed for the service's reasons (an outage)
    max_failures_in_row: int = 3


@dataclass(frozen=True)
class Stored(Generic[Result]):
    """A result already on disk, with what the loop needs to judge it."""

    value: Result
    good: bool  # an answer, as opposed to a recorded failure
    fingerprint: str | None  # the inputs it was made from (an input hash, a title)
    at: datetime  # when it was fetched or generated


@dataclass(frozen=True)
class Skip:
    """Why a paper is not asked about."""

    reason: str
    # a person's value wins: the paper is never asked about and its result never touched
    by_person: bool = False


@dataclass(frozen=True)
class Ask(Generic[Request]):
    """What to ask about a paper, and the fingerprint of those inputs."""

    request: Request
    fingerprint: str


@dataclass(frozen=True)
class Job(Generic[Request, Result]):
    """One paper due for a call."""

    paper: Paper
    request: Request
    fingerprint: str
    stored: Stored[Result] | None


@dataclass(frozen=True)
class Found(Generic[Result]):
    """A usable answer: stored, replacing whatever the paper had."""

    result: Result


@dataclass(frozen=True)
class Failed(Generic[Result]):
    """No usable answer for a paper, and why."""

    reason: str
    # written only when the paper has no result at all: never over an answer, and a
    # repeated failure does not rewrite (churn) the committed file
    record: Result | None = None
    # the service failed rather than this paper: counts toward the outage breaker
    outage: bool = False


Outcome = Found[Result] | Failed[Result]


class Source(Protocol[Request, Result]):
    """One outside service as the run loop drives it."""

    service: str  # its name in messages: "Scholar", "Mistral", "arXiv"
    batch_size: int  # papers per fetch: 1, or many for a batch endpoint

    def plan(self, paper: Paper) -> Ask[Request] | Skip:
        """Return what to ask about this paper, or why it is not asked about."""
        ...

    def stored(self, paper: Paper) -> Stored[Result] | None:
        """Return the paper's stored result, if it has one."""
        ...

    def fetch(
        self, jobs: Sequence[Job[Request, Result]], meter: CallMeter
    ) -> Mapping[str, Outcome[Result]]:
        """Ask about these papers (meter.before_call() before every request) and map id to outcome.

        Raise StopRun (or let the meter's propagate) when the run must stop; report every
        other failure as Failed outcomes, one per paper.
        """
        ...

    def save(self, paper_id: str, result: Result) -> None:
        """Store a result for the paper (atomically)."""
        ...

    def describe(self, paper_id: str, outcome: Outcome[Result]) -> str:
        """Return the progress line for one paper's outcome."""
        ...

    def outage_message(self, in_row: int) -> str:
        """Say why the run stopped after `in_row` requests in a row failed, and what to do."""
        ...


@dataclass
class RunReport(Generic[Result]):
    """What one run did, paper by paper, and what it cost."""

    service: str
    answered: dict[str, Result] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    current: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    by_person: list[str] = field(default_factory=list)
    over_budget: list[str] = field(default_factory=list)
    not_reached: list[str] = field(default_factory=list)
    stop: StopKind | None = None
    stopped: str | None = None
    calls: int = 0
    unanswered: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    @property
    def not_attempted(self) -> list[str]:
        """Return the papers that were due but not asked about (cap reached or run stopped)."""
        return self.over_budget + self.not_reached


def unanswered_line(count: int, service: str) -> str | None:
    """Say how many calls got no answer (they are not counted as made), if any did."""
    if not count:
        return None
    calls = "call" if count == 1 else "calls"
    return f"{count} {calls} got no answer from {service} (unreachable or timed out); not counted as made"


def select_papers(
    collection: Collection, only: Sequence[str], shard: tuple[int, int] | None
) -> list[Paper]:
    """Return the papers a run covers: the --only ids in their order, or all; then the shard."""
    papers = collection.papers
    if only:
        wanted = list(dict.fromkeys(only))
        unknown = [paper_id for paper_id in wanted if paper_id not in papers]
        if unknown:
            ids = "id" if len(unknown) == 1 else "ids"
            raise ConfigError(
                f"--only {', '.join(unknown)}: no valid paper with the {ids}"
                f" {', '.join(repr(i) for i in unknown)} in {collection.data_dir / 'papers'};"
                " ids are file names without .yaml (`paperbrief validate` shows records with"
                " problems)"
            )
    else:
        wanted = sorted(papers)
    return [papers[paper_id] for paper_id in select_shard(wanted, shard)]


def utc_now() -> datetime:
    """Return the current time in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def aware(moment: datetime) -> datetime:
    """Read a datetime without a zone as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def is_current(
    stored: Stored[Result] | None,
    fingerprint: str,
    now: datetime,
    max_age: timedelta | None,
) -> bool:
    """Return True when a stored answer was made from these very inputs and has not aged out."""
    if stored is None or not stored.good or stored.fingerprint != fingerprint:
        return False
    return max_age is None or now - aware(stored.at) < max_age


def _queue_position(job: Job[Request, Result]) -> datetime:
    # never answered (or only failed) first, then the oldest answers: capped runs still
    # work through the whole collection over time
    stored = job.stored
    return aware(stored.at) if stored is not None and stored.good else _EPOCH


def _batches(papers: Iterable[Paper], size: int) -> Iterator[list[Paper]]:
    iterator = iter(papers)
    while batch := list(islice(iterator, max(1, size))):
        yield batch


def _quiet(line: str) -> None:
    """Print nothing."""


def run_source(
    source: Source[Request, Result],
    collection: Collection,
    settings: RunSettings,
    *,
    echo: Callable[[str], None] = _quiet,
    progress: Progress | None = None,
    now: Callable[[], datetime] = utc_now,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    rand: Callable[[], float] = random.random,
) -> RunReport[Result]:
    """Ask the source about every selected paper that is due, saving each result as it comes."""
    report: RunReport[Result] = RunReport(service=source.service)
    started = now()
    due: list[Job[Request, Result]] = []
    for paper in select_papers(collection, settings.only, settings.shard):
        plan = source.plan(paper)
        if isinstance(plan, Skip):
            if plan.by_person:
                report.by_person.append(paper.id)
            else:
                report.skipped[paper.id] = plan.reason
            continue
        stored = source.stored(paper)
        if not settings.refresh and is_current(stored, plan.fingerprint, started, settings.max_age):
            report.current.append(paper.id)
            continue
        due.append(Job(paper, plan.request, plan.fingerprint, stored))
    if not due:
        return report
    due.sort(key=_queue_position)

    meter = CallMeter(
        limit=settings.max_calls,
        gap_s=settings.gap_s,
        jitter=settings.jitter,
        time_limit_s=settings.time_limit_s,
        max_unanswered_in_row=settings.max_unanswered_in_row,
        service=source.service,
        clock=clock,
        sleep=sleep,
        rand=rand,
    )
    jobs = {job.paper.id: job for job in due}
    show: Progress = progress or nullcontext
    in_row = 0
    done = 0
    try:
        with show([job.paper for job in due]) as shown:
            for papers in _batches(shown, source.batch_size):
                batch = [jobs[paper.id] for paper in papers]
                if report.stop is not None:
                    _leave(report, batch)
                    continue
                outcomes = _ask(source, batch, meter, report)
                if outcomes is None:
                    continue
                settled: list[Outcome[Result]] = []
                for job in batch:
                    outcome = outcomes.get(job.paper.id) or Failed(
                        f"{source.service} gave no result for this paper"
                    )
                    _settle(source, job, outcome, report)
                    settled.append(outcome)
                    done += 1
                    echo(f"{source.describe(job.paper.id, outcome)} [{done}/{len(due)}]")
                outage = all(isinstance(o, Failed) and o.outage for o in settled)
                in_row = in_row + 1 if outage else 0
                if report.stop is None and in_row >= settings.max_failures_in_row:
                    report.stop, report.stopped = "outage", source.outage_message(in_row)
    finally:
        report.calls, report.unanswered = meter.calls, meter.unanswered
        report.tokens_in, report.tokens_out = meter.tokens_in, meter.tokens_out
    return report


def _leave(report: RunReport[Result], batch: Sequence[Job[Request, Result]]) -> None:
    """Record a batch the stopped run does not ask about."""
    left = report.over_budget if report.stop == "budget" else report.not_reached
    left.extend(job.paper.id for job in batch)


def _ask(
    source: Source[Request, Result],
    batch: Sequence[Job[Request, Result]],
    meter: CallMeter,
    report: RunReport[Result],
) -> Mapping[str, Outcome[Result]] | None:
    """Fetch one batch; on a stop, record it and return what the batch got (None: nothing)."""
    try:
        meter.check()
    except StopRun as exc:  # reached between batches: this batch is not asked at all
        report.stop, report.stopped = exc.kind, str(exc)
        _leave(report, batch)
        return None
    try:
        return source.fetch(batch, meter)
    except CircuitOpen as exc:
        # the batch's own calls went unanswered: it failed, for the last of their reasons
        report.stop, report.stopped = exc.kind, str(exc)
        return {job.paper.id: Failed(exc.last_reason, outage=True) for job in batch}
    except StopRun as exc:
        # nothing usable was learnt about the batch: it is left for the next run
        report.stop, report.stopped = exc.kind, str(exc)
        _leave(report, batch)
        return None


def _settle(
    source: Source[Request, Result],
    job: Job[Request, Result],
    outcome: Outcome[Result],
    report: RunReport[Result],
) -> None:
    """Save one paper's outcome at once, so a killed run loses nothing already answered."""
    paper_id = job.paper.id
    if isinstance(outcome, Found):
        source.save(paper_id, outcome.result)
        report.answered[paper_id] = outcome.result
        return
    report.failed[paper_id] = outcome.reason
    if outcome.record is not None and job.stored is None:
        source.save(paper_id, outcome.record)
