"""The Scholar worker process: scholarly's search and parsing, one title per input line.

Protocol (JSON lines): the parent writes the WorkerConfig first; the worker answers
{"ready": true} (or {"ready": false, "error": ...}); then each {"title": ...} line gets one
{"kind": "answer" | "blocked" | "error", ...} line back ("reached": false when Scholar sent no
response at all). The parent enforces the deadline.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from typing import IO, Any

from generator.enrich.sources.scholar.lookup import PROXY_ENV, SCHOLAR_ORIGIN, SCRAPERAPI_ENV

# Google answers a blocked client with these codes (429/503 come with its "unusual traffic" page).
_BLOCK_STATUS = {403: "access denied", 429: "too many requests", 503: "service unavailable"}
# A real result page, even an empty one, has this container; anything else is not an answer.
_RESULT_PAGE = re.compile(r"""id=["']?gs_res_ccl\b""")


class Blocked(Exception):
    """Scholar refused to answer (403, CAPTCHA, rate limit, timeout, unreachable)."""

    def __init__(self, reason: str, *, reached: bool = True) -> None:
        super().__init__(reason)
        # False when no response came back at all (timeout, unreachable)
        self.reached = reached


class NotAnswered(Exception):
    """Scholar sent something that is not a result page."""


class Searcher:
    """scholarly set up for one attempt per page: no sleeps, no retries, no browser."""

    def __init__(self, config: dict[str, Any]) -> None:
        from scholarly import scholarly
        from scholarly._navigator import Navigator

        logging.getLogger("scholarly").setLevel(logging.CRITICAL)
        self.endpoint = str(config.get("endpoint") or SCHOLAR_ORIGIN).rstrip("/")
        self.timeout = float(config.get("request_timeout") or 20.0)
        self.limit = int(config.get("candidates") or 5)
        self.scholarly = scholarly
        self.nav = Navigator()  # a singleton: the same object scholarly searches through
        self._use_proxy_from_env()
        # scholarly reads this from the page's gs_res_glb div; without it, parsing a row crashes
        self.nav.publib = ""
        # scholarly's own fetch loop sleeps minutes after a 403 and opens a browser for a
        # CAPTCHA; replace it (for this navigator only) with a single attempt that reports blocks.
        self.nav._get_page = self.fetch
        self.last_url: str | None = None

    def _use_proxy_from_env(self) -> None:
        from scholarly import ProxyGenerator

        key = os.environ.get(SCRAPERAPI_ENV, "").strip()
        proxy = os.environ.get(PROXY_ENV, "").strip()
        if not key and not proxy:
            return
        generator = ProxyGenerator()
        if key:
            works = generator.ScraperAPI(key)
            what = SCRAPERAPI_ENV
        else:
            # only http: scholarly would prefix an https value with another 'https://'
            works = generator.SingleProxy(http=proxy)
            what = PROXY_ENV
        if not works:
            raise RuntimeError(
                f"the proxy configured by {what} does not work (scholarly's own check failed)"
            )
        # pass it as the secondary too: with none, scholarly goes hunting for free proxies
        self.scholarly.use_proxy(generator, generator)

    def fetch(self, pagerequest: str, premium: bool = False) -> str:
        """Fetch one Scholar page once; raise Blocked or NotAnswered instead of retrying."""
        import httpx
        from scholarly import DOSException

        self.last_url = pagerequest
        url = pagerequest
        if url.startswith(SCHOLAR_ORIGIN):
            url = self.endpoint + url[len(SCHOLAR_ORIGIN) :]
        try:
            resp = self.nav._session1.get(url, timeout=self.timeout)
        except httpx.TimeoutException as exc:
            raise Blocked(
                f"Scholar did not answer within {self.timeout:g} s", reached=False
            ) from exc
        except httpx.HTTPError as exc:
            raise Blocked(f"cannot reach Scholar ({type(exc).__name__})", reached=False) from exc
        if resp.status_code in _BLOCK_STATUS:
            raise Blocked(
                f"Scholar refused the request: HTTP {resp.status_code} ({_BLOCK_STATUS[resp.status_code]})"
            )
        text = resp.text
        try:
            captcha = self.nav._requests_has_captcha(text)
        except DOSException as exc:
            raise Blocked("Scholar answered with its denial-of-service CAPTCHA") from exc
        if captcha:
            raise Blocked("Scholar answered with a CAPTCHA page")
        if resp.status_code != 200:
            raise NotAnswered(f"Scholar answered HTTP {resp.status_code}")
        if not _RESULT_PAGE.search(text):
            raise NotAnswered("Scholar's answer is not a result page (its layout may have changed)")
        return str(text)

    def search(self, title: str) -> dict[str, Any]:
        """Search a title and return the first page's top candidates as JSON-ready data."""
        self.last_url = None
        try:
            results = self.scholarly.search_pubs(title)
            # only rows of the first page: iterating further would fetch the next page
            rows = list(results._rows)[: self.limit]
            candidates = [self._candidate(next(results), row) for row in rows]
        except Blocked as exc:
            return {
                "kind": "blocked",
                "reason": str(exc),
                "search_url": self.last_url,
                "reached": exc.reached,
            }
        except NotAnswered as exc:
            return {"kind": "error", "reason": str(exc), "search_url": self.last_url}
        except Exception as exc:  # scholarly's parser on an unexpected page: report, keep going
            detail = f"{type(exc).__name__}: {exc}"[:300]
            return {
                "kind": "error",
                "reason": f"could not read Scholar's page ({detail})",
                "search_url": self.last_url,
            }
        return {"kind": "answer", "candidates": candidates, "search_url": self.last_url}

    @staticmethod
    def _candidate(pub: dict[str, Any], row: Any) -> dict[str, Any]:
        bib = pub.get("bib") or {}
        byline = row.find("div", class_="gs_a")
        author_part = re.split(r"\s-\s", byline.get_text())[0] if byline is not None else ""
        return {
            "title": bib.get("title"),
            "authors": [a for a in bib.get("author") or [] if isinstance(a, str)],
            # scholarly drops the '…' Scholar shows when it cuts the author list short
            "authors_truncated": "\u2026" in author_part,
            "venue": bib.get("venue"),
            "year": str(bib["pub_year"]) if bib.get("pub_year") is not None else None,
            "citations": pub.get("num_citations"),
            "pub_url": pub.get("pub_url"),
            "eprint_url": pub.get("eprint_url"),
            "citedby_url": pub.get("citedby_url"),
        }


def _redact(text: str) -> str:
    """Remove proxy credentials from a message (library errors can quote the proxy URL)."""
    for name in (PROXY_ENV, SCRAPERAPI_ENV):
        secret = os.environ.get(name, "").strip()
        if secret:
            text = text.replace(secret, f"<{name}>")
    return text


def _write(out: IO[str], message: dict[str, Any]) -> None:
    for key in ("reason", "error"):
        if isinstance(message.get(key), str):
            message[key] = _redact(message[key])
    out.write(json.dumps(message) + "\n")
    out.flush()


def main() -> int:
    """Serve lookups on stdin/stdout until stdin closes."""
    # keep the real stdout for the protocol; anything a library prints goes to stderr
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    first = sys.stdin.readline()
    if not first:
        return 0
    try:
        searcher = Searcher(json.loads(first))
    except Exception as exc:
        _write(out, {"ready": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
        return 1
    _write(out, {"ready": True})
    for line in sys.stdin:
        try:
            title = json.loads(line)["title"]
        except (ValueError, KeyError, TypeError):
            _write(out, {"kind": "error", "reason": "malformed request"})
            continue
        _write(out, searcher.search(str(title)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
