"""Draft a paper record from arXiv and Semantic Scholar: by arXiv id, by DOI, or by exact title.

The draft is filled the way `enrich --metadata` fills a record (metadata_fill.py): arXiv's title,
authors, abstract, first-version date, category and links, Semantic Scholar's DOI and
open-access PDF; a venue either names is a suggestion under `review:`, never a value. What no
service knows, the authors' institutions and the techniques, is listed under `review:`. Both
answers are stored in data/enrichment/<id>.yaml, so `enrich --metadata` need not ask again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.authoring.add import Draft, draft_paper, find_existing
from generator.enrich.calls import CallMeter, StopRun
from generator.enrich.loop import utc_now
from generator.enrich.metadata_fill import plan_fill
from generator.enrich.metadata_sources import arxiv_record, exact_matches, input_hash, s2_record
from generator.enrich.sources.arxiv import (
    ArxivClient,
    ArxivFailure,
    arxiv_url_from_env,
    bare_id,
)
from generator.enrich.sources.semantic_scholar import (
    S2Access,
    S2Failure,
    SemanticScholarClient,
)
from generator.errors import ConfigError, EnrichmentError
from generator.records.ids import derive_id
from generator.records.keys import normalize_title
from generator.records.models import (
    ArxivMetadata,
    Line,
    MetadataEnrichment,
    PaperRecord,
    SemanticScholarMetadata,
    check_arxiv_id,
    check_doi,
    check_id,
)
from generator.records.parse import display_path
from generator.records.store import atomic_write, dump_model, save_enrichment

LEFT_TO_FILL = (
    "institutions: add the authors' institutions (names as in data/institutions.yaml)",
    "techniques: choose 1 to 4 technique ids from data/techniques.yaml",
)
# one lookup for a draft: a person is waiting
TIME_LIMIT_S = 120.0
_ARXIV_URL = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$"
)
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(.+)$", re.IGNORECASE)


def _reason(exc: ValueError) -> str:
    return str(exc).removeprefix("Value error, ")


def parse_arxiv_option(text: str) -> str:
    """Read --arxiv: a bare id, 'arXiv:ID' or an arxiv.org link; refuse anything else."""
    value = text.strip()
    value = re.sub(r"^arxiv:\s*", "", value, flags=re.IGNORECASE)
    match = _ARXIV_URL.match(value)
    if match:
        value = match.group(1)
    try:
        return check_arxiv_id(value)
    except ValueError as exc:
        raise ConfigError(f"--arxiv {text!r}: {_reason(exc)}") from None


def parse_doi_option(text: str) -> str:
    """Read --doi: a bare DOI, 'doi:DOI' or a doi.org link; refuse anything else."""
    value = re.sub(r"^doi:\s*", "", text.strip(), flags=re.IGNORECASE)
    match = _DOI_URL.match(value)
    if match:
        value = match.group(1)
    try:
        return check_doi(value)
    except ValueError as exc:
        raise ConfigError(f"--doi {text!r}: {_reason(exc)}") from None


def parse_title_option(text: str) -> str:
    """Read --title: one line of text."""
    try:
        return TypeAdapter(Line).validate_python(text)
    except ValidationError as exc:
        message = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"--title {text!r}: {message}") from None


def ask_arxiv_id(
    client: ArxivClient, arxiv_id: str, meter: CallMeter, fetched: datetime
) -> ArxivMetadata:
    """Ask arXiv about one id; the stored answer says found, not-found, or error and why."""
    source = client.base_url
    try:
        answer = client.fetch_ids([arxiv_id], meter)
    except (ArxivFailure, StopRun) as exc:
        return arxiv_record(
            None, by="id", asked=arxiv_id, source=source, fetched=fetched, error=str(exc)
        )
    entry = answer.entries.get(bare_id(arxiv_id))
    return arxiv_record(entry, by="id", asked=arxiv_id, source=source, fetched=fetched)


@dataclass
class Lookups:
    """The clients a draft asks, and the meters that bound them."""

    arxiv: ArxivClient
    s2: SemanticScholarClient
    now: Callable[[], datetime] = utc_now
    time_limit_s: float = TIME_LIMIT_S

    @classmethod
    def from_env(cls) -> Lookups:
        """Point the clients at PAPERBRIEF_ARXIV_URL / PAPERBRIEF_S2_URL (S2_API_KEY if set)."""
        return cls(ArxivClient(arxiv_url_from_env()), SemanticScholarClient(S2Access.from_env()))

    def close(self) -> None:
        """Close both connections."""
        self.arxiv.close()
        self.s2.close()

    def meter(self, service: str, unanswered: int = 3) -> CallMeter:
        """Return a meter for one service: its own time limit and breaker."""
        return CallMeter(
            time_limit_s=self.time_limit_s,
            max_unanswered_in_row=unanswered,
            service=service,
            clock=self.arxiv.clock,
            sleep=self.arxiv.sleep,
        )

    def arxiv_by_id(self, arxiv_id: str) -> ArxivMetadata:
        """Ask arXiv about one id; the answer says found, not-found or error."""
        return ask_arxiv_id(self.arxiv, arxiv_id, self.meter("arXiv"), self.now())

    def arxiv_by_title(self, title: str) -> ArxivMetadata:
        """Search arXiv for the exact title (one attempt: Scholar is the fallback)."""
        fetched = self.now()
        source = self.arxiv.base_url
        try:
            entries = self.arxiv.search_title(title, self.meter("arXiv", unanswered=1))
        except (ArxivFailure, StopRun) as exc:
            return arxiv_record(
                None, by="title", asked=title, source=source, fetched=fetched, error=str(exc)
            )
        matches = exact_matches(title, entries)
        only = matches[0] if len(matches) == 1 else None
        return arxiv_record(only, by="title", asked=title, source=source, fetched=fetched)

    def semantic_scholar(self, asked: str) -> SemanticScholarMetadata:
        """Ask Semantic Scholar about one id ("ARXIV:..." or "DOI:...")."""
        fetched = self.now()
        source = self.s2.access.base_url
        try:
            answer = self.s2.fetch_batch([asked], self.meter("Semantic Scholar"))
        except (S2Failure, StopRun) as exc:
            return s2_record(None, asked=asked, source=source, fetched=fetched, error=str(exc))
        return s2_record(answer.get(asked), asked=asked, source=source, fetched=fetched)


def _write(
    data_dir: Path,
    meta: MetadataEnrichment,
    *,
    arxiv: str | None,
    doi: str | None,
    paper_id: str | None,
    today: date,
    note: str,
    source: str,
) -> Draft:
    """Fill a new record from the answers, check it is new, write it and store the answers."""
    base = PaperRecord.model_validate(
        {"links": {"arxiv": arxiv, "doi": doi}, "added": today, "review": list(LEFT_TO_FILL)}
    )
    plan = plan_fill(base, meta, today)
    record = plan.record
    if not record.title:
        raise EnrichmentError("the answers held no title; add the paper with --title --offline")
    duplicate = find_existing(data_dir, record.title, arxiv, doi)
    if duplicate:
        raise ConfigError(f"this paper is already in the collection: {duplicate}")
    try:
        new_id = check_id(paper_id) if paper_id else derive_id(record.title, arxiv)
    except ValueError as exc:
        raise ConfigError(f"--id: {_reason(exc)}") from None
    path = data_dir / "papers" / f"{new_id}.yaml"
    if path.exists():
        raise ConfigError(
            f"{display_path(path)} already exists (another paper); choose an id with --id"
        )
    atomic_write(path, dump_model(record, schema="paper"), create_only=True)
    stored = meta.model_copy(update={"filled": list(plan.filled), "flags": list(plan.flags)})
    save_enrichment(data_dir, new_id, metadata=stored)
    return Draft(
        paper_id=new_id,
        path=path,
        record=record,
        source=source,
        note=note,
        enrichment_path=data_dir / "enrichment" / f"{new_id}.yaml",
    )


def _check_title(given: str | None, arxiv: ArxivMetadata) -> None:
    if given and arxiv.title and normalize_title(given) != normalize_title(arxiv.title):
        raise ConfigError(
            f"--title {given!r} differs from arXiv's title for {arxiv.input} ({arxiv.title!r});"
            " check the id, or leave --title out to take arXiv's"
        )


def _s2_note(s2: SemanticScholarMetadata) -> str:
    if s2.status == "found":
        return " and Semantic Scholar"
    if s2.status == "not-found":
        return f"; Semantic Scholar does not know {s2.input}"
    return f"; Semantic Scholar failed ({s2.error}): run `paperbrief enrich --metadata` later"


def draft_from_arxiv(
    data_dir: Path,
    arxiv_id: str,
    lookups: Lookups,
    *,
    title: str | None = None,
    doi: str | None = None,
    paper_id: str | None = None,
    today: date | None = None,
    arxiv: ArxivMetadata | None = None,
    s2: SemanticScholarMetadata | None = None,
) -> Draft:
    """Draft a record from arXiv's answer for this id, completed by Semantic Scholar's."""
    # the record holds the id without version (its links lead to the latest version)
    bare = bare_id(arxiv_id)
    duplicate = find_existing(data_dir, title, bare, doi)
    if duplicate:
        raise ConfigError(f"this paper is already in the collection: {duplicate}")
    arxiv = arxiv or lookups.arxiv_by_id(bare)
    if arxiv.status == "error":
        raise EnrichmentError(
            f"arXiv could not be asked about {arxiv_id}: {arxiv.error}. Try again later, or"
            f" draft offline: paperbrief add --arxiv {arxiv_id} --title '…' --offline"
        )
    if arxiv.status == "not-found":
        raise ConfigError(f"--arxiv {arxiv_id}: arXiv has no paper with this id; check it")
    _check_title(title, arxiv)
    s2 = s2 or lookups.semantic_scholar(f"ARXIV:{bare}")
    meta = MetadataEnrichment(arxiv=arxiv, semantic_scholar=s2)
    note = f"drafted from arXiv {arxiv.arxiv_id}{_s2_note(s2)}"
    return _write(
        data_dir,
        meta,
        arxiv=bare,
        doi=doi,
        paper_id=paper_id,
        today=today or date.today(),
        note=note,
        source="arxiv",
    )


def draft_from_doi(
    data_dir: Path,
    doi: str,
    lookups: Lookups,
    *,
    title: str | None = None,
    paper_id: str | None = None,
    today: date | None = None,
) -> Draft:
    """Draft a record from Semantic Scholar's answer for this DOI (and arXiv's, if it has an id)."""
    duplicate = find_existing(data_dir, title, None, doi)
    if duplicate:
        raise ConfigError(f"this paper is already in the collection: {duplicate}")
    s2 = lookups.semantic_scholar(f"DOI:{doi}")
    if s2.status == "error":
        raise EnrichmentError(
            f"Semantic Scholar could not be asked about {doi}: {s2.error}. Try again later, or"
            f" draft offline: paperbrief add --doi {doi} --title '…' --offline"
        )
    if s2.status == "not-found":
        raise ConfigError(
            f"--doi {doi}: Semantic Scholar does not know this DOI; check it, or draft with"
            " --title (and --offline to fill in by hand)"
        )
    if s2.arxiv:
        return draft_from_arxiv(
            data_dir,
            s2.arxiv,
            lookups,
            title=title,
            doi=doi,
            paper_id=paper_id,
            today=today,
            s2=s2,
        )
    if title and s2.title and normalize_title(title) != normalize_title(s2.title):
        raise ConfigError(
            f"--title {title!r} differs from Semantic Scholar's title for {doi} ({s2.title!r});"
            " check the DOI, or leave --title out"
        )
    return _write(
        data_dir,
        MetadataEnrichment(semantic_scholar=s2),
        arxiv=None,
        doi=doi,
        paper_id=paper_id,
        today=today or date.today(),
        note=f"drafted from Semantic Scholar (paper {s2.paper_id}; not on arXiv)",
        source="semantic-scholar",
    )


def draft_from_title(
    data_dir: Path,
    title: str,
    lookups: Lookups,
    *,
    paper_id: str | None = None,
    today: date | None = None,
    scholar: Callable[[], Draft] | None = None,
) -> Draft:
    """Draft from arXiv when an exact-title search finds one paper; else ask Scholar as before."""
    duplicate = find_existing(data_dir, title, None)
    if duplicate:
        raise ConfigError(f"this paper is already in the collection: {duplicate}")
    found = lookups.arxiv_by_title(title)
    if found.status == "found" and found.arxiv_id:
        # stored as if asked by id: `enrich --metadata` then finds it current
        bare = bare_id(found.arxiv_id)
        by_id = found.model_copy(
            update={"by": "id", "input": bare, "input_hash": input_hash("arxiv-id", bare)}
        )
        draft = draft_from_arxiv(
            data_dir,
            found.arxiv_id,
            lookups,
            title=title,
            paper_id=paper_id,
            today=today,
            arxiv=by_id,
        )
        return replace(draft, note=draft.note + "; found by an exact-title search")
    why = (
        f"arXiv could not be searched ({found.error})"
        if found.status == "error"
        else "arXiv has no single exact match for this title"
    )
    fallback = scholar or (lambda: draft_paper(data_dir, title, paper_id=paper_id, today=today))
    draft = fallback()
    return replace(draft, note=f"{why}; {draft.note}")


@dataclass
class IngestArxiv:
    """Ask arXiv about the ids read from PDFs, one at a time, under one time limit and breaker."""

    client: ArxivClient
    time_limit_s: float = 300.0
    now: Callable[[], datetime] = utc_now
    _meter: CallMeter | None = None

    @classmethod
    def from_env(cls) -> IngestArxiv:
        """Point the client at PAPERBRIEF_ARXIV_URL (default: arXiv's API)."""
        return cls(ArxivClient(arxiv_url_from_env()))

    def __call__(self, arxiv_id: str) -> ArxivMetadata:
        """Return arXiv's answer for one id (found, not-found, or error with the reason)."""
        if self._meter is None:
            # one meter for the whole ingest: once arXiv stops answering, the rest fail at once
            self._meter = CallMeter(
                time_limit_s=self.time_limit_s,
                max_unanswered_in_row=2,
                service="arXiv",
                clock=self.client.clock,
                sleep=self.client.sleep,
            )
        return ask_arxiv_id(self.client, arxiv_id, self._meter, self.now())

    def close(self) -> None:
        """Close the connection."""
        self.client.close()
