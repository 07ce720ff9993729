"""The Semantic Scholar client against a fake Graph API batch endpoint."""

from __future__ import annotations

from datetime import date

import pytest
from loopback import Reply
from metadata_fakes import FAST_DLLM_S2, FakeClock, S2Entry, services

from generator.enrich.calls import CallMeter
from generator.enrich.sources.semantic_scholar import (
    FIELDS,
    S2Access,
    S2Failure,
    paper_from_json,
)
from generator.errors import ConfigError

KEY = "s2-CANARY-5c1e0f9a7b3d"


def meter(clock: FakeClock) -> CallMeter:
    return CallMeter(clock=clock, sleep=clock.sleep, max_unanswered_in_row=3)


def test_a_batch_answer_is_read_in_order_with_null_for_unknown_ids() -> None:
    with services() as svc:
        svc.s2.papers["ARXIV:2509.26328"] = FAST_DLLM_S2
        answer = svc.s2_client().fetch_batch(
            ["ARXIV:2509.26328", "ARXIV:2509.99999"], meter(svc.clock)
        )
        body, path = svc.s2.bodies[0], svc.s2.paths[0]
    assert body == {"ids": ["ARXIV:2509.26328", "ARXIV:2509.99999"]}
    assert path.startswith("/graph/v1/paper/batch?fields=")
    assert "citationCount" in FIELDS and "externalIds" in FIELDS and "openAccessPdf" in FIELDS
    assert answer["ARXIV:2509.99999"] is None
    paper = answer["ARXIV:2509.26328"]
    assert paper is not None
    assert paper.venue == "International Conference on Learning Representations"
    assert paper.venue_type == "conference" and paper.published_venue is not None
    assert (paper.publication_date, paper.year, paper.citations) == (date(2025, 9, 30), 2025, 31)
    assert (paper.arxiv, paper.dblp) == ("2509.26328", "journals/corr/abs-2509-26328")
    # arXiv's own DataCite DOI names the preprint, not a publication: it is not taken
    assert paper.doi is None
    # openAccessPdf with an empty url (as the API now sends for many papers) is no link
    assert paper.open_access_pdf is None
    assert len(paper.authors) == 10


def test_nulls_everywhere_are_unknowns_not_errors() -> None:
    paper = paper_from_json(
        {
            "paperId": "abc",
            "externalIds": None,
            "title": "A paper",
            "venue": "",
            "publicationVenue": None,
            "year": None,
            "citationCount": None,
            "openAccessPdf": None,
            "publicationDate": None,
            "authors": [{"authorId": None, "name": "Ada Example"}, {"name": None}],
        }
    )
    assert paper is not None
    assert paper.venue is None and paper.publication_venue is None and paper.published_venue is None
    assert (paper.year, paper.citations, paper.doi, paper.arxiv) == (None, None, None, None)
    assert paper.authors == ("Ada Example",)
    assert paper_from_json(None) is None and paper_from_json("junk") is None


def test_a_preprint_server_is_not_a_venue_and_a_journal_doi_is_kept() -> None:
    entry = S2Entry(
        title="X",
        venue="arXiv.org",
        external_ids={"DOI": "10.1145/3600006.3613165"},
        open_access_pdf={"url": "https://example.org/x.pdf", "status": "GREEN"},
    )
    paper = paper_from_json(entry.to_json())
    assert paper is not None and paper.published_venue is None
    assert paper.doi == "10.1145/3600006.3613165"
    assert paper.open_access_pdf == "https://example.org/x.pdf"


def test_without_a_key_requests_are_three_seconds_apart_with_one_one() -> None:
    with services() as svc:
        plain = svc.s2_client()
        plain.fetch_batch(["ARXIV:1"], meter(svc.clock))
        plain.fetch_batch(["ARXIV:2"], meter(svc.clock))
        keyed = svc.s2_client(api_key=KEY)
        keyed.fetch_batch(["ARXIV:3"], meter(svc.clock))
        keyed.fetch_batch(["ARXIV:4"], meter(svc.clock))
        times, headers = svc.s2.times, svc.s2.headers
    assert times[1] - times[0] == 3.0 and times[3] - times[2] == 1.0
    assert "x-api-key" not in headers[0] and headers[2]["x-api-key"] == KEY


def test_429_waits_for_retry_after_then_answers() -> None:
    with services() as svc:
        svc.s2.papers["ARXIV:2509.26328"] = FAST_DLLM_S2
        svc.s2.script.append(
            Reply(status=429, body={"message": "Too Many Requests"}, headers={"Retry-After": "30"})
        )
        answer = svc.s2_client().fetch_batch(["ARXIV:2509.26328"], meter(svc.clock))
        times = svc.s2.times
    assert answer["ARXIV:2509.26328"] is not None
    assert times[1] - times[0] == 30


def test_a_refused_key_says_so_without_showing_it() -> None:
    with services() as svc:
        svc.s2.script.append(Reply(status=403, body={"message": f"Forbidden for key {KEY}"}))
        with pytest.raises(S2Failure) as raised:
            svc.s2_client(api_key=KEY).fetch_batch(["ARXIV:1"], meter(svc.clock))
    message = str(raised.value)
    assert "HTTP 403" in message and "check S2_API_KEY" in message
    assert KEY not in message and "[redacted]" in message


@pytest.mark.parametrize(
    "body",
    [{"error": "not a list"}, [None, None], "<html>maintenance</html>"],
    ids=["object", "wrong-length", "html"],
)
def test_an_answer_of_the_wrong_shape_is_a_failure(body: object) -> None:
    with services() as svc:
        svc.s2.script.append(Reply(body=body))
        with pytest.raises(S2Failure):
            svc.s2_client().fetch_batch(["ARXIV:1"], meter(svc.clock))


def test_settings_come_from_the_environment() -> None:
    access = S2Access.from_env(
        {"PAPERBRIEF_S2_URL": "http://mirror.example/graph/v1/", "S2_API_KEY": " k "}
    )
    assert (access.base_url, access.api_key) == ("http://mirror.example/graph/v1", "k")
    assert S2Access.from_env({}).api_key is None
    with pytest.raises(ConfigError, match="PAPERBRIEF_S2_URL must start with http"):
        S2Access.from_env({"PAPERBRIEF_S2_URL": "ftp://x"})
    assert KEY not in repr(S2Access("http://x", KEY))
