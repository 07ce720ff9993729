"""The boundary to Mistral: structured chat calls with timeouts, retries and no key leaks."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from pydantic import ValidationError

from generator.enrich.briefs.prompt import BriefReply

DEFAULT_MODEL = "mistral-small-2506"
"""Pinned default: Mistral Small 3.2, a dated id, so briefs do not drift when an alias moves."""

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})
TEMPERATURE = 0.2
MAX_REPLY_TOKENS = 800
_BODY_SNIPPET = 200


class BudgetExhausted(Exception):
    """The run may make no more API calls (--max-calls)."""


class ServiceError(Exception):
    """The API kept failing (429, 5xx, timeouts, network) after every retry."""


class RequestRejected(Exception):
    """The API refused this request (400, 422, ...); retrying would not help."""


class AuthRejected(Exception):
    """The API refused the key (401/403): every further call would fail the same way."""


@dataclass
class CallMeter:
    """Count API calls and tokens for one run, and enforce --max-calls."""

    limit: int | None = None
    calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0

    def take(self) -> None:
        """Account for one call about to be made, or refuse it when the budget is spent."""
        if self.limit is not None and self.calls >= self.limit:
            raise BudgetExhausted(f"the call budget of {self.limit} is spent")
        self.calls += 1


@dataclass(frozen=True)
class Answer:
    """One model answer: the parsed reply, or why its content was unusable."""

    reply: BriefReply | None
    problem: str | None = None


class BriefClient(Protocol):
    """What the brief stage needs from an LLM service."""

    def ask(self, messages: list[dict[str, str]], meter: CallMeter) -> Answer:
        """Send one chat request (retrying transient failures) and return the structured answer."""
        ...

    def close(self) -> None:
        """Release network resources."""
        ...


def redact(text: str, secret: str | None) -> str:
    """Remove a secret from text that may reach a user, a log or a file."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


class _Silent:
    """A debug logger that drops everything: the SDK's own logs request headers, key included."""

    def debug(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """Drop the message."""


def retry_after_seconds(headers: Any, now: datetime | None = None) -> float | None:
    """Read Retry-After (seconds or HTTP date) or retry-after-ms from response headers."""
    raw_ms = headers.get("retry-after-ms")
    if raw_ms:
        try:
            return max(0.0, float(raw_ms) / 1000)
        except ValueError:
            pass
    raw = headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class MistralBriefClient:
    """Ask Mistral for a BriefReply through the official SDK (`chat.parse`)."""

    api_key: str = field(repr=False)
    model: str = DEFAULT_MODEL
    server_url: str | None = None
    timeout_s: float = 60.0
    max_attempts: int = 4
    backoff_s: float = 2.0
    max_wait_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    http_client: Any = field(default=None, repr=False)
    _sdk: Any = field(default=None, init=False, repr=False)
    _owns_http: bool = field(default=False, init=False, repr=False)

    def __post_init__(self) -> None:
        import httpx2
        from mistralai.client import Mistral

        if self.http_client is None:
            self.http_client = httpx2.Client(follow_redirects=True)
            self._owns_http = True
        # Retries are ours (below), so the SDK's are off; its debug logger would print the key.
        self._sdk = Mistral(
            api_key=self.api_key,
            server_url=self.server_url,
            client=self.http_client,
            retry_config=None,
            timeout_ms=int(self.timeout_s * 1000),
            debug_logger=_Silent(),
        )

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self.http_client.close()

    def _clean(self, text: str) -> str:
        return redact(" ".join(text.split()), self.api_key)

    def _wait(self, attempt: int, hinted: float | None) -> float:
        base = self.backoff_s * 2 ** (attempt - 1) if hinted is None else hinted
        return min(base, self.max_wait_s)

    def _judge(self, exc: Any) -> tuple[str, float | None]:
        """Describe a retryable HTTP failure, or raise when retrying cannot help."""
        status = exc.status_code
        if status < 300:  # a 200 whose body is not a chat completion
            return "the API answered with an unreadable response", None
        detail = self._clean(exc.body or "")[:_BODY_SNIPPET]
        described = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status in AUTH_STATUSES:
            message = f"the API refused MISTRAL_API_KEY ({described}); check the key"
            raise AuthRejected(message) from None  # the SDK error holds the request headers
        if status not in RETRY_STATUSES:
            raise RequestRejected(f"the API refused the request ({described})") from None
        return described, retry_after_seconds(exc.headers)

    def ask(self, messages: list[dict[str, str]], meter: CallMeter) -> Answer:
        """Send one chat request (retrying 429, 5xx and network failures) and parse the reply."""
        import httpx2
        from mistralai.client import errors

        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            meter.take()
            hinted: float | None = None
            try:
                response = self._sdk.chat.parse(
                    BriefReply,
                    model=self.model,
                    messages=messages,
                    temperature=TEMPERATURE,
                    max_tokens=MAX_REPLY_TOKENS,
                )
            except json.JSONDecodeError:
                return Answer(None, "the reply was not valid JSON")
            except ValidationError as exc:
                wrong = sorted({".".join(map(str, e["loc"])) or "(root)" for e in exc.errors()})
                return Answer(None, f"the reply did not match the schema ({', '.join(wrong[:6])})")
            except TypeError:
                return Answer(None, "the reply had no usable content")
            except errors.MistralError as exc:
                last, hinted = self._judge(exc)
            except httpx2.TimeoutException:
                last = f"no answer within {self.timeout_s:g} s (timeout)"
            except (httpx2.HTTPError, errors.NoResponseError) as exc:
                what = self._clean(f"{type(exc).__name__}: {exc}")[:_BODY_SNIPPET]
                last = f"network error: {what}"
            else:
                usage = response.usage
                meter.tokens_in += usage.prompt_tokens or 0
                meter.tokens_out += usage.completion_tokens or 0
                choices = response.choices or []
                parsed = choices[0].message.parsed if choices and choices[0].message else None
                if parsed is None:
                    return Answer(None, "the reply was empty")
                if self.api_key and self.api_key in parsed.model_dump_json():
                    # an echoing gateway or proxy: stored, it would be published on the site
                    return Answer(None, "the reply repeated the API key; it was discarded")
                return Answer(parsed)
            if attempt < self.max_attempts:
                self.sleep(self._wait(attempt, hinted))
        raise ServiceError(f"{last} (gave up after {self.max_attempts} attempts)")
