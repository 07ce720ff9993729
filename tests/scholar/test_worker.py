"""scholarly's own parsing on saved Scholar pages, served on 127.0.0.1, inside the worker."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable

import pytest
from scholar_fakes import TIDAL, FakeScholar, Route

from generator.enrich.sources.scholar.lookup import SubprocessLookup, WorkerConfig


def _lookup(scholar: FakeScholar, **kw: float) -> SubprocessLookup:
    timeout = kw.pop("request_timeout", 20.0)
    return SubprocessLookup(WorkerConfig(endpoint=scholar.url, request_timeout=timeout), **kw)


def test_result_page_is_parsed_by_scholarly(scholar: FakeScholar) -> None:
    scholar.routes[TIDAL] = Route(page="results_tidal.html")
    with _lookup(scholar) as lookup:
        result = lookup(TIDAL)
    assert result.kind == "answer"
    first, second, third = result.candidates
    assert first.title == TIDAL
    assert first.authors == ("M Okafor", "L Chen", "R Varga", "S Ito")
    assert not first.authors_truncated
    assert (first.venue, first.year, first.citations) == (
        "arXiv preprint arXiv:2511.04321",
        "2025",
        42,
    )
    assert first.pub_url == "https://arxiv.org/abs/2511.04321"
    assert first.eprint_url == "https://arxiv.org/pdf/2511.04321"
    assert first.citedby_url == "/scholar?cites=12938823761234567891&as_sdt=2005&sciodt=0,5&hl=en"
    # the [HTML] marker is not part of the title; '…' after the authors means a cut list
    assert second.title == "Speculative token trees for serving large language models at scale"
    assert second.authors_truncated and second.citations == 317
    # a [CITATION] row: no link, no venue, no year
    assert (third.pub_url, third.venue, third.year, third.citations) == (None, "NA", "NA", 0)
    assert result.search_url is not None and result.search_url.startswith(
        "https://scholar.google.com/scholar?"
    )
    # one page only: the "Next" link on the page is not followed
    assert len(scholar.requests) == 1
    assert "q=Tidal%20Decoding" in scholar.requests[0]


def test_empty_answer_is_an_answer_without_candidates(scholar: FakeScholar) -> None:
    with _lookup(scholar) as lookup:
        result = lookup("Qwxzv Plorbic Hyperlattices for Nonexistent Inference")
    assert result.kind == "answer" and result.candidates == ()


@pytest.mark.parametrize(
    ("route", "kind", "words"),
    [
        (Route(page="forbidden.html", status=403), "blocked", "HTTP 403"),
        (Route(page="captcha.html", status=200), "blocked", "CAPTCHA"),
        (Route(page="captcha.html", status=429), "blocked", "HTTP 429"),
        (Route(page="forbidden.html", status=200), "error", "not a result page"),
        (Route(page=None, status=500), "error", "HTTP 500"),
    ],
)
def test_refusals_are_reported_at_once(
    scholar: FakeScholar, route: Route, kind: str, words: str
) -> None:
    scholar.default = route
    # scholarly's own loop would sleep a minute or more on a refusal, or open a browser: then
    # this deadline (generous for one local request) would kill the lookup, and the result
    # would say so instead of naming the refusal.
    with _lookup(scholar, deadline=30.0) as lookup:
        result = lookup(TIDAL)
        # the worker survives a refusal and answers the next request
        scholar.default = Route(page="results_empty.html")
        assert lookup("anything").kind == "answer"
    assert result.kind == kind and result.reached  # Scholar did answer, if unhelpfully
    assert result.reason is not None and words in result.reason
    assert "deadline" not in result.reason
    assert len(scholar.requests) == 2


def test_hanging_lookup_is_killed_at_the_deadline(scholar: FakeScholar) -> None:
    scholar.routes[TIDAL] = Route(hang=True)
    # the request itself would wait 120 s: only the lookup's deadline can end it
    with _lookup(scholar, deadline=8.0, request_timeout=120.0) as lookup:
        assert lookup("warm up").kind == "answer"
        pid = lookup.pid
        result = lookup(TIDAL)
        assert result.kind == "blocked" and not result.reached
        assert result.reason is not None and "8 s deadline" in result.reason
        assert lookup.pid is None  # killed and reaped
        # a fresh worker takes the next lookup
        assert lookup("after the hang").kind == "answer"
        assert lookup.pid not in (None, pid)


def test_worker_cannot_reach_the_internet(scholar: FakeScholar) -> None:
    """The guard really is active in the worker: a public address is refused at once."""
    with SubprocessLookup(WorkerConfig(endpoint="http://203.0.113.9")) as lookup:
        result = lookup(TIDAL)
    assert result.kind == "blocked" and not result.reached
    assert result.reason is not None and "cannot reach Scholar" in result.reason


def test_failing_proxy_stops_before_any_request(
    scholar: FakeScholar, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBRIEF_SCHOLAR_PROXY", "http://someone:s3cret-pw@203.0.113.50:3128")
    with _lookup(scholar) as lookup:
        result = lookup(TIDAL)
    assert result.kind == "blocked"
    assert result.reason is not None and "PAPERBRIEF_SCHOLAR_PROXY" in result.reason
    assert "s3cret" not in result.reason
    assert scholar.requests == []


def test_worker_dying_mid_lookup_is_an_error_and_is_replaced(scholar: FakeScholar) -> None:
    scholar.routes[TIDAL] = Route(hang=True)
    # a deadline far away: the lookup must end because the worker died, not because of it
    with _lookup(scholar, deadline=300.0) as lookup:
        assert lookup("warm up").kind == "answer"
        pid = lookup.pid
        assert pid is not None

        def kill_once_it_waits_on_the_server() -> None:
            # the worker is our own child: end it by its id once its request is at the server
            _wait_until(lambda: any("Tidal" in path for path in scholar.requests))
            os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_it_waits_on_the_server, daemon=True)
        killer.start()
        result = lookup(TIDAL)
        killer.join()
        assert result.kind == "error" and not result.reached
        assert result.reason is not None and "exited" in result.reason
        assert lookup("after the crash").kind == "answer"


def _wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the worker's request"
        time.sleep(0.01)
