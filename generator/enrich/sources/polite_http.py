"""HTTP to a public API the way its terms ask: one connection, spaced requests, honest retries.

arXiv and Semantic Scholar both go through `PoliteHttp`. It keeps a minimum interval between
any two requests it sends (whatever run loop or command sends them), bounds each request's
timeout by the run's time left, retries 429 and 5xx answers (honouring Retry-After) and
requests that got no answer, and reports every attempt to the run's CallMeter.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from generator import __version__
from generator.enrich.calls import CallMeter
from generator.enrich.sources.mistral import redact, retry_after_seconds

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = f"paperbrief/{__version__} (research-paper report sites; one request at a time)"
_SNIPPET = 200


class HttpFailure(Exception):
    """A request gave nothing usable after its retries; the message is safe to show."""

    def __init__(self, message: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(message)
        # the refusing answer (a 4xx and its body), for a client that can read why
        self.status = status
        self.body = body


@dataclass
class PoliteHttp:
    """Send requests to one service, never two closer together than `min_interval_s`."""

    service: str
    min_interval_s: float
    timeout_s: float = 30.0
    max_attempts: int = 3
    backoff_s: float = 5.0
    # a Retry-After longer than this is not waited out: the request fails and says when to retry
    max_wait_s: float = 120.0
    max_bytes: int = 20 * 1024 * 1024
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    secret: str | None = field(default=None, repr=False)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _client: httpx.Client | None = field(default=None, init=False, repr=False)
    _last_sent: float | None = field(default=None, init=False, repr=False)

    def close(self) -> None:
        """Close the connection."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                headers={"user-agent": USER_AGENT, **self.headers},
                # the APIs ask for one connection at a time
                limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                follow_redirects=True,
            )
        return self._client

    def _clean(self, text: str) -> str:
        return redact(" ".join(text.split()), self.secret)[:_SNIPPET]

    def _keep_interval(self, meter: CallMeter) -> None:
        """Wait until `min_interval_s` has passed since the last request this object sent."""
        if self._last_sent is None:
            return
        wait = self.min_interval_s - (self.clock() - self._last_sent)
        if wait > 0:
            meter.wait_before_retry(wait, self.sleep)

    def _timeout(self, meter: CallMeter) -> float:
        # a request never runs past the run's time limit
        left = meter.time_left()
        return self.timeout_s if left is None else max(0.001, min(self.timeout_s, left))

    def _wait(self, attempt: int, hinted: float | None, last: str) -> float:
        if hinted is None:
            return min(self.backoff_s * 2.0 ** (attempt - 1), self.max_wait_s)
        if hinted > self.max_wait_s:
            raise HttpFailure(
                f"{last}; {self.service} asks to wait {hinted:.0f} s before the next request:"
                " run the same command again later"
            )
        return hinted

    def _send(
        self, method: str, url: str, timeout: float, params: Any, json: Any
    ) -> tuple[int, Mapping[str, str], bytes]:
        with self._http().stream(
            method, url, params=params, json=json, timeout=timeout
        ) as response:
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise HttpFailure(
                        f"{self.service} sent more than {self.max_bytes // (1024 * 1024)} MB;"
                        " the answer was not read"
                    )
            return response.status_code, response.headers, bytes(body)

    def request(
        self,
        method: str,
        url: str,
        meter: CallMeter,
        *,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
    ) -> bytes:
        """Send one request (retrying what is worth retrying) and return the body of a 2xx answer.

        Raise HttpFailure when no usable answer came, and StopRun (from the meter) when the run
        may make no further request.
        """
        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            meter.before_call()
            self._keep_interval(meter)
            timeout = self._timeout(meter)
            hinted: float | None = None
            try:
                status, headers, body = self._send(method, url, timeout, params, json)
            except httpx.TimeoutException:
                last = f"no answer from {self.service} within {timeout:g} s (timeout)"
                meter.no_answer(last)
            except httpx.HTTPError as exc:
                last = f"network error: {self._clean(f'{type(exc).__name__}: {exc}')}"
                meter.no_answer(last)
            except HttpFailure:
                meter.answered()  # an oversized answer is still an answer
                raise
            else:
                meter.answered()
                if status < 300:
                    return body
                detail = self._clean(body.decode("utf-8", "replace"))
                described = f"HTTP {status}" + (f": {detail}" if detail else "")
                if status not in RETRY_STATUSES:
                    raise HttpFailure(
                        f"{self.service} refused the request ({described})",
                        status=status,
                        body=body,
                    )
                last = f"{self.service} answered {described}"
                hinted = retry_after_seconds(headers)
            finally:
                self._last_sent = self.clock()
            if attempt < self.max_attempts:
                meter.wait_before_retry(self._wait(attempt, hinted, last), self.sleep)
        raise HttpFailure(f"{last} (gave up after {self.max_attempts} attempts)")
