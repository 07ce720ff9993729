"""Run Scholar lookups in a killable worker process with a hard deadline."""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

SCHOLAR_ORIGIN = "https://scholar.google.com"

# Environment variables the worker reads to route requests through a proxy (see docs/scholar.md).
PROXY_ENV = "PAPERBRIEF_SCHOLAR_PROXY"
SCRAPERAPI_ENV = "PAPERBRIEF_SCRAPERAPI_KEY"


@dataclass(frozen=True)
class Candidate:
    """One search result as scholarly parsed it (raw, untrusted text)."""

    title: str
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    venue: str | None = None
    year: str | None = None
    citations: int | None = None
    pub_url: str | None = None
    eprint_url: str | None = None
    citedby_url: str | None = None

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Candidate:
        """Build a candidate from the worker's JSON, ignoring anything malformed."""

        def text(key: str) -> str | None:
            value = raw.get(key)
            return value if isinstance(value, str) else None

        citations = raw.get("citations")
        authors = raw.get("authors")
        return cls(
            title=text("title") or "",
            authors=tuple(a for a in authors if isinstance(a, str))
            if isinstance(authors, list)
            else (),
            authors_truncated=raw.get("authors_truncated") is True,
            venue=text("venue"),
            year=text("year"),
            citations=citations
            if isinstance(citations, int) and not isinstance(citations, bool)
            else None,
            pub_url=text("pub_url"),
            eprint_url=text("eprint_url"),
            citedby_url=text("citedby_url"),
        )


@dataclass(frozen=True)
class LookupResult:
    """What one lookup produced: Scholar's answer, or why there was none."""

    kind: Literal["answer", "blocked", "error"]
    candidates: tuple[Candidate, ...] = ()
    reason: str | None = None
    search_url: str | None = None
    # whether Scholar sent any response (a 403 or a CAPTCHA page is one; a timeout,
    # a refused connection or a killed worker is not): only these count as calls made
    reached: bool = True

    @property
    def answered(self) -> bool:
        """Return True when Scholar gave a result page (possibly empty)."""
        return self.kind == "answer"


Lookup = Callable[[str], LookupResult]


@dataclass(frozen=True)
class WorkerConfig:
    """Settings the worker process needs."""

    endpoint: str = SCHOLAR_ORIGIN
    request_timeout: float = 20.0
    candidates: int = 5

    def to_json(self) -> dict[str, Any]:
        """Serialize for the worker's first input line."""
        return {
            "endpoint": self.endpoint,
            "request_timeout": self.request_timeout,
            "candidates": self.candidates,
        }


def _worker_env() -> dict[str, str]:
    """Return the environment for the worker: ours, with this package importable."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class SubprocessLookup:
    """Look titles up in a worker process that is killed when it overruns its deadline.

    scholarly can wait forever (a CAPTCHA, a hung connection, a proxy set-up), so the
    parent never trusts the child to return: each answer must arrive before the deadline,
    otherwise the whole process group is killed and the next lookup starts a fresh worker.
    """

    config: WorkerConfig = field(default_factory=WorkerConfig)
    deadline: float = 45.0
    # importing scholarly takes about a second; a proxy check (ScraperAPI) can take a minute
    startup_deadline: float = 90.0
    _proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _stderr: IO[bytes] | None = field(default=None, init=False, repr=False)
    _buffer: bytes = field(default=b"", init=False, repr=False)

    def __call__(self, title: str) -> LookupResult:
        """Look one title up; never raises for Scholar's or the worker's failures."""
        if self._proc is None or self._proc.poll() is not None:
            self._discard()
            failure = self._start()
            if failure is not None:
                return failure
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps({"title": title}).encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except OSError:
            return self._crashed("the Scholar worker stopped before taking the request")
        message = self._read_message(self.deadline)
        if message is None:
            return self._overran(
                f"no answer within the {self.deadline:g} s deadline; the lookup was killed"
            )
        return _result_from_json(message)

    def close(self) -> None:
        """Stop the worker (politely, then by force)."""
        proc = self._proc
        if proc is not None and proc.poll() is None and proc.stdin is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self._discard()

    def __enter__(self) -> SubprocessLookup:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """Return the worker's process id while it runs."""
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    # -- process management ------------------------------------------------------------------

    def _start(self) -> LookupResult | None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the worker)
        self._buffer = b""
        try:
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "generator.enrich.sources.scholar.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=_worker_env(),
                # its own process group, so a kill also reaches anything it spawned (a browser)
                start_new_session=True,
            )
        except OSError as exc:
            self._discard()
            return LookupResult(
                "error", reason=f"cannot start the Scholar worker: {exc}", reached=False
            )
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(self.config.to_json()).encode("utf-8") + b"\n")
            self._proc.stdin.flush()
        except OSError:
            return self._crashed("the Scholar worker exited at start")
        message = self._read_message(self.startup_deadline)
        if message is None:
            return self._overran(
                f"the Scholar worker was not ready within {self.startup_deadline:g} s; it was killed"
            )
        if message.get("ready") is not True:
            reason = message.get("error") or message.get("reason") or "no reason given"
            self._discard()
            return LookupResult("blocked", reason=f"Scholar set-up failed: {reason}", reached=False)
        return None

    def _read_message(self, timeout: float) -> dict[str, Any] | None:
        """Read one JSON line from the worker, or None if the deadline passes or it dies."""
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        end = time.monotonic() + timeout
        fd = proc.stdout.fileno()
        with selectors.DefaultSelector() as sel:
            sel.register(fd, selectors.EVENT_READ)
            while b"\n" not in self._buffer:
                left = end - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return None
                chunk = os.read(fd, 65536)
                if not chunk:
                    return {"kind": "error", "reason": self._exit_reason(), "reached": False}
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        try:
            message = json.loads(line)
        except ValueError:
            return {
                "kind": "error",
                "reason": "the Scholar worker wrote something that is not JSON",
                "reached": False,
            }
        return (
            message
            if isinstance(message, dict)
            else {"kind": "error", "reason": "malformed worker answer", "reached": False}
        )

    def _exit_reason(self) -> str:
        proc = self._proc
        code = proc.wait(timeout=5) if proc is not None else None
        tail = self._stderr_tail()
        self._discard()
        return f"the Scholar worker exited (code {code})" + (f": {tail}" if tail else "")

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read()[-2000:].decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1].strip() if lines else ""

    def _overran(self, reason: str) -> LookupResult:
        self._discard()
        return LookupResult("blocked", reason=reason, reached=False)

    def _crashed(self, reason: str) -> LookupResult:
        tail = self._stderr_tail()
        self._discard()
        return LookupResult("error", reason=reason + (f": {tail}" if tail else ""), reached=False)

    def _discard(self) -> None:
        """Kill the worker's process group (if running) and release its pipes."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError, AttributeError):
                    proc.kill()
            proc.wait()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._buffer = b""


def _result_from_json(message: dict[str, Any]) -> LookupResult:
    kind = message.get("kind")
    reason = message.get("reason") if isinstance(message.get("reason"), str) else None
    url = message.get("search_url") if isinstance(message.get("search_url"), str) else None
    reached = message.get("reached") is not False
    if kind == "answer":
        raw = message.get("candidates")
        candidates = (
            tuple(Candidate.from_json(c) for c in raw if isinstance(c, dict))
            if isinstance(raw, list)
            else ()
        )
        return LookupResult("answer", candidates=candidates, search_url=url)
    if kind == "blocked":
        return LookupResult(
            "blocked", reason=reason or "blocked by Scholar", search_url=url, reached=reached
        )
    return LookupResult(
        "error", reason=reason or "unknown failure", search_url=url, reached=reached
    )
