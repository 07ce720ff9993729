"""enrich --metadata against fake arXiv and Semantic Scholar: fills, flags, cache, failures, pacing."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from loopback import Reply
from metadata_fakes import (
    FAST_DLLM,
    FAST_DLLM_S2,
    OLD_STYLE,
    ArxivPaper,
    FakeClock,
    Services,
    services,
    write_paper,
)

from generator.cli import main
from generator.enrich.metadata import MetadataRunReport, MetadataSettings, enrich_metadata
from generator.records.load import load_collection

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
FAST = "Fast-dLLM v2: Efficient Block-Diffusion LLM"


def run(
    data: Path, svc: Services, lines: list[str] | None = None, **options: Any
) -> MetadataRunReport:
    """Run enrich --metadata against the fakes on the fake clock."""
    return enrich_metadata(
        data,
        MetadataSettings(**options),
        arxiv=svc.arxiv_client(),
        s2=svc.s2_client(),
        echo=(lines if lines is not None else []).append,
        now=lambda: NOW,
        clock=svc.clock,
        sleep=svc.clock.sleep,
    )


def record(path: Path) -> dict[str, Any]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def enrichment(data: Path, paper_id: str) -> dict[str, Any]:
    return record(data / "enrichment" / f"{paper_id}.yaml")


@pytest.fixture
def svc() -> Any:
    with services() as started:
        started.arxiv.add(FAST_DLLM, OLD_STYLE)
        started.s2.papers["ARXIV:2509.26328"] = FAST_DLLM_S2
        yield started


def test_missing_fields_are_filled_and_the_answers_kept_with_provenance(
    data_dir: Path, svc: Services
) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    lines: list[str] = []
    report = run(data_dir, svc, lines)

    filled = record(path)
    assert filled["authors"] == FAST_DLLM.authors
    assert filled["abstract"].startswith("Autoregressive (AR) large language models")
    assert (filled["published"], filled["year"]) == (date(2025, 9, 30), 2025)
    assert filled["arxiv_category"] == "cs.CL"
    assert filled["links"] == {"arxiv": "2509.26328", "pdf": "https://arxiv.org/pdf/2509.26328"}
    assert filled["institutions"] == ["The University of Hong Kong"]  # untouched
    # a venue is never filled: both services' venues become suggestions under review:
    assert "venue" not in filled and "venue_status" not in filled
    assert [r.split(":")[0] for r in filled["review"]] == ["venue", "venue"]
    assert "journal reference for 2509.26328v2 says 'ICLR 2026'" in filled["review"][0]

    meta = enrichment(data_dir, "fast-dllm-v2")["metadata"]
    arxiv, s2 = meta["arxiv"], meta["semantic_scholar"]
    assert (arxiv["status"], arxiv["input"], arxiv["by"]) == ("found", "2509.26328", "id")
    assert arxiv["source"] == svc.arxiv_url and arxiv["fetched"] == NOW
    assert arxiv["input_hash"].startswith("sha256:")
    assert (s2["status"], s2["input"], s2["citations"]) == ("found", "ARXIV:2509.26328", 31)
    assert {f["name"] for f in meta["filled"]} == {
        "authors",
        "abstract",
        "published",
        "year",
        "arxiv_category",
        "links.pdf",
    }
    assert all(f["source"] == "arXiv" for f in meta["filled"])
    assert meta["flags"] == filled["review"]
    # the filled record is valid, and the site sees the stored answers
    paper = load_collection(data_dir).papers["fast-dllm-v2"]
    assert paper.enrichment is not None and paper.enrichment.metadata is not None
    assert report.calls == 2 and report.fields_filled == 6
    assert (
        "fast-dllm-v2: filled authors, abstract, published, arxiv_category, links.pdf, year (from arXiv)"
        in lines
    )


def test_a_second_run_asks_nothing_and_changes_nothing(data_dir: Path, svc: Services) -> None:
    write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    run(data_dir, svc)
    files = {p: p.read_bytes() for p in sorted(data_dir.rglob("*.yaml"))}
    asked = (len(svc.arxiv.requests), len(svc.s2.bodies))

    report = run(data_dir, svc)

    assert (len(svc.arxiv.requests), len(svc.s2.bodies)) == asked
    assert report.calls == 0 and report.fields_filled == 0
    assert {p: p.read_bytes() for p in sorted(data_dir.rglob("*.yaml"))} == files
    assert report.arxiv.current == ["fast-dllm-v2"] and report.s2.current == ["fast-dllm-v2"]


def test_a_persons_values_are_never_replaced_and_disagreements_are_flagged(
    data_dir: Path, svc: Services
) -> None:
    mine = ["Chengyue Wu", "Hao Zhang"]
    path = write_paper(
        data_dir,
        "fast-dllm-v2",
        FAST,
        authors=mine,
        published="2025-10-01",
        abstract="Our own abstract.",
        links={"arxiv": "2509.26328"},
    )
    run(data_dir, svc)
    after = record(path)
    assert after["authors"] == mine and after["published"] == date(2025, 10, 1)
    assert after["abstract"] == "Our own abstract."
    flags = [r for r in after["review"] if not r.startswith("venue:")]
    assert flags == [
        "authors: arXiv 2509.26328v2 lists 10 (Chengyue Wu … Enze Xie), the record 2; check them",
        "published: arXiv 2509.26328v2 dates its first version 2025-09-30, the record"
        " 2025-10-01; check it",
    ]
    # what was missing is still filled: the category, the PDF link, the year (of the record's date)
    assert after["arxiv_category"] == "cs.CL" and after["year"] == 2025


def test_a_title_that_differs_is_flagged_and_nothing_changes(data_dir: Path, svc: Services) -> None:
    path = write_paper(
        data_dir, "wrong-id", "Speculative Decoding for Tiny Models", links={"arxiv": "2509.26328"}
    )
    lines: list[str] = []
    run(data_dir, svc, lines)
    after = record(path)
    flag = (
        "title: arXiv 2509.26328v2 is titled 'Fast-dLLM v2: Efficient Block-Diffusion LLM', the"
        " record says 'Speculative Decoding for Tiny Models'; check links.arxiv and the title"
        " (nothing was filled from arXiv)"
    )
    assert after["review"][0] == flag
    assert f"wrong-id: flagged for review: {flag}" in lines
    # no field came from either answer: only the flags were added
    assert {k: v for k, v in after.items() if k != "review"} == {
        "title": "Speculative Decoding for Tiny Models",
        "institutions": ["The University of Hong Kong"],
        "techniques": ["quantization"],
        "added": date(2025, 10, 15),
        "links": {"arxiv": "2509.26328"},
    }
    assert enrichment(data_dir, "wrong-id")["metadata"].get("filled") is None


def test_a_failed_lookup_leaves_the_record_untouched_and_says_why(
    data_dir: Path, svc: Services
) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    before = path.read_bytes()
    svc.arxiv.script += [Reply(status=503, body="Service Unavailable")] * 3
    svc.s2.script += [Reply(status=500, body={"message": "Internal error"})] * 3

    report = run(data_dir, svc)

    assert path.read_bytes() == before
    lines = report.summary_lines()
    assert (
        "failed fast-dllm-v2 (arXiv): arXiv answered HTTP 503: Service Unavailable"
        " (gave up after 3 attempts); the record is unchanged"
    ) in lines
    assert any(
        line.startswith(
            "failed fast-dllm-v2 (Semantic Scholar): Semantic Scholar answered HTTP 500"
        )
        for line in lines
    )
    assert "run the same command later to ask only for what is missing" in lines
    stored = enrichment(data_dir, "fast-dllm-v2")["metadata"]["arxiv"]
    assert stored["status"] == "error" and "HTTP 503" in stored["error"]

    # the next run asks again (a failure is not an answer) and fills the record
    run(data_dir, svc)
    assert record(path)["authors"] == FAST_DLLM.authors


def test_a_failure_never_replaces_a_stored_answer(data_dir: Path, svc: Services) -> None:
    write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    run(data_dir, svc)
    stored = enrichment(data_dir, "fast-dllm-v2")["metadata"]
    svc.arxiv.script += [Reply(status=503, body="down")] * 3
    svc.s2.script += [Reply(status=503, body="down")] * 3

    report = run(data_dir, svc, refresh=True)

    assert set(report.arxiv.failed) == {"fast-dllm-v2"}
    assert enrichment(data_dir, "fast-dllm-v2")["metadata"] == stored


def test_an_unknown_id_is_flagged_not_guessed(data_dir: Path, svc: Services) -> None:
    path = write_paper(data_dir, "ghost", "A Paper arXiv Never Had", links={"arxiv": "2509.99999"})
    run(data_dir, svc)
    after = record(path)
    assert after["review"] == [
        "links.arxiv: arXiv has no paper with the id 2509.99999; check the id"
    ]
    assert enrichment(data_dir, "ghost")["metadata"]["arxiv"]["status"] == "not-found"


def test_a_malformed_feed_fails_the_batch_and_changes_no_record(
    data_dir: Path, svc: Services
) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    before = path.read_bytes()
    del svc.s2.papers["ARXIV:2509.26328"]  # Semantic Scholar's venue would be flagged
    svc.arxiv.script.append(Reply(body="<html><body>Rate exceeded.</body></html>"))
    report = run(data_dir, svc)
    assert path.read_bytes() == before
    assert "not a readable Atom feed" in report.arxiv.failed["fast-dllm-v2"]


def test_a_hang_past_the_deadline_stops_the_run_and_changes_nothing(data_dir: Path) -> None:
    # real time: the fake holds the request past the run's time limit
    with services() as svc:
        svc.arxiv.add(FAST_DLLM)
        svc.arxiv.script.append(Reply(hold=svc.release))
        path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
        before = path.read_bytes()
        report = enrich_metadata(
            data_dir,
            MetadataSettings(time_limit_s=0.5),
            arxiv=svc.arxiv_client(clock=time.monotonic, sleep=time.sleep),
            s2=svc.s2_client(clock=time.monotonic, sleep=time.sleep),
        )
    assert path.read_bytes() == before
    assert report.arxiv.stop == "time" and report.arxiv.not_reached == ["fast-dllm-v2"]
    lines = report.summary_lines()
    assert "stopped early (arXiv): the run's time limit of 0.5 s is reached" in lines
    assert "not asked (arXiv, stopped): fast-dllm-v2" in lines


def _numbered(data: Path, count: int) -> list[ArxivPaper]:
    papers = [
        ArxivPaper(
            f"2501.{n:05d}",
            f"Paper number {n} on sparse attention",
            ["Ada Example"],
            "An abstract.",
        )
        for n in range(1, count + 1)
    ]
    for paper in papers:
        write_paper(data, f"p{paper.arxiv_id[-3:]}", paper.title, links={"arxiv": paper.arxiv_id})
    return papers


def test_a_hundred_ids_cost_one_arxiv_request(data_dir: Path) -> None:
    papers = _numbered(data_dir, 100)
    with services(FakeClock()) as svc:
        svc.arxiv.add(*papers)
        report = run(data_dir, svc)
    assert len(svc.arxiv.requests) == 1
    assert len(svc.arxiv.requests[0]["id_list"][0].split(",")) == 100
    assert report.arxiv.calls == 1 and len(report.arxiv.answered) == 100
    # authors, abstract, published, year, category and PDF link for each
    assert report.fields_filled == 100 * 6
    assert len(svc.s2.bodies) == 1 and len(svc.s2.bodies[0]["ids"]) == 100


def test_arxiv_requests_stay_three_seconds_apart_through_batches_and_retries(
    data_dir: Path,
) -> None:
    papers = _numbered(data_dir, 12)
    with services(FakeClock()) as svc:
        svc.arxiv.add(*papers)
        svc.arxiv.script.append(Reply(status=503, body="busy", headers={"Retry-After": "1"}))
        run(data_dir, svc, arxiv_batch=5)
        times = svc.arxiv.times
    assert len(svc.arxiv.requests) == 4  # 3 batches, one of them retried
    assert [len(r["id_list"][0].split(",")) for r in svc.arxiv.requests] == [5, 5, 5, 2]
    # never two requests within 3 s of each other (the fake clock moves only by sleeping)
    assert all(later - earlier >= 3.0 for earlier, later in itertools.pairwise(times))


def test_an_exact_title_match_is_proposed_never_applied(data_dir: Path, svc: Services) -> None:
    path = write_paper(
        data_dir, "old-ids", "A note on old-style identifiers in high energy physics"
    )
    run(data_dir, svc)
    after = record(path)
    assert "links" not in after and "authors" not in after
    assert after["review"] == [
        "links.arxiv: an exact-title search on arXiv found hep-th/9901001 ('A Note on Old-Style"
        " Identifiers in High Energy Physics', first version 1999-01-01); if it is this paper,"
        ' set links.arxiv: "hep-th/9901001" and delete this line'
    ]
    assert svc.arxiv.requests[-1]["search_query"] == [
        'ti:"A note on old style identifiers in high energy physics"'
    ]
    # a person deletes the line (not this paper): a later run does not add it again
    path.write_text(path.read_text(encoding="utf-8").split("review:")[0], encoding="utf-8")
    run(data_dir, svc, refresh=True)
    assert "review" not in record(path)


def test_a_proposed_id_another_record_holds_is_called_a_duplicate(
    data_dir: Path, svc: Services
) -> None:
    write_paper(data_dir, "old", None, links={"arxiv": "hep-th/9901001"})
    path = write_paper(
        data_dir, "old-again", "A Note on Old-Style Identifiers in High Energy Physics"
    )
    run(data_dir, svc, only=("old-again",))
    (flag,) = record(path)["review"]
    assert flag.startswith("links.arxiv: an exact-title search on arXiv found hep-th/9901001")
    assert flag.endswith("the id of the record 'old': the same paper twice? Keep one record")


def test_a_field_a_person_removed_is_not_filled_again(data_dir: Path, svc: Services) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    run(data_dir, svc)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("arxiv_category: cs.CL\n", ""), encoding="utf-8")
    run(data_dir, svc, refresh=True)
    assert "arxiv_category" not in record(path)


def test_a_record_with_comments_is_not_rewritten(data_dir: Path, svc: Services) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    path.write_text(
        "# checked by hand against the PDF\n" + path.read_text(encoding="utf-8"), encoding="utf-8"
    )
    before = path.read_bytes()
    report = run(data_dir, svc)
    assert path.read_bytes() == before
    lines = report.summary_lines()
    assert (
        "not written fast-dllm-v2: it holds comments, which rewriting it would drop; by hand from"
        " its enrichment file: authors, abstract, published, arxiv_category, links.pdf, year"
    ) in lines
    assert any(
        line.startswith("  flag for fast-dllm-v2: venue: arXiv's journal reference")
        for line in lines
    )
    # the answers are kept, so the fill can be made by hand from data/enrichment
    assert enrichment(data_dir, "fast-dllm-v2")["metadata"]["arxiv"]["status"] == "found"


def test_the_command_asks_the_services_named_in_the_environment(
    data_dir: Path, svc: Services
) -> None:
    write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    write_paper(data_dir, "old", None, links={"arxiv": "hep-th/9901001"})
    result = CliRunner().invoke(
        main, ["enrich", "--metadata", "--only", "old", "--data", str(data_dir)], env=svc.env()
    )
    assert result.exit_code == 0, result.output
    assert svc.arxiv.requests[0]["id_list"] == ["hep-th/9901001"]
    assert (
        "old: filled title, authors, abstract, published, arxiv_category, links.pdf, links.doi, year (from arXiv)"
        in result.output
    )
    assert (
        "metadata: arXiv by id 1 request: 1 found, 0 not found, 0 failed, 0 current"
        in result.output
    )
    assert not (data_dir / "enrichment" / "fast-dllm-v2.yaml").exists()


def test_the_command_exits_zero_when_the_services_fail(data_dir: Path, svc: Services) -> None:
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    before = path.read_bytes()
    svc.arxiv.script.append(Reply(status=404, body="no such endpoint"))
    svc.s2.script.append(Reply(status=404, body={"error": "Not found"}))
    result = CliRunner().invoke(
        main, ["enrich", "--metadata", "--data", str(data_dir)], env=svc.env()
    )
    assert result.exit_code == 0, result.output
    assert (
        "failed fast-dllm-v2 (arXiv): arXiv refused the request (HTTP 404: no such endpoint);"
        " the record is unchanged"
    ) in result.output
    assert path.read_bytes() == before


def test_without_a_fake_the_services_are_unreachable_and_nothing_changes(data_dir: Path) -> None:
    # the test default: both services on a closed loopback port; fake time, so no real waits
    path = write_paper(data_dir, "fast-dllm-v2", FAST, links={"arxiv": "2509.26328"})
    before = path.read_bytes()
    clock = FakeClock()
    report = enrich_metadata(
        data_dir, MetadataSettings.from_env(), clock=clock, sleep=clock.sleep, now=lambda: NOW
    )
    assert path.read_bytes() == before
    assert "Connection refused" in report.arxiv.failed["fast-dllm-v2"]
    assert report.calls == 0 and report.arxiv.unanswered == 3
