"""enrich_scholar: matching, storing, pacing, caps, age skip and the circuit breaker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from scholar_fakes import (
    BLOCKED,
    TIDAL,
    TIDAL_CANDIDATE,
    FakeScholar,
    Route,
    ScriptedLookup,
    answer,
    write_data,
)

from generator.enrich.scholar import ScholarSettings, enrich_scholar, title_similarity
from generator.enrich.sources.scholar.lookup import Candidate, LookupResult
from generator.errors import ConfigError
from generator.records.load import load_collection
from generator.records.models import ScholarEnrichment
from generator.records.store import read_enrichment, save_enrichment

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
FAST = ScholarSettings(delay_s=0.0)


def _stored(data: Path, paper_id: str) -> ScholarEnrichment | None:
    return read_enrichment(data, paper_id).scholar


def _run(data: Path, settings: ScholarSettings, lookup: ScriptedLookup, **kw: object):  # type: ignore[no-untyped-def]
    return enrich_scholar(data, settings, lookup=lookup, now=lambda: NOW, **kw)  # type: ignore[arg-type]


# ---- through the real worker and scholarly's parser ----------------------------------------------


def test_match_and_no_match_are_stored_from_real_pages(
    tmp_path: Path, scholar: FakeScholar
) -> None:
    near_miss = "Tidal Decoding for Speculative Serving"
    scholar.routes[TIDAL] = Route(page="results_tidal.html")
    scholar.routes[near_miss] = Route(page="results_tidal.html")
    data = write_data(
        tmp_path,
        {"tidal": TIDAL, "near-miss": near_miss, "nothing": "Qwxzv Plorbic", "untitled": None},
    )
    lines: list[str] = []
    report = enrich_scholar(data, scholar.settings(), echo=lines.append, now=lambda: NOW)

    assert report.matched == ["tidal"] and sorted(report.no_match) == ["near-miss", "nothing"]
    assert report.skipped == {"untitled": "no title in the record to search for"}
    assert report.lookups == 3 and len(scholar.requests) == 3
    match = _stored(data, "tidal")
    assert match == ScholarEnrichment(
        status="match",
        query=TIDAL,
        citations=42,
        venue="arXiv preprint arXiv:2511.04321",
        year=2025,
        pub_url="https://arxiv.org/abs/2511.04321",
        eprint_url="https://arxiv.org/pdf/2511.04321",
        scholar_url="https://scholar.google.com/scholar?cites=12938823761234567891&as_sdt=2005&sciodt=0,5&hl=en",
        authors=["M Okafor", "L Chen", "R Varga", "S Ito"],
        matched_title=TIDAL,
        similarity=100.0,
        fetched=NOW,
    )
    # the best candidate is kept for review, marked as not confident
    miss = _stored(data, "near-miss")
    assert miss is not None and miss.status == "no-match" and miss.matched_title == TIDAL
    assert miss.similarity is not None and miss.similarity < 90
    empty = _stored(data, "nothing")
    assert empty is not None and empty.status == "no-match" and empty.matched_title is None
    assert any(line.startswith("tidal: match, 42 citations") for line in lines)
    # what was written validates as part of the collection
    collection = load_collection(data)
    assert collection.papers["tidal"].enrichment is not None
    text = (data / "enrichment" / "tidal.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schemas/enrichment.schema.json\n")
    assert "fetched: 2026-11-28 12:00:00+00:00" in text


def test_hostile_page_keeps_text_as_text_and_drops_non_http_links(
    tmp_path: Path, scholar: FakeScholar
) -> None:
    title = "Gradient <script>alert(1)</script> Checkpointing Revisited"
    scholar.routes[title] = Route(page="results_hostile.html")
    data = write_data(tmp_path, {"hostile": title})
    enrich_scholar(data, scholar.settings(), now=lambda: NOW)
    stored = _stored(data, "hostile")
    assert stored is not None and stored.status == "match"
    assert stored.matched_title == title  # escaping is the renderer's job, once
    assert stored.venue == "Journal of <b>Bold</b> Claims"
    # javascript: and data: links are dropped; the zero-width space is removed
    assert (stored.pub_url, stored.eprint_url) == (None, None)
    assert stored.scholar_url is not None and stored.scholar_url.startswith(
        "https://scholar.google.com/scholar?"
    )
    assert stored.authors == ["E Mallory", "T DropTable"]


def test_breaker_stops_a_blocked_run_and_reports_what_it_skipped(
    tmp_path: Path, scholar: FakeScholar
) -> None:
    scholar.default = Route(page="captcha.html")
    data = write_data(tmp_path, {f"paper-{i}": f"Some Paper Number {i}" for i in range(5)})
    report = enrich_scholar(data, scholar.settings(max_blocks_in_row=2), now=lambda: NOW)
    assert report.lookups == 2 and len(scholar.requests) == 2
    assert sorted(report.failed) == ["paper-0", "paper-1"]
    assert all("CAPTCHA" in reason for reason in report.failed.values())
    assert report.not_reached == ["paper-2", "paper-3", "paper-4"]
    assert report.stopped is not None and "in a row" in report.stopped
    summary = "\n".join(report.summary_lines())
    assert "not looked up (stopped): paper-2, paper-3, paper-4" in summary
    # the failures are recorded (so a reviewer sees them) but never count as fresh
    failed = _stored(data, "paper-0")
    assert (
        failed is not None
        and failed.status == "error"
        and failed.error
        and "CAPTCHA" in failed.error
    )
    assert _stored(data, "paper-2") is None


# ---- orchestration, with a scripted stand-in for the worker --------------------------------------


def test_breaker_counts_only_consecutive_failures(tmp_path: Path) -> None:
    titles = {f"p{i}": f"Paper Title Number {i}" for i in range(6)}
    data = write_data(tmp_path, titles)
    lookup = ScriptedLookup(
        answers={
            "Paper Title Number 0": BLOCKED,
            "Paper Title Number 2": BLOCKED,
            "Paper Title Number 3": BLOCKED,
        },
    )
    report = _run(data, ScholarSettings(delay_s=0, max_blocks_in_row=2), lookup)
    # p0 fails, p1 answers (reset), p2 and p3 fail in a row: stop before p4
    assert lookup.calls == [titles[f"p{i}"] for i in range(4)]
    assert report.not_reached == ["p4", "p5"]


def test_lookups_without_an_answer_are_not_counted_as_made(tmp_path: Path) -> None:
    data = write_data(tmp_path, {f"p{i}": f"Paper Title Number {i}" for i in range(4)})
    killed = LookupResult(
        "blocked", reason="no answer within the 45 s deadline; the lookup was killed", reached=False
    )
    lookup = ScriptedLookup(answers={"Paper Title Number 1": killed})
    lines: list[str] = []

    report = _run(data, FAST, lookup, echo=lines.append)

    assert len(lookup.calls) == 4 and report.lookups == 3 and report.unanswered == 1
    assert "failed p1: no answer within the 45 s deadline; the lookup was killed" in (
        report.summary_lines()
    )
    assert "1 call got no answer from Scholar (unreachable or timed out); not counted as made" in (
        report.summary_lines()
    )
    assert lines[1] == "p1: failed: no answer within the 45 s deadline; the lookup was killed [2/4]"


def test_the_run_time_limit_stops_new_lookups(tmp_path: Path) -> None:
    data = write_data(tmp_path, {f"p{i}": f"Paper Title Number {i}" for i in range(4)})
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    report = _run(
        data,
        ScholarSettings(delay_s=10, time_limit_s=25),
        ScriptedLookup(),
        sleep=sleep,
        rand=lambda: 0.0,
        clock=lambda: clock[0],
    )

    assert report.lookups == 3 and report.not_reached == ["p3"]
    assert report.stopped == "the run's time limit of 25 s is reached"


def test_a_failure_never_replaces_an_earlier_answer(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"tidal": TIDAL})
    _run(data, FAST, ScriptedLookup(default=answer(TIDAL_CANDIDATE)))
    before = (data / "enrichment" / "tidal.yaml").read_bytes()
    report = _run(data, ScholarSettings(delay_s=0, refresh=True), ScriptedLookup(default=BLOCKED))
    assert "tidal" in report.failed
    assert (data / "enrichment" / "tidal.yaml").read_bytes() == before


def test_results_are_saved_as_they_arrive(tmp_path: Path) -> None:
    data = write_data(
        tmp_path, {"a": "First Paper Title", "b": "Second Paper Title", "c": "Third Paper Title"}
    )

    class Interrupted(ScriptedLookup):
        def __call__(self, title: str):  # type: ignore[no-untyped-def]
            if len(self.calls) == 2:
                raise KeyboardInterrupt
            return super().__call__(title)

    with pytest.raises(KeyboardInterrupt):
        _run(data, FAST, Interrupted())
    assert _stored(data, "a") is not None and _stored(data, "b") is not None
    assert _stored(data, "c") is None


def test_lookups_are_paced(tmp_path: Path) -> None:
    data = write_data(tmp_path, {f"p{i}": f"Paper Title Number {i}" for i in range(3)})
    pauses: list[float] = []
    _run(
        data, ScholarSettings(delay_s=8.0), ScriptedLookup(), sleep=pauses.append, rand=lambda: 0.5
    )
    # a pause between lookups, none before the first: 8 s plus a quarter of it
    assert pauses == [10.0, 10.0]


def test_lookups_are_capped_and_oldest_go_first(tmp_path: Path) -> None:
    data = write_data(tmp_path, {f"p{i}": f"Paper Title Number {i}" for i in range(4)})
    old = ScholarEnrichment(
        status="no-match", query="Paper Title Number 0", fetched=NOW - timedelta(days=90)
    )
    older = ScholarEnrichment(
        status="no-match", query="Paper Title Number 1", fetched=NOW - timedelta(days=200)
    )
    save_enrichment(data, "p0", scholar=old)
    save_enrichment(data, "p1", scholar=older)
    lookup = ScriptedLookup()
    report = _run(data, ScholarSettings(delay_s=0, max_lookups=3), lookup)
    # never looked up first (p2, p3), then the oldest answer (p1); p0 waits for the next run
    assert lookup.calls == ["Paper Title Number 2", "Paper Title Number 3", "Paper Title Number 1"]
    assert report.over_limit == ["p0"]
    assert "not looked up (over --max-lookups): p0" in report.summary_lines()


def test_recent_answers_are_skipped_unless_refresh_or_a_new_title(tmp_path: Path) -> None:
    data = write_data(
        tmp_path,
        {"fresh": "Fresh Paper Title", "stale": "Stale Paper Title", "renamed": "New Title"},
    )
    save_enrichment(
        data,
        "fresh",
        scholar=ScholarEnrichment(
            status="match", query="Fresh Paper Title", fetched=NOW - timedelta(days=3)
        ),
    )
    save_enrichment(
        data,
        "stale",
        scholar=ScholarEnrichment(
            status="match", query="Stale Paper Title", fetched=NOW - timedelta(days=31)
        ),
    )
    save_enrichment(
        data,
        "renamed",
        scholar=ScholarEnrichment(
            status="match", query="Old Title", fetched=NOW - timedelta(days=1)
        ),
    )
    lookup = ScriptedLookup()
    report = _run(data, ScholarSettings(delay_s=0, max_age_days=30), lookup)
    assert report.fresh == ["fresh"]
    assert sorted(lookup.calls) == ["New Title", "Stale Paper Title"]

    lookup = ScriptedLookup()
    report = _run(data, ScholarSettings(delay_s=0, max_age_days=30, refresh=True), lookup)
    assert report.fresh == [] and len(lookup.calls) == 3


def test_errors_are_retried_on_the_next_run(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"p": "Paper Title"})
    _run(data, FAST, ScriptedLookup(default=BLOCKED))
    first = (data / "enrichment" / "p.yaml").read_bytes()
    # failing again later leaves the committed file alone (no churn)
    later = NOW + timedelta(days=7)
    enrich_scholar(data, FAST, lookup=ScriptedLookup(default=BLOCKED), now=lambda: later)
    assert (data / "enrichment" / "p.yaml").read_bytes() == first
    lookup = ScriptedLookup()
    report = _run(data, FAST, lookup)
    assert lookup.calls == ["Paper Title"] and report.fresh == []


def test_only_and_shard_select_papers(tmp_path: Path) -> None:
    data = write_data(tmp_path, {f"p{i}": f"Paper Title Number {i}" for i in range(8)})
    lookup = ScriptedLookup()
    _run(data, ScholarSettings(delay_s=0, only=("p3", "p1", "p3")), lookup)
    assert lookup.calls == ["Paper Title Number 3", "Paper Title Number 1"]
    with pytest.raises(ConfigError, match="nope"):
        _run(data, ScholarSettings(only=("nope",)), ScriptedLookup())
    seen: list[str] = []
    for index in (1, 2, 3):
        lookup = ScriptedLookup()
        _run(data, ScholarSettings(delay_s=0, refresh=True, shard=(index, 3)), lookup)
        seen += lookup.calls
    assert sorted(seen) == sorted(f"Paper Title Number {i}" for i in range(8))


def test_best_candidate_needs_the_threshold() -> None:
    assert title_similarity(TIDAL, TIDAL.upper().replace(":", " -")) == 100.0
    assert title_similarity("Short", "") == 0.0
    assert title_similarity(TIDAL, "Tidal Decoding for Speculative Serving") < 90


def test_threshold_decides_match_or_no_match(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"p": "Fast Block Diffusion Decoding for Large Language Models"})
    close = Candidate(title="Fast block-diffusion decoding for large language model", citations=3)
    _run(data, ScholarSettings(delay_s=0, threshold=90), ScriptedLookup(default=answer(close)))
    assert _stored(data, "p").status == "match"  # type: ignore[union-attr]
    _run(
        data,
        ScholarSettings(delay_s=0, threshold=99.5, refresh=True),
        ScriptedLookup(default=answer(close)),
    )
    stored = _stored(data, "p")
    assert stored is not None and stored.status == "no-match" and stored.citations == 3


def test_stored_yaml_round_trips(tmp_path: Path) -> None:
    data = write_data(tmp_path, {"tidal": TIDAL})
    _run(data, FAST, ScriptedLookup(default=answer(TIDAL_CANDIDATE)))
    raw = yaml.safe_load((data / "enrichment" / "tidal.yaml").read_text(encoding="utf-8"))
    assert raw["scholar"]["status"] == "match" and raw["scholar"]["citations"] == 42
    assert ScholarEnrichment.model_validate(raw["scholar"], strict=False).fetched == NOW
