"""The arXiv client against a fake arXiv speaking the Atom API: parsing, errors, retries, pacing."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from loopback import Reply
from metadata_fakes import FAST_DLLM, OLD_STYLE, ArxivPaper, FakeClock, services

from generator.enrich.calls import CallMeter, CircuitOpen, DeadlineReached
from generator.enrich.sources.arxiv import ArxivFailure, bare_id, title_query


def meter(clock: FakeClock, **options: object) -> CallMeter:
    return CallMeter(clock=clock, sleep=clock.sleep, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("on_root", [False, True], ids=["ns-on-elements", "ns-on-root"])
def test_an_entry_is_read_whole_and_cleaned(on_root: bool) -> None:
    with services() as svc:
        svc.arxiv.add(FAST_DLLM)
        svc.arxiv.namespaces_on_root = on_root
        answer = svc.arxiv_client().fetch_ids(["2509.26328"], meter(svc.clock))
    entry = answer.entries["2509.26328"]
    # the feed wraps the title and the summary over several lines: both come back as one line
    assert entry.title == "Fast-dLLM v2: Efficient Block-Diffusion LLM"
    assert entry.abstract is not None and "\n" not in entry.abstract and "  " not in entry.abstract
    assert entry.abstract.startswith("Autoregressive (AR) large language models (LLMs) have")
    assert entry.authors == tuple(FAST_DLLM.authors)
    assert (entry.arxiv_id, entry.version, entry.versioned_id) == ("2509.26328", 2, "2509.26328v2")
    # published is the first version's date, updated the latest version's
    assert (entry.published, entry.updated) == (date(2025, 9, 30), date(2025, 10, 2))
    assert entry.primary_category == "cs.CL" and entry.categories == ("cs.CL", "cs.AI")
    assert entry.comment == "Technical report; 12 pages, 5 figures"
    assert entry.journal_ref == "ICLR 2026"
    # the PDF link is made https and versionless (it leads to the latest version)
    assert entry.pdf_url == "https://arxiv.org/pdf/2509.26328"
    assert answer.unknown == {}


def test_many_ids_go_in_one_request_and_versions_and_old_ids_are_understood() -> None:
    with services() as svc:
        svc.arxiv.add(FAST_DLLM, OLD_STYLE)
        answer = svc.arxiv_client().fetch_ids(
            ["2509.26328v1", "hep-th/9901001", "2509.99999"], meter(svc.clock)
        )
        requests = svc.arxiv.requests
    assert len(requests) == 1
    assert requests[0]["id_list"] == ["2509.26328v1,hep-th/9901001,2509.99999"]
    assert requests[0]["max_results"] == ["3"]
    assert set(answer.entries) == {"2509.26328", "hep-th/9901001"}
    old = answer.entries["hep-th/9901001"]
    assert old.doi == "10.1016/S0550-3213(99)00001-2" and old.primary_category == "hep-th"
    assert old.pdf_url == "https://arxiv.org/pdf/hep-th/9901001"
    # an id arXiv does not know is not an error: it is named as unknown
    assert answer.unknown == {"2509.99999": "arXiv has no paper with the id 2509.99999"}


def test_a_malformed_id_is_refused_before_asking() -> None:
    with services() as svc:
        with pytest.raises(ValueError, match=r"not arXiv ids: 2509\.26328 junk"):
            svc.arxiv_client().fetch_ids(["2509.26328 junk"], meter(svc.clock))
        assert svc.arxiv.requests == []


def test_arxivs_error_entry_for_a_malformed_id_is_reported() -> None:
    # the client checks ids itself; a server that still refuses one answers 400 with an entry
    with services() as svc:
        svc.arxiv.script.append(
            Reply(
                status=400,
                body=svc.arxiv._by_ids(["1234.bad"], "id_list=1234.bad").body,
            )
        )
        with pytest.raises(ArxivFailure, match=r"incorrect id format for 1234\.bad"):
            svc.arxiv_client().fetch_ids(["2509.26328"], meter(svc.clock))


@pytest.mark.parametrize(
    "body",
    [
        "<html><body><h1>Service temporarily unavailable</h1></body></html>",
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><title>cut',
        "",
    ],
    ids=["html-page", "cut-feed", "empty"],
)
def test_a_malformed_feed_is_a_failure_not_an_empty_answer(body: str) -> None:
    with services() as svc:
        svc.arxiv.add(FAST_DLLM)
        svc.arxiv.script.append(Reply(body=body))
        with pytest.raises(ArxivFailure, match="not a readable Atom feed"):
            svc.arxiv_client().fetch_ids(["2509.26328"], meter(svc.clock))


def test_503_and_429_are_retried_after_retry_after() -> None:
    with services() as svc:
        svc.arxiv.add(FAST_DLLM)
        svc.arxiv.script += [
            Reply(status=503, body="busy", headers={"Retry-After": "20"}),
            Reply(status=429, body="slow down", headers={"Retry-After": "7"}),
        ]
        counter = meter(svc.clock)
        answer = svc.arxiv_client().fetch_ids(["2509.26328"], counter)
        times = svc.arxiv.times
    assert "2509.26328" in answer.entries
    assert counter.calls == 3
    # each retry waited what Retry-After asked, and never less than arXiv's 3 s
    assert [later - earlier for earlier, later in itertools.pairwise(times)] == [20, 7]


def test_a_retry_after_longer_than_the_wait_cap_gives_up_and_says_when() -> None:
    with services() as svc:
        svc.arxiv.script.append(Reply(status=503, body="", headers={"Retry-After": "3600"}))
        with pytest.raises(ArxivFailure, match="asks to wait 3600 s"):
            svc.arxiv_client().fetch_ids(["2509.26328"], meter(svc.clock))
        assert len(svc.arxiv.requests) == 1


def test_a_lasting_503_fails_after_the_attempts() -> None:
    with services() as svc:
        svc.arxiv.script += [Reply(status=503, body="down")] * 3
        with pytest.raises(ArxivFailure, match=r"HTTP 503: down \(gave up after 3 attempts\)"):
            svc.arxiv_client().fetch_ids(["2509.26328"], meter(svc.clock))


def test_requests_are_three_seconds_apart_whoever_sends_them() -> None:
    with services() as svc:
        svc.arxiv.add(FAST_DLLM, OLD_STYLE)
        client = svc.arxiv_client()
        # two meters (two runs) share the client: the interval holds across them
        client.fetch_ids(["2509.26328"], meter(svc.clock))
        client.search_title(OLD_STYLE.title, meter(svc.clock))
        client.fetch_ids(["hep-th/9901001"], meter(svc.clock))
        times = svc.arxiv.times
    assert [b - a for a, b in itertools.pairwise(times)] == [3.0, 3.0]


def test_a_hang_past_the_deadline_is_no_answer_and_stops_the_run() -> None:
    # real time: the fake holds the request; the client waits at most the run's time left
    with services() as svc:
        svc.arxiv.script.append(Reply(hold=svc.release))
        client = svc.arxiv_client(clock=__import__("time").monotonic, sleep=lambda s: None)
        counter = CallMeter(time_limit_s=0.5, max_unanswered_in_row=3)
        with pytest.raises(DeadlineReached):
            client.fetch_ids(["2509.26328"], counter)
    assert counter.unanswered == 1 and counter.calls == 0


def test_an_unreachable_arxiv_opens_the_breaker() -> None:
    with services() as svc:
        client = svc.arxiv_client()
    # the fake has stopped: every attempt is refused
    counter = meter(svc.clock, max_unanswered_in_row=3, service="arXiv")
    with pytest.raises(ArxivFailure, match=r"Connection refused \(gave up after 3 attempts\)"):
        client.fetch_ids(["2509.26328"], counter)
    with pytest.raises(CircuitOpen, match="3 calls in a row got no answer from arXiv"):
        client.fetch_ids(["2509.26328"], counter)
    assert counter.calls == 0 and counter.unanswered == 3


def test_title_search_is_a_phrase_without_punctuation() -> None:
    assert title_query('Fast-dLLM v2: "Efficient" Block-Diffusion LLM') == (
        'ti:"Fast dLLM v2 Efficient Block Diffusion LLM"'
    )
    with services() as svc:
        svc.arxiv.add(FAST_DLLM, ArxivPaper("2510.00001", "Something else", ["A B"], "x."))
        found = svc.arxiv_client().search_title(FAST_DLLM.title, meter(svc.clock))
    assert [e.arxiv_id for e in found] == ["2509.26328"]


@pytest.mark.parametrize(
    ("given", "bare"),
    [
        ("2509.26328v2", "2509.26328"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("0704.0001", "0704.0001"),
    ],
)
def test_bare_id(given: str, bare: str) -> None:
    assert bare_id(given) == bare
