"""Semantic Scholar's Graph API: venues, dates, citation counts and external ids, in batches.

The batch endpoint (POST /paper/batch) takes up to 500 ids such as "ARXIV:2509.26328" or
"DOI:10.1145/3600006.3613165" and answers a list in the same order, with null for an id it does
not know. Without a key the API shares a small pool between all anonymous users (about 100
requests per 5 minutes), so requests are spaced 3 s apart; with S2_API_KEY, 1 s.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from generator.enrich.calls import CallMeter
from generator.enrich.sources.cleaning import http_url, one_line
from generator.enrich.sources.polite_http import HttpFailure, PoliteHttp
from generator.errors import ConfigError
from generator.records.models import ARXIV_PATTERN, DOI_PATTERN

S2_URL_ENV = "PAPERBRIEF_S2_URL"
S2_KEY_ENV = "S2_API_KEY"
DEFAULT_S2_URL = "https://api.semanticscholar.org/graph/v1"
MAX_IDS_PER_REQUEST = 500
INTERVAL_WITH_KEY_S = 1.0
INTERVAL_WITHOUT_KEY_S = 3.0
FIELDS = (
    "title,authors,venue,publicationVenue,publicationDate,year,citationCount,"
    "externalIds,openAccessPdf"
)
# what Semantic Scholar calls the venue of a paper that only has a preprint
PREPRINT_VENUES = frozenset({"arxiv", "arxiv.org", "biorxiv", "medrxiv", "ssrn"})
_ARXIV_DOI = "10.48550/"


@dataclass(frozen=True)
class S2Access:
    """Where Semantic Scholar is and the optional key, read from the environment."""

    base_url: str = DEFAULT_S2_URL
    api_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> S2Access:
        """Read PAPERBRIEF_S2_URL and S2_API_KEY (both optional)."""
        env = os.environ if environ is None else environ
        url = (env.get(S2_URL_ENV) or "").strip() or DEFAULT_S2_URL
        if not url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"{S2_URL_ENV} must start with http:// or https:// (got {url!r})")
        return cls(base_url=url.rstrip("/"), api_key=(env.get(S2_KEY_ENV) or "").strip() or None)


@dataclass(frozen=True)
class S2Paper:
    """One paper as Semantic Scholar describes it (cleaned; unknown is None)."""

    paper_id: str | None
    title: str | None
    authors: tuple[str, ...]
    venue: str | None
    publication_venue: str | None
    venue_type: str | None
    publication_date: date | None
    year: int | None
    citations: int | None
    doi: str | None
    dblp: str | None
    arxiv: str | None
    open_access_pdf: str | None

    @property
    def published_venue(self) -> str | None:
        """Return the venue when it is more than a preprint server."""
        venue = self.publication_venue or self.venue
        if venue is None or venue.casefold() in PREPRINT_VENUES:
            return None
        return venue


class S2Failure(Exception):
    """A request to Semantic Scholar gave nothing usable; the message says why."""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def paper_from_json(raw: Any) -> S2Paper | None:
    """Read one entry of a batch answer; None for null (an unknown id) or a malformed entry."""
    if not isinstance(raw, dict):
        return None
    ids = raw.get("externalIds")
    ids = ids if isinstance(ids, dict) else {}
    venue = raw.get("publicationVenue")
    venue = venue if isinstance(venue, dict) else {}
    pdf = raw.get("openAccessPdf")
    pdf = pdf if isinstance(pdf, dict) else {}
    doi = one_line(ids.get("DOI"), 300)
    if doi is not None and (
        doi.lower().startswith(_ARXIV_DOI) or not re.fullmatch(DOI_PATTERN, doi)
    ):
        doi = None
    arxiv = one_line(ids.get("ArXiv"), 40)
    if arxiv is not None and not re.fullmatch(ARXIV_PATTERN, arxiv):
        arxiv = None
    citations = _int(raw.get("citationCount"))
    year = _int(raw.get("year"))
    authors = tuple(
        name
        for name in (
            one_line(a.get("name"), 200) for a in raw.get("authors") or [] if isinstance(a, dict)
        )
        if name
    )
    return S2Paper(
        paper_id=one_line(raw.get("paperId"), 100),
        title=one_line(raw.get("title"), 500),
        authors=authors,
        venue=one_line(raw.get("venue"), 300),
        publication_venue=one_line(venue.get("name"), 300),
        venue_type=one_line(venue.get("type"), 40),
        publication_date=_date(raw.get("publicationDate")),
        year=year if year is not None and 1900 <= year <= 2100 else None,
        citations=citations if citations is not None and citations >= 0 else None,
        doi=doi,
        dblp=one_line(ids.get("DBLP"), 300),
        arxiv=arxiv,
        open_access_pdf=http_url(pdf.get("url")),
    )


@dataclass
class SemanticScholarClient:
    """Ask the Graph API's batch endpoint about many papers at once."""

    access: S2Access = field(default_factory=S2Access)
    timeout_s: float = 30.0
    max_attempts: int = 3
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    http: PoliteHttp = field(init=False, repr=False)

    def __post_init__(self) -> None:
        key = self.access.api_key
        self.http = PoliteHttp(
            service="Semantic Scholar",
            min_interval_s=INTERVAL_WITH_KEY_S if key else INTERVAL_WITHOUT_KEY_S,
            timeout_s=self.timeout_s,
            max_attempts=self.max_attempts,
            headers={"x-api-key": key} if key else {},
            secret=key,
            clock=self.clock,
            sleep=self.sleep,
        )

    @property
    def interval_s(self) -> float:
        """Return the spacing between requests this client keeps."""
        return self.http.min_interval_s

    def close(self) -> None:
        """Close the connection."""
        self.http.close()

    def fetch_batch(self, ids: Sequence[str], meter: CallMeter) -> dict[str, S2Paper | None]:
        """Ask about ids like "ARXIV:2509.26328" in one request; None for ids it does not know."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        if len(wanted) > MAX_IDS_PER_REQUEST:
            raise ValueError(f"at most {MAX_IDS_PER_REQUEST} ids per request")
        try:
            body = self.http.request(
                "POST",
                f"{self.access.base_url}/paper/batch",
                meter,
                params={"fields": FIELDS},
                json={"ids": wanted},
            )
        except HttpFailure as exc:
            if exc.status in {401, 403}:
                raise S2Failure(f"{exc}; check {S2_KEY_ENV}") from None
            raise S2Failure(str(exc)) from None
        try:
            answer = json.loads(body)
        except ValueError:
            raise S2Failure("Semantic Scholar's answer is not JSON") from None
        if not isinstance(answer, list) or len(answer) != len(wanted):
            raise S2Failure(
                "Semantic Scholar's answer is not a list with one entry per id asked for"
            )
        return {asked: paper_from_json(raw) for asked, raw in zip(wanted, answer, strict=True)}
