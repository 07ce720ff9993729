"""arXiv's query API: many ids per request, exact-title search, its Atom feed read with feedparser.

arXiv's terms of use: at most one request every 3 seconds, over one connection, and many ids
per request (`id_list`). `ArxivClient` keeps the interval itself (see PoliteHttp), so every
caller (`enrich --metadata`, `add`, `ingest`) is held to it.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from generator.enrich.calls import CallMeter
from generator.enrich.sources.cleaning import http_url, one_line, paragraph
from generator.enrich.sources.polite_http import HttpFailure, PoliteHttp
from generator.errors import ConfigError
from generator.records.models import ARXIV_PATTERN, DOI_PATTERN

ARXIV_URL_ENV = "PAPERBRIEF_ARXIV_URL"
DEFAULT_ARXIV_URL = "http://export.arxiv.org/api/query"
MIN_INTERVAL_S = 3.0
MAX_IDS_PER_REQUEST = 100

_ABS_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v(\d+))?$")
_VERSION = re.compile(r"v\d+$")
_PDF_VERSION = re.compile(r"^(https://arxiv\.org/pdf/.+?)v\d+$")
_ERROR_ID = re.compile(r"incorrect id format for (\S+)")
_ARXIV_DOI = "10.48550/"  # arXiv's own DOIs name the preprint, not a publication


def bare_id(arxiv_id: str) -> str:
    """Return an arXiv id without its version: 2509.26328v2 -> 2509.26328."""
    return _VERSION.sub("", arxiv_id.strip())


def arxiv_url_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Return the API endpoint: PAPERBRIEF_ARXIV_URL (a mirror, a test server) or arXiv's own."""
    env = os.environ if environ is None else environ
    url = (env.get(ARXIV_URL_ENV) or "").strip() or DEFAULT_ARXIV_URL
    if not url.lower().startswith(("http://", "https://")):
        raise ConfigError(f"{ARXIV_URL_ENV} must start with http:// or https:// (got {url!r})")
    return url


@dataclass(frozen=True)
class ArxivEntry:
    """One paper as arXiv's API describes it (cleaned: one-line title, collapsed abstract)."""

    arxiv_id: str  # without version
    version: int | None
    title: str | None
    authors: tuple[str, ...]
    abstract: str | None
    published: date | None  # the first version's date
    updated: date | None  # the latest version's date
    primary_category: str | None
    categories: tuple[str, ...]
    comment: str | None
    journal_ref: str | None
    doi: str | None
    pdf_url: str | None

    @property
    def versioned_id(self) -> str:
        """Return the id with its version when arXiv gave one: 2509.26328v2."""
        return f"{self.arxiv_id}v{self.version}" if self.version else self.arxiv_id


@dataclass(frozen=True)
class ArxivAnswer:
    """What one id_list request returned: entries by bare id, and ids arXiv does not know."""

    entries: dict[str, ArxivEntry]
    unknown: dict[str, str] = field(default_factory=dict)  # bare id -> why


class ArxivFailure(Exception):
    """A request to arXiv gave nothing usable; the message says why."""


def _date(text: Any) -> date | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _pdf_link(entry: Mapping[str, Any]) -> str | None:
    for link in entry.get("links") or []:
        if isinstance(link, Mapping) and (
            link.get("title") == "pdf" or link.get("type") == "application/pdf"
        ):
            url = http_url(link.get("href"))
            # without its version the link leads readers to the latest version
            return _PDF_VERSION.sub(r"\1", url) if url else None
    return None


def _doi(entry: Mapping[str, Any]) -> str | None:
    doi = one_line(entry.get("arxiv_doi"), 300)
    if doi is None:
        return None
    # arXiv may list several DOIs separated by spaces; a record holds one
    first = doi.split()[0]
    if first.lower().startswith(_ARXIV_DOI) or not re.fullmatch(DOI_PATTERN, first):
        return None
    return first


def _is_error(entry: Mapping[str, Any]) -> bool:
    return "/api/errors" in str(entry.get("id", ""))


def entry_from_feed(entry: Mapping[str, Any]) -> ArxivEntry | None:
    """Read one feedparser entry; None for an error entry or one without a usable id or title."""
    if _is_error(entry):
        return None
    match = _ABS_ID.search(str(entry.get("id", "")).strip())
    if match is None or not re.fullmatch(ARXIV_PATTERN, match.group(1)):
        return None
    title = one_line(entry.get("title"), 500)
    if title is None:
        # arXiv answers an id it does not know with an empty entry
        return None
    authors = tuple(
        name
        for name in (
            one_line(a.get("name"), 200) for a in entry.get("authors") or [] if isinstance(a, dict)
        )
        if name
    )
    primary = entry.get("arxiv_primary_category")
    categories = tuple(
        term
        for term in (
            one_line(t.get("term"), 40) for t in entry.get("tags") or [] if isinstance(t, dict)
        )
        if term
    )
    return ArxivEntry(
        arxiv_id=match.group(1),
        version=int(match.group(2)) if match.group(2) else None,
        title=title,
        authors=authors,
        abstract=paragraph(entry.get("summary")),
        published=_date(entry.get("published")),
        updated=_date(entry.get("updated")),
        primary_category=one_line(primary.get("term"), 40) if isinstance(primary, dict) else None,
        categories=categories,
        comment=one_line(entry.get("arxiv_comment"), 1000),
        journal_ref=one_line(entry.get("arxiv_journal_ref"), 300),
        doi=_doi(entry),
        pdf_url=_pdf_link(entry),
    )


def parse_feed(body: bytes) -> tuple[list[ArxivEntry], list[str]]:
    """Read an Atom answer into entries and the messages of its error entries.

    Raise ArxivFailure when the body is not a readable Atom feed.
    """
    import feedparser

    # bytes, never a URL or a path: feedparser would fetch or open those
    parsed = feedparser.parse(body)
    if parsed.get("bozo") or not str(parsed.get("version", "")).startswith("atom"):
        problem = parsed.get("bozo_exception")
        why = f" ({one_line(str(problem), 200)})" if problem else ""
        raise ArxivFailure(f"arXiv's answer is not a readable Atom feed{why}")
    entries: list[ArxivEntry] = []
    errors: list[str] = []
    for raw in parsed.get("entries") or []:
        if _is_error(raw):
            errors.append(one_line(raw.get("summary"), 300) or "an unnamed error")
            continue
        entry = entry_from_feed(raw)
        if entry is not None:
            entries.append(entry)
    return entries, errors


def title_query(title: str) -> str:
    """Return arXiv's search query for an exact title: ti:"words" without punctuation."""
    words = re.sub(r"[^\w]+", " ", title).split()
    return f'ti:"{" ".join(words)}"'


@dataclass
class ArxivClient:
    """Ask arXiv's API about ids (up to 100 per request) or an exact title."""

    base_url: str = DEFAULT_ARXIV_URL
    timeout_s: float = 30.0
    max_attempts: int = 3
    min_interval_s: float = MIN_INTERVAL_S
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    http: PoliteHttp = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.http = PoliteHttp(
            service="arXiv",
            min_interval_s=self.min_interval_s,
            timeout_s=self.timeout_s,
            max_attempts=self.max_attempts,
            clock=self.clock,
            sleep=self.sleep,
        )

    def close(self) -> None:
        """Close the connection."""
        self.http.close()

    def _get(self, params: Mapping[str, str | int], meter: CallMeter) -> bytes:
        try:
            return self.http.request("GET", self.base_url, meter, params=params)
        except HttpFailure as exc:
            if exc.status == 400:
                # arXiv explains a refused query in an Atom error entry
                try:
                    _entries, errors = parse_feed(exc.body)
                except ArxivFailure:
                    errors = []
                if errors:
                    raise ArxivFailure(f"arXiv refused the request: {'; '.join(errors)}") from None
            raise ArxivFailure(str(exc)) from None

    def fetch_ids(self, ids: Sequence[str], meter: CallMeter) -> ArxivAnswer:
        """Ask for these ids in one request; ids arXiv does not know are listed as unknown."""
        wanted = list(dict.fromkeys(i.strip() for i in ids))
        if not wanted:
            return ArxivAnswer({})
        if len(wanted) > MAX_IDS_PER_REQUEST:
            raise ValueError(f"at most {MAX_IDS_PER_REQUEST} ids per request")
        malformed = [i for i in wanted if not re.fullmatch(ARXIV_PATTERN, i)]
        if malformed:
            # one malformed id makes arXiv refuse the whole request
            raise ValueError(f"not arXiv ids: {', '.join(malformed)}")
        body = self._get(
            {"id_list": ",".join(wanted), "start": 0, "max_results": len(wanted)}, meter
        )
        entries, errors = parse_feed(body)
        found = {entry.arxiv_id: entry for entry in entries}
        named = {bare_id(m.group(1)) for e in errors if (m := _ERROR_ID.search(e))}
        unknown: dict[str, str] = {}
        for asked in wanted:
            key = bare_id(asked)
            if key in found:
                continue
            unknown[key] = (
                f"arXiv refused the id {asked} as malformed"
                if key in named
                else f"arXiv has no paper with the id {asked}"
            )
        return ArxivAnswer(
            {k: v for k, v in found.items() if k in {bare_id(i) for i in wanted}}, unknown
        )

    def search_title(self, title: str, meter: CallMeter, max_results: int = 10) -> list[ArxivEntry]:
        """Search arXiv for a title (phrase search); the caller decides which results match."""
        body = self._get(
            {"search_query": title_query(title), "start": 0, "max_results": max_results}, meter
        )
        entries, errors = parse_feed(body)
        if errors and not entries:
            raise ArxivFailure(f"arXiv refused the search: {'; '.join(errors)}")
        return entries
