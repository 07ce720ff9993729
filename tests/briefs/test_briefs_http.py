"""HTTP failures through the real SDK: retries, backoff, Retry-After, timeouts, refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest
from briefs_fakes import (
    CANARY,
    GOOD_REPLY,
    FakeMistral,
    Reply,
    add_paper,
    completion,
    local_server,
    make_client,
    sequence,
)

from generator.enrich.briefs import BriefSettings, MistralBriefClient, enrich_briefs
from generator.enrich.briefs.prompt import BriefRequest, build_messages
from generator.enrich.calls import CallMeter
from generator.enrich.sources.mistral import (
    AuthRejected,
    RequestRejected,
    ServiceError,
    retry_after_seconds,
)

REQUEST = BriefRequest("p", "T", "A 17.3% gain.", (), ())
MESSAGES = build_messages(REQUEST)


def test_429_then_success_honours_retry_after() -> None:
    fake = FakeMistral(
        sequence(
            Reply(status=429, body={"message": "slow down"}, headers={"Retry-After": "0.01"}),
            Reply(body=completion(GOOD_REPLY)),
        )
    )
    sleeps: list[float] = []
    meter = CallMeter()

    answer = make_client(fake, sleeps).ask(MESSAGES, meter)

    assert answer.reply is not None and answer.reply.result == GOOD_REPLY["result"]
    assert sleeps == [0.01] and meter.calls == 2 and fake.calls == 2


def test_retry_after_is_capped_and_backoff_is_exponential() -> None:
    fake = FakeMistral(
        sequence(
            Reply(status=429, headers={"Retry-After": "3600"}),
            Reply(status=502),
            Reply(status=500),
            Reply(body=completion(GOOD_REPLY)),
        )
    )
    sleeps: list[float] = []

    answer = make_client(fake, sleeps, backoff_s=0.5, max_wait_s=30).ask(MESSAGES, CallMeter())

    assert answer.reply is not None
    assert sleeps == [30, 1.0, 2.0]  # capped hint, then 0.5 * 2**1, 0.5 * 2**2


def test_endless_503_gives_up_after_max_attempts() -> None:
    fake = FakeMistral(sequence(Reply(status=503, body={"message": "overloaded"})))
    sleeps: list[float] = []

    with pytest.raises(ServiceError, match=r"HTTP 503.*gave up after 4 attempts"):
        make_client(fake, sleeps, backoff_s=1).ask(MESSAGES, CallMeter())

    assert fake.calls == 4 and sleeps == [1, 2, 4]


@pytest.mark.parametrize("status", [400, 422])
def test_bad_request_is_not_retried(status: int) -> None:
    fake = FakeMistral(sequence(Reply(status=status, body={"detail": "invalid model"})))
    sleeps: list[float] = []

    with pytest.raises(RequestRejected, match=f"HTTP {status}"):
        make_client(fake, sleeps).ask(MESSAGES, CallMeter())

    assert fake.calls == 1 and sleeps == []


def test_401_is_not_retried_and_names_no_key() -> None:
    fake = FakeMistral(sequence(Reply(status=401, body={"message": f"bad key {CANARY}"})))

    with pytest.raises(AuthRejected) as caught:
        make_client(fake).ask(MESSAGES, CallMeter())

    assert fake.calls == 1 and "MISTRAL_API_KEY" in str(caught.value)
    assert CANARY not in str(caught.value) and "[redacted]" in str(caught.value)


def test_network_errors_surface_as_httpx2_errors_and_are_retried() -> None:
    attempts: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        attempts.append(1)
        if len(attempts) < 3:
            raise httpx2.ConnectError(
                f"connection refused (sent {request.headers['authorization']})"
            )
        return httpx2.Response(200, json=completion(GOOD_REPLY))

    client = MistralBriefClient(
        api_key=CANARY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        sleep=lambda s: None,
    )
    assert client.ask(MESSAGES, CallMeter()).reply is not None
    assert len(attempts) == 3


def test_network_error_message_is_redacted() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError(f"refused: {request.headers['authorization']}")

    client = MistralBriefClient(
        api_key=CANARY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        sleep=lambda s: None,
        max_attempts=2,
    )
    with pytest.raises(ServiceError) as caught:
        client.ask(MESSAGES, CallMeter())
    assert "network error: ConnectError" in str(caught.value) and CANARY not in str(caught.value)


def test_slow_response_times_out_on_a_real_socket() -> None:
    fake = FakeMistral(sequence(Reply(body=completion(GOOD_REPLY), delay=2.0)))
    with local_server(fake) as url:
        client = MistralBriefClient(
            api_key=CANARY, server_url=url, timeout_s=0.2, max_attempts=2, sleep=lambda s: None
        )
        try:
            with pytest.raises(ServiceError, match=r"no answer within 0.2 s \(timeout\)"):
                client.ask(MESSAGES, CallMeter())
        finally:
            client.close()
    assert fake.calls == 2


def test_server_url_is_used_for_real_http() -> None:
    fake = FakeMistral(sequence(Reply(body=completion(GOOD_REPLY))))
    with local_server(fake) as url:
        client = MistralBriefClient(api_key=CANARY, server_url=url)
        try:
            assert client.ask(MESSAGES, CallMeter()).reply is not None
        finally:
            client.close()
    assert fake.headers[0]["authorization"] == f"Bearer {CANARY}"


def test_outage_stops_the_run_after_three_papers_in_a_row(data_dir: Path) -> None:
    for name in ("a", "b", "c", "d", "e"):
        add_paper(data_dir, name)
    fake = FakeMistral(sequence(Reply(status=503)))
    client = make_client(fake, max_attempts=2)

    report = enrich_briefs(data_dir, BriefSettings(api_key=CANARY), client=client)

    assert list(report.failed) == ["a", "b", "c"] and report.not_attempted == ["d", "e"]
    assert report.stopped and "3 papers in a row" in report.stopped and not report.ok
    assert fake.calls == 6
    assert not (data_dir / "enrichment").exists() or not any((data_dir / "enrichment").iterdir())


def test_auth_failure_stops_the_run_without_writing(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    add_paper(data_dir, "b")
    fake = FakeMistral(sequence(Reply(status=401, body={"message": "Unauthorized"})))

    report = enrich_briefs(data_dir, BriefSettings(api_key=CANARY), client=make_client(fake))

    assert fake.calls == 1 and report.not_attempted == ["a", "b"] and not report.ok
    assert report.stopped and "401" in report.stopped


def test_retry_after_forms() -> None:
    now = datetime(2025, 10, 15, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds({"retry-after": "2"}) == 2
    assert retry_after_seconds({"retry-after-ms": "150"}) == 0.15
    assert retry_after_seconds({"retry-after": "Wed, 15 Oct 2025 12:00:05 GMT"}, now) == 5
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None


def test_without_network_the_run_stops_after_three_unanswered_calls(data_dir: Path) -> None:
    for name in ("a", "b", "c", "d", "e"):
        add_paper(data_dir, name)
    attempts: list[int] = []

    def refuse(request: httpx2.Request) -> httpx2.Response:
        attempts.append(1)
        raise httpx2.ConnectError("[Errno 111] Connection refused")

    sleeps: list[float] = []
    client = MistralBriefClient(
        api_key=CANARY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(refuse)),
        sleep=sleeps.append,
    )

    report = enrich_briefs(data_dir, BriefSettings(api_key=CANARY), client=client)

    # three attempts for the first paper (two backoffs), then the breaker: not 4 x 5 attempts
    assert len(attempts) == 3 and sleeps == [2.0, 4.0]
    assert list(report.failed) == ["a"] and "network error: ConnectError" in report.failed["a"]
    assert report.not_attempted == ["b", "c", "d", "e"] and not report.ok
    assert report.stopped is not None and "3 calls in a row got no answer" in report.stopped
    summary = "\n".join(report.summary_lines())
    assert "API calls: 0 made" in summary  # unanswered calls are not calls made
    assert "3 calls got no answer from Mistral (unreachable or timed out); not counted" in summary
    assert not (data_dir / "enrichment").exists() or not any((data_dir / "enrichment").iterdir())


def test_answered_errors_count_as_calls_and_unanswered_ones_do_not(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    replies = iter(["connect", "503", "ok"])

    def handler(request: httpx2.Request) -> httpx2.Response:
        reply = next(replies)
        if reply == "connect":
            raise httpx2.ConnectError("refused")
        if reply == "503":
            return httpx2.Response(503, json={"message": "busy"})
        return httpx2.Response(200, json=completion(GOOD_REPLY))

    client = MistralBriefClient(
        api_key=CANARY,
        http_client=httpx2.Client(transport=httpx2.MockTransport(handler)),
        sleep=lambda s: None,
    )

    report = enrich_briefs(data_dir, BriefSettings(api_key=CANARY), client=client)

    assert report.generated == ["a"] and (report.calls, report.unanswered) == (2, 1)


def test_a_call_never_runs_past_the_time_limit() -> None:
    fake = FakeMistral(sequence(Reply(body=completion(GOOD_REPLY), delay=2.0)))
    with local_server(fake) as url:
        client = MistralBriefClient(api_key=CANARY, server_url=url, timeout_s=30, max_attempts=1)
        try:
            with pytest.raises(ServiceError, match=r"no answer within 0.\d+ s \(timeout\)"):
                client.ask(MESSAGES, CallMeter(time_limit_s=0.3))
        finally:
            client.close()


def test_a_retry_after_past_the_time_limit_stops_the_run(data_dir: Path) -> None:
    add_paper(data_dir, "a")
    add_paper(data_dir, "b")
    fake = FakeMistral(sequence(Reply(status=429, headers={"Retry-After": "50"})))
    sleeps: list[float] = []

    report = enrich_briefs(
        data_dir,
        BriefSettings(api_key=CANARY, time_limit_s=30, max_wait_s=600),
        client=make_client(fake, sleeps),
    )

    assert fake.calls == 1 and sleeps == []  # no 50 s wait for a retry the run may not make
    assert report.not_attempted == ["a", "b"] and report.failed == {}
    assert report.stopped == "the run's time limit of 30 s is reached" and report.ok
