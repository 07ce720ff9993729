"""The enrichment run loop with a scripted source: cache, cap, pacing, time limit, breakers, saving."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fakeclock import FakeClock

from generator.enrich.calls import BudgetExhausted, CallMeter, CircuitOpen, DeadlineReached
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
from generator.errors import ConfigError
from generator.records.collection import Paper
from generator.records.load import load_collection

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Result:
    """What the fake source stores."""

    good: bool
    fingerprint: str
    at: datetime = NOW


@dataclass
class FakeSource:
    """A source whose calls answer as scripted.

    Each request consumes one reply: "ok" (an answer), "reject" (an answer the source rejects
    for this paper), "503" (an answered service failure, retried) or "down" (no answer at all,
    retried). A request is tried `attempts` times.
    """

    replies: Iterator[str]
    attempts: int = 1
    batch_size: int = 1
    call_s: float = 0.0
    clock: FakeClock | None = None
    service: str = "FakeService"
    store: dict[str, Result] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    fetched: list[list[str]] = field(default_factory=list)
    person: set[str] = field(default_factory=set)
    drop: set[str] = field(default_factory=set)

    def plan(self, paper: Paper) -> Ask[str] | Skip:
        if paper.id in self.person:
            return Skip("a person set it", by_person=True)
        title = paper.record.title
        if not title:
            return Skip("no title")
        return Ask(title, fingerprint=title)

    def stored(self, paper: Paper) -> Stored[Result] | None:
        found = self.store.get(paper.id)
        return None if found is None else Stored(found, found.good, found.fingerprint, found.at)

    def fetch(
        self, jobs: Sequence[Job[str, Result]], meter: CallMeter
    ) -> Mapping[str, Outcome[Result]]:
        self.fetched.append([job.paper.id for job in jobs])
        for _attempt in range(self.attempts):
            meter.before_call()
            reply = next(self.replies)
            if self.clock is not None:
                self.clock.now += self.call_s
            if reply == "down":
                meter.no_answer("connection refused")
                continue
            meter.answered(tokens_in=10, tokens_out=2)
            if reply == "ok":
                return {
                    job.paper.id: Found(Result(True, job.fingerprint))
                    for job in jobs
                    if job.paper.id not in self.drop
                }
            if reply == "reject":
                return {
                    job.paper.id: Failed("rejected", record=Result(False, job.fingerprint))
                    for job in jobs
                }
        return {
            job.paper.id: Failed("gave up", record=Result(False, job.fingerprint), outage=True)
            for job in jobs
        }

    def save(self, paper_id: str, result: Result) -> None:
        self.store[paper_id] = result
        self.writes.append(paper_id)

    def describe(self, paper_id: str, outcome: Outcome[Result]) -> str:
        return f"{paper_id}: {'ok' if isinstance(outcome, Found) else 'failed'}"

    def outage_message(self, in_row: int) -> str:
        return f"FakeService failed {in_row} times in a row"


def write_papers(root: Path, count: int, titled: bool = True) -> Path:
    data = root / "data"
    (data / "papers").mkdir(parents=True)
    (data / "techniques.yaml").write_text("techniques: []\n", encoding="utf-8")
    (data / "institutions.yaml").write_text("institutions: []\n", encoding="utf-8")
    for i in range(count):
        title = f"title: Paper Title Number {i}\n" if titled else ""
        (data / "papers" / f"p{i}.yaml").write_text(title + "added: 2026-11-01\n", "utf-8")
    return data


def run(
    data: Path, source: FakeSource, settings: RunSettings | None = None, **kw: Any
) -> RunReport[Result]:
    clock = source.clock or FakeClock()
    return run_source(
        source,
        load_collection(data),
        settings or RunSettings(),
        now=lambda: NOW,
        clock=clock,
        sleep=clock.sleep,
        **kw,
    )


def replies(*items: str) -> Iterator[str]:
    return iter(items)


def forever(item: str) -> Iterator[str]:
    while True:
        yield item


# ---- counting and breakers -----------------------------------------------------------------------


def test_breaker_stops_after_consecutive_unanswered_calls(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 5)
    source = FakeSource(forever("down"), attempts=4)

    report = run(data, source)

    # p0's third unanswered call opens the breaker before its fourth attempt
    assert source.fetched == [["p0"]]
    assert report.stop == "breaker"
    assert report.stopped is not None and report.stopped.startswith(
        "3 calls in a row got no answer from FakeService (last: connection refused)"
    )
    assert report.failed == {"p0": "connection refused"}
    assert report.not_reached == ["p1", "p2", "p3", "p4"]
    assert (report.calls, report.unanswered) == (0, 3)
    assert source.writes == []  # a paper nobody answered for gets no record


def test_an_answer_resets_the_unanswered_count(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    source = FakeSource(replies("down", "down", "ok", "down", "down", "ok", "down", "ok"), 3)

    report = run(data, source)

    assert report.stop is None and list(report.answered) == ["p0", "p1", "p2"]
    assert (report.calls, report.unanswered) == (3, 5)
    assert unanswered_line(report.unanswered, report.service) == (
        "5 calls got no answer from FakeService (unreachable or timed out); not counted as made"
    )
    assert unanswered_line(0, "FakeService") is None


def test_only_answered_calls_count_and_use_the_cap(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 4)
    # p0: two unanswered then an answer; p1: an answered 503 then an answer; p2 hits the cap
    source = FakeSource(replies("down", "down", "ok", "503", "ok", "ok", "ok"), attempts=3)

    report = run(data, source, RunSettings(max_calls=3))

    assert list(report.answered) == ["p0", "p1"]
    assert (report.calls, report.unanswered) == (3, 2)
    assert (report.tokens_in, report.tokens_out) == (30, 6)
    assert report.stop == "budget" and report.over_budget == ["p2", "p3"]
    assert report.not_reached == [] and report.not_attempted == ["p2", "p3"]


def test_outage_breaker_counts_requests_failing_for_the_service(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 6)
    # answered 503s: p0 fails, p1 is rejected (the paper's fault: resets), p2..p4 fail in a row
    source = FakeSource(replies("503", "reject", "503", "503", "503", "ok"))

    report = run(data, source, RunSettings(max_failures_in_row=3))

    assert list(report.failed) == ["p0", "p1", "p2", "p3", "p4"]
    assert report.stop == "outage" and report.stopped == "FakeService failed 3 times in a row"
    assert report.not_reached == ["p5"] and report.calls == 5


# ---- cache and saving ----------------------------------------------------------------------------


def test_a_cached_answer_costs_zero_calls(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    source = FakeSource(forever("ok"))
    first = run(data, source)
    assert list(first.answered) == ["p0", "p1", "p2"] and first.calls == 3

    source.fetched.clear()
    again = run(data, source)

    assert source.fetched == [] and again.calls == 0 and again.current == ["p0", "p1", "p2"]

    # a changed input (here the title) is asked again; --refresh asks again anyway
    (data / "papers" / "p1.yaml").write_text("title: A New Title\nadded: 2026-11-01\n", "utf-8")
    changed = run(data, source)
    assert source.fetched == [["p1"]] and changed.current == ["p0", "p2"]
    refreshed = run(data, source, RunSettings(refresh=True, only=("p2",)))
    assert list(refreshed.answered) == ["p2"]


def test_answers_age_out_and_the_oldest_go_first(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 4)
    source = FakeSource(forever("ok"))
    titles = {f"p{i}": f"Paper Title Number {i}" for i in range(4)}
    source.store = {
        "p0": Result(True, titles["p0"], NOW - timedelta(days=40)),
        "p1": Result(True, titles["p1"], NOW - timedelta(days=90)),
        "p2": Result(True, titles["p2"], NOW - timedelta(days=2)),
        "p3": Result(False, titles["p3"], NOW - timedelta(days=1)),  # a failure: asked first
    }

    report = run(data, source, RunSettings(max_age=timedelta(days=30)))

    assert report.current == ["p2"]
    assert source.fetched == [["p3"], ["p1"], ["p0"]]


def test_a_failure_never_overwrites_a_stored_answer(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    good = Result(True, "Paper Title Number 0")
    earlier_failure = Result(False, "an older input")
    source = FakeSource(forever("503"))
    source.store = {"p0": good, "p1": earlier_failure}

    report = run(data, source, RunSettings(refresh=True, max_failures_in_row=9))

    assert set(report.failed) == {"p0", "p1", "p2"}
    assert source.store["p0"] is good  # the answer is kept
    assert source.store["p1"] is earlier_failure  # a repeated failure does not churn the file
    assert source.writes == ["p2"]  # a first failure is recorded for a reviewer
    assert source.store["p2"] == Result(False, "Paper Title Number 2")


def test_each_result_is_saved_before_the_next_call(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)

    def interrupted() -> Iterator[str]:
        yield "ok"
        yield "ok"
        raise KeyboardInterrupt

    source = FakeSource(interrupted())
    with pytest.raises(KeyboardInterrupt):
        run(data, source)
    assert source.writes == ["p0", "p1"]


def test_selection_skips_and_persons_values(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 4)
    (data / "papers" / "p3.yaml").write_text("added: 2026-11-01\n", "utf-8")
    source = FakeSource(forever("ok"), person={"p0"})

    report = run(data, source, RunSettings(only=("p2", "p0", "p3", "p2")))

    assert report.by_person == ["p0"] and report.skipped == {"p3": "no title"}
    assert list(report.answered) == ["p2"]
    with pytest.raises(ConfigError, match=r"--only nope: no valid paper with the id 'nope'"):
        run(data, source, RunSettings(only=("nope",)))
    shards = [run(data, FakeSource(forever("ok")), RunSettings(shard=(i, 2))) for i in (1, 2)]
    assert sorted(list(shards[0].answered) + list(shards[1].answered)) == ["p0", "p1", "p2"]
    assert not set(shards[0].answered) & set(shards[1].answered)


def test_progress_lines_count_the_due_papers(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    lines: list[str] = []
    run(data, FakeSource(replies("ok", "reject", "ok")), echo=lines.append)
    assert lines == ["p0: ok [1/3]", "p1: failed [2/3]", "p2: ok [3/3]"]


# ---- pacing and the time limit -------------------------------------------------------------------


def test_calls_are_paced_by_the_injected_clock(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    clock = FakeClock()
    source = FakeSource(replies("down", "ok", "ok", "ok"), attempts=2, clock=clock)

    run(data, source, RunSettings(gap_s=3.0))

    # no pause before the first call, then 3 s before every further call (retries included)
    assert clock.sleeps == [3.0, 3.0, 3.0]


def test_pacing_jitter_adds_up_to_the_given_share(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    clock = FakeClock()
    run(
        data,
        FakeSource(forever("ok"), clock=clock),
        RunSettings(gap_s=8.0, jitter=0.5),
        rand=lambda: 0.5,
    )
    assert clock.sleeps == [10.0, 10.0]


def test_the_time_limit_stops_new_calls(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 6)
    clock = FakeClock()
    source = FakeSource(forever("ok"), clock=clock, call_s=4.0)

    report = run(data, source, RunSettings(gap_s=1.0, time_limit_s=12.0))

    # calls start at 0, 5 and 10 s; at 14 s nothing more may start
    assert list(report.answered) == ["p0", "p1", "p2"]
    assert report.stop == "time" and report.not_reached == ["p3", "p4", "p5"]
    assert report.stopped == "the run's time limit of 12 s is reached"
    assert clock.sleeps == [1.0, 1.0]


def test_a_pause_that_would_cross_the_time_limit_is_not_taken(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 3)
    clock = FakeClock()
    source = FakeSource(forever("ok"), clock=clock, call_s=1.0)

    report = run(data, source, RunSettings(gap_s=10.0, time_limit_s=5.0))

    assert list(report.answered) == ["p0"] and report.stop == "time"
    assert clock.sleeps == []


# ---- batches -------------------------------------------------------------------------------------


def test_a_batch_source_asks_for_many_papers_per_call(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 7)
    clock = FakeClock()
    source = FakeSource(forever("ok"), batch_size=3, clock=clock, drop={"p4"})
    lines: list[str] = []

    report = run(data, source, RunSettings(gap_s=3.0), echo=lines.append)

    assert source.fetched == [["p0", "p1", "p2"], ["p3", "p4", "p5"], ["p6"]]
    assert report.calls == 3 and clock.sleeps == [3.0, 3.0]
    assert report.failed == {"p4": "FakeService gave no result for this paper"}
    assert len(report.answered) == 6 and len(lines) == 7


def test_an_outage_counts_once_per_batch(tmp_path: Path) -> None:
    data = write_papers(tmp_path, 9)
    source = FakeSource(forever("503"), batch_size=4)

    report = run(data, source, RunSettings(max_failures_in_row=2))

    assert source.fetched == [["p0", "p1", "p2", "p3"], ["p4", "p5", "p6", "p7"]]
    assert report.stop == "outage" and report.not_reached == ["p8"]


# ---- the meter on its own ------------------------------------------------------------------------


def test_meter_refuses_calls_past_its_cap_breaker_and_time() -> None:
    clock = FakeClock()
    capped = CallMeter(limit=1, clock=clock, sleep=clock.sleep)
    capped.before_call()
    capped.answered()
    with pytest.raises(BudgetExhausted):
        capped.before_call()

    breaker = CallMeter(max_unanswered_in_row=2, service="X", clock=clock, sleep=clock.sleep)
    for _ in range(2):
        breaker.before_call()
        breaker.no_answer("timeout")
    with pytest.raises(CircuitOpen) as opened:
        breaker.before_call()
    assert opened.value.last_reason == "timeout" and breaker.calls == 0

    timed = CallMeter(time_limit_s=5, clock=clock, sleep=clock.sleep)
    assert timed.time_left() == 5
    clock.now += 5
    with pytest.raises(DeadlineReached):
        timed.before_call()


def test_a_retry_waits_only_when_the_run_may_still_call() -> None:
    clock = FakeClock()
    meter = CallMeter(time_limit_s=10, clock=clock, sleep=clock.sleep)
    meter.wait_before_retry(4)
    assert clock.sleeps == [4]
    with pytest.raises(DeadlineReached):  # Retry-After: 30 would pass the time limit
        meter.wait_before_retry(30)
    assert clock.sleeps == [4]
    other: list[float] = []
    meter.wait_before_retry(1, other.append)  # a client's own sleep (its tests record it)
    assert other == [1] and clock.sleeps == [4]
