"""The one boundary to Mistral: key handling, structured chat calls, timeouts, retries, no leaks.

Both LLM uses go through here: briefs (`generator.enrich.briefs`) and `ingest --llm`
(`generator.authoring.ingest.llm`). `MistralAccess.from_env` reads the key and base URL;
`MistralClient` builds the SDK the one safe way (SDK retries off, a timeout, a silent debug
logger) and asks for a pydantic model, retrying what is worth retrying.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from generator.enrich.calls import CallMeter, Refused
from generator.errors import ConfigError

DEFAULT_MODEL = "mistral-small-2506"
"""Pinned default: Mistral Small 3.2, a dated id, so briefs do not drift when an alias moves."""

KEY_ENV = "MISTRAL_API_KEY"
SERVER_URL_ENV = "MISTRAL_SERVER_URL"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
AUTH_STATUSES = frozenset({401, 403})
_BODY_SNIPPET = 200

Reply = TypeVar("Reply", bound=BaseModel)


class MistralFailure(Exception):
    """A Mistral call gave nothing usable; the message is safe to show (no key)."""


class ServiceError(MistralFailure):
    """The API kept failing (429, 5xx, timeouts, network) after every retry."""


class RequestRejected(MistralFailure):
    """The API refused this request (400, 422, ...); retrying would not help."""


class AuthRejected(MistralFailure, Refused):
    """The API refused the key (401/403): every further call would fail the same way."""


def redact(text: str, secret: str | None) -> str:
    """Remove a secret from text that may reach a user, a log or a file."""
    if secret:
        text = text.replace(secret, "[redacted]")
    return text


@dataclass(frozen=True)
class MistralAccess:
    """The key and base URL to reach Mistral with, read from the environment."""

    api_key: str = field(repr=False)
    server_url: str | None = None

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, needed_by: str, without_it: str
    ) -> MistralAccess:
        """Read MISTRAL_API_KEY and MISTRAL_SERVER_URL, or say what to do when they are unusable.

        `needed_by` completes "... needs a Mistral API key" (e.g. "briefs need"); `without_it`
        says what works without one.
        """
        env = os.environ if environ is None else environ
        key = (env.get(KEY_ENV) or "").strip()
        if not key:
            raise ConfigError(
                f"{KEY_ENV} is not set: {needed_by} a Mistral API key. Export it"
                f" (export {KEY_ENV}=...) or, in GitHub Actions, pass it from a secret."
                f" {without_it}"
            )
        server_url = (env.get(SERVER_URL_ENV) or "").strip() or None
        if server_url and not server_url.lower().startswith(("http://", "https://")):
            raise ConfigError(
                f"{SERVER_URL_ENV} must start with http:// or https://"
                " (it replaces the Mistral API base URL)"
            )
        return cls(api_key=key, server_url=server_url)


@dataclass(frozen=True)
class Answer(Generic[Reply]):
    """One model answer: the parsed reply, or why its content was unusable."""

    reply: Reply | None
    problem: str | None = None


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
class MistralClient:
    """Ask Mistral for structured replies (`chat.parse`) through the official SDK.

    Retries are ours, not the SDK's: 429, 5xx, timeouts and network errors are tried again up
    to `max_attempts` in all, with exponential backoff honouring Retry-After (capped at
    `max_wait_s`). Every attempt goes through the run's CallMeter, which counts only answered
    calls, enforces the cap and the time limit, and opens the breaker when calls in a row get
    no answer.
    """

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

    @classmethod
    def from_access(cls, access: MistralAccess, **options: Any) -> MistralClient:
        """Return a client for this key and base URL (options: model, timeout_s, ...)."""
        return cls(api_key=access.api_key, server_url=access.server_url, **options)

    def close(self) -> None:
        """Close the HTTP client if this object created it."""
        if self._owns_http:
            self.http_client.close()

    def _clean(self, text: str) -> str:
        return redact(" ".join(text.split()), self.api_key)

    def _wait(self, attempt: int, hinted: float | None) -> float:
        base = self.backoff_s * 2 ** (attempt - 1) if hinted is None else hinted
        return min(base, self.max_wait_s)

    def _timeout(self, meter: CallMeter) -> float:
        # a call never runs past the run's time limit
        left = meter.time_left()
        return self.timeout_s if left is None else max(0.001, min(self.timeout_s, left))

    def _judge(self, exc: Any) -> tuple[str, float | None]:
        """Describe a retryable HTTP failure, or raise when retrying cannot help."""
        status = exc.status_code
        if status < 300:  # a 200 whose body is not a chat completion
            return "the API answered with an unreadable response", None
        detail = self._clean(exc.body or "")[:_BODY_SNIPPET]
        described = f"HTTP {status}" + (f": {detail}" if detail else "")
        if status in AUTH_STATUSES:
            message = f"the API refused {KEY_ENV} ({described}); check the key"
            raise AuthRejected(message) from None  # the SDK error holds the request headers
        if status not in RETRY_STATUSES:
            raise RequestRejected(f"the API refused the request ({described})") from None
        return described, retry_after_seconds(exc.headers)

    def parse(
        self,
        schema: type[Reply],
        messages: list[dict[str, str]],
        meter: CallMeter,
        *,
        temperature: float,
        max_tokens: int | None = None,
    ) -> Answer[Reply]:
        """Send one chat request for `schema` (retrying 429, 5xx and network failures)."""
        import httpx2
        from mistralai.client import errors

        options: dict[str, Any] = {"temperature": temperature}
        if max_tokens is not None:
            options["max_tokens"] = max_tokens
        last = "no attempt made"
        for attempt in range(1, self.max_attempts + 1):
            meter.before_call()
            hinted: float | None = None
            timeout = self._timeout(meter)
            try:
                response = self._sdk.chat.parse(
                    schema,
                    model=self.model,
                    messages=messages,
                    timeout_ms=int(timeout * 1000),
                    **options,
                )
            except json.JSONDecodeError:
                meter.answered()
                return Answer(None, "the reply was not valid JSON")
            except ValidationError as exc:
                meter.answered()
                wrong = sorted({".".join(map(str, e["loc"])) or "(root)" for e in exc.errors()})
                return Answer(None, f"the reply did not match the schema ({', '.join(wrong[:6])})")
            except TypeError:
                meter.answered()
                return Answer(None, "the reply had no usable content")
            except errors.MistralError as exc:
                meter.answered()
                last, hinted = self._judge(exc)
            except httpx2.TimeoutException:
                last = f"no answer within {timeout:g} s (timeout)"
                meter.no_answer(last)
            except (httpx2.HTTPError, errors.NoResponseError) as exc:
                what = self._clean(f"{type(exc).__name__}: {exc}")[:_BODY_SNIPPET]
                last = f"network error: {what}"
                meter.no_answer(last)
            else:
                usage = response.usage
                meter.answered(usage.prompt_tokens or 0, usage.completion_tokens or 0)
                choices = response.choices or []
                parsed = choices[0].message.parsed if choices and choices[0].message else None
                if not isinstance(parsed, schema):
                    return Answer(None, "the reply was empty")
                if self.api_key and self.api_key in parsed.model_dump_json():
                    # an echoing gateway or proxy: stored, it would be published on the site
                    return Answer(None, "the reply repeated the API key; it was discarded")
                return Answer(parsed)
            if attempt < self.max_attempts:
                meter.wait_before_retry(self._wait(attempt, hinted), self.sleep)
        raise ServiceError(f"{last} (gave up after {self.max_attempts} attempts)")
