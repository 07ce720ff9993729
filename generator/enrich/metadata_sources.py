"""The enrichment loop's sources for bibliographic metadata: arXiv by id, by title, Semantic Scholar.

Each stores its answer in the `metadata:` section of data/enrichment/<id>.yaml with what was
asked (`input`, `input_hash`), where (`source`) and when (`fetched`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.enrich.calls import CallMeter
from generator.enrich.loop import Ask, Failed, Found, Job, Outcome, Skip, Stored, utc_now
from generator.enrich.sources.arxiv import (
    MAX_IDS_PER_REQUEST,
    ArxivClient,
    ArxivEntry,
    ArxivFailure,
    bare_id,
)
from generator.enrich.sources.semantic_scholar import S2Failure, S2Paper, SemanticScholarClient
from generator.records.collection import Paper
from generator.records.keys import normalize_title
from generator.records.models import (
    ArxivMetadata,
    EnrichmentRecord,
    MetadataEnrichment,
    SemanticScholarMetadata,
)
from generator.records.store import atomic_write, dump_model, enrichment_path, read_enrichment

Model = TypeVar("Model", bound=BaseModel)


def input_hash(kind: str, value: str) -> str:
    """Hash what was asked (kind and value): the cache key of a stored answer."""
    return "sha256:" + hashlib.sha256(f"{kind}\n{value}".encode()).hexdigest()[:16]


def _validated(model: type[Model], data: dict[str, Any]) -> Model:
    """Validate an answer, dropping any single value the schema refuses (a bad link, say)."""
    for _ in range(len(data)):
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            if not bad & set(data) or bad & {"status", "input", "input_hash", "source", "fetched"}:
                raise
            data = {k: v for k, v in data.items() if k not in bad}
    return model.model_validate(data)


def arxiv_record(
    entry: ArxivEntry | None,
    *,
    by: str,
    asked: str,
    source: str,
    fetched: datetime,
    error: str | None = None,
) -> ArxivMetadata:
    """Turn an arXiv answer (an entry, none, or a failure) into what is stored."""
    data: dict[str, Any] = {
        "status": "error" if error else ("found" if entry else "not-found"),
        "input": asked,
        "input_hash": input_hash(f"arxiv-{by}", asked),
        "source": source,
        "fetched": fetched,
        "error": error,
        "by": by,
    }
    if entry is not None:
        data.update(
            arxiv_id=entry.versioned_id,
            title=entry.title,
            authors=list(entry.authors),
            abstract=entry.abstract,
            published=entry.published,
            updated=entry.updated,
            primary_category=entry.primary_category,
            categories=list(entry.categories),
            comment=entry.comment,
            journal_ref=entry.journal_ref,
            doi=entry.doi,
            pdf_url=entry.pdf_url,
        )
    return _validated(ArxivMetadata, data)


def s2_record(
    paper: S2Paper | None, *, asked: str, source: str, fetched: datetime, error: str | None = None
) -> SemanticScholarMetadata:
    """Turn a Semantic Scholar answer (a paper, null, or a failure) into what is stored."""
    data: dict[str, Any] = {
        "status": "error" if error else ("found" if paper else "not-found"),
        "input": asked,
        "input_hash": input_hash("s2", asked),
        "source": source,
        "fetched": fetched,
        "error": error,
    }
    if paper is not None:
        data.update(
            paper_id=paper.paper_id,
            title=paper.title,
            authors=list(paper.authors),
            venue=paper.venue,
            publication_venue=paper.publication_venue,
            venue_type=paper.venue_type,
            publication_date=paper.publication_date,
            year=paper.year,
            citations=paper.citations,
            doi=paper.doi,
            dblp=paper.dblp,
            arxiv=paper.arxiv,
            open_access_pdf=paper.open_access_pdf,
        )
    return _validated(SemanticScholarMetadata, data)


def s2_id(paper: Paper) -> str | None:
    """Return the id Semantic Scholar is asked about: ARXIV:<id>, else DOI:<doi>."""
    links = paper.record.links
    if links.arxiv:
        return f"ARXIV:{bare_id(links.arxiv)}"
    if links.doi:
        return f"DOI:{links.doi}"
    return None


def exact_matches(title: str, entries: Sequence[ArxivEntry]) -> list[ArxivEntry]:
    """Keep the entries whose title is the same as this one (case, accents, punctuation aside)."""
    wanted = normalize_title(title)
    found = {e.arxiv_id: e for e in entries if e.title and normalize_title(e.title) == wanted}
    return list(found.values())


# ---- the sources -------------------------------------------------------------------------------


@dataclass
class MetadataStore:
    """Read and write the `metadata:` section of a paper's enrichment file.

    Each file is read once per run and kept: a run reads every paper's answers several times
    (three services, then the fill), and YAML is slow to parse at thousands of papers. Only
    this run writes these files meanwhile, so the kept copy stays true.
    """

    data_dir: Path
    _files: dict[str, EnrichmentRecord] = field(default_factory=dict, repr=False)

    def _file(self, paper_id: str) -> EnrichmentRecord:
        if paper_id not in self._files:
            self._files[paper_id] = read_enrichment(self.data_dir, paper_id)
        return self._files[paper_id]

    def read(self, paper_id: str) -> MetadataEnrichment:
        """Return the paper's metadata section (empty when it has none)."""
        return self._file(paper_id).metadata or MetadataEnrichment()

    def save(self, paper_id: str, **section: Any) -> None:
        """Replace the given parts of the paper's metadata section, keeping the rest."""
        current = self._file(paper_id)
        metadata = self.read(paper_id).model_copy(update=section)
        updated = current.model_copy(update={"metadata": metadata})
        atomic_write(
            enrichment_path(self.data_dir, paper_id), dump_model(updated, schema="enrichment")
        )
        self._files[paper_id] = updated


def _stored_lookup(value: ArxivMetadata | SemanticScholarMetadata | None) -> Any:
    if value is None:
        return None
    return Stored(value, value.status != "error", value.input_hash, value.fetched)


@dataclass
class ArxivIdSource:
    """arXiv asked about the records' ids, many per request."""

    store: MetadataStore
    client: ArxivClient
    source_url: str
    batch_size: int = MAX_IDS_PER_REQUEST
    now: Callable[[], datetime] = utc_now
    service: str = "arXiv"

    def plan(self, paper: Paper) -> Ask[str] | Skip:
        """Ask about the record's arXiv id."""
        arxiv = paper.record.links.arxiv
        if not arxiv:
            return Skip("no arXiv id (an exact-title search is made instead)")
        return Ask(arxiv, input_hash("arxiv-id", arxiv))

    def stored(self, paper: Paper) -> Stored[ArxivMetadata] | None:
        """Return the stored arXiv answer."""
        return _stored_lookup(self.store.read(paper.id).arxiv)  # type: ignore[no-any-return]

    def fetch(
        self, jobs: Sequence[Job[str, ArxivMetadata]], meter: CallMeter
    ) -> Mapping[str, Outcome[ArxivMetadata]]:
        """Ask for every id of the batch in one request."""
        fetched = self.now()
        try:
            answer = self.client.fetch_ids([job.request for job in jobs], meter)
        except ArxivFailure as exc:
            return {
                job.paper.id: Failed(
                    str(exc),
                    record=arxiv_record(
                        None,
                        by="id",
                        asked=job.request,
                        source=self.source_url,
                        fetched=fetched,
                        error=str(exc),
                    ),
                    outage=True,
                )
                for job in jobs
            }
        return {
            job.paper.id: Found(
                arxiv_record(
                    answer.entries.get(bare_id(job.request)),
                    by="id",
                    asked=job.request,
                    source=self.source_url,
                    fetched=fetched,
                )
            )
            for job in jobs
        }

    def save(self, paper_id: str, result: ArxivMetadata) -> None:
        """Store arXiv's answer in the paper's metadata section."""
        self.store.save(paper_id, arxiv=result)

    def describe(self, paper_id: str, outcome: Outcome[ArxivMetadata]) -> str:
        """Return the progress line for one paper."""
        if isinstance(outcome, Failed):
            return f"{paper_id}: arXiv: failed: {outcome.reason}"
        found = outcome.result
        if found.status == "not-found":
            return f"{paper_id}: arXiv: no paper with the id {found.input}"
        return f"{paper_id}: arXiv: {found.arxiv_id} {found.title!r}"

    def outage_message(self, in_row: int) -> str:
        """Say that arXiv is failing, and what to do."""
        return f"{in_row} requests in a row to arXiv failed; try later (stored answers are kept)"


@dataclass
class ArxivTitleSource(ArxivIdSource):
    """arXiv searched for the exact titles of records without an id, one title per request."""

    batch_size: int = 1

    def plan(self, paper: Paper) -> Ask[str] | Skip:
        """Search for the title of a record that has no arXiv id."""
        if paper.record.links.arxiv:
            return Skip("has an arXiv id", by_person=True)
        if not paper.record.title:
            return Skip("no title and no arXiv id to look for")
        return Ask(paper.record.title, input_hash("arxiv-title", paper.record.title))

    def fetch(
        self, jobs: Sequence[Job[str, ArxivMetadata]], meter: CallMeter
    ) -> Mapping[str, Outcome[ArxivMetadata]]:
        """Search each title; only an exact match counts (several are left to a person)."""
        outcomes: dict[str, Outcome[ArxivMetadata]] = {}
        for job in jobs:
            fetched = self.now()
            try:
                matches = exact_matches(job.request, self.client.search_title(job.request, meter))
            except ArxivFailure as exc:
                error = arxiv_record(
                    None,
                    by="title",
                    asked=job.request,
                    source=self.source_url,
                    fetched=fetched,
                    error=str(exc),
                )
                outcomes[job.paper.id] = Failed(str(exc), record=error, outage=True)
                continue
            only = matches[0] if len(matches) == 1 else None
            outcomes[job.paper.id] = Found(
                arxiv_record(
                    only, by="title", asked=job.request, source=self.source_url, fetched=fetched
                )
            )
        return outcomes

    def describe(self, paper_id: str, outcome: Outcome[ArxivMetadata]) -> str:
        """Return the progress line for one title search."""
        if isinstance(outcome, Failed):
            return f"{paper_id}: arXiv title search: failed: {outcome.reason}"
        found = outcome.result
        if found.status == "not-found":
            return f"{paper_id}: arXiv title search: no single exact match"
        return f"{paper_id}: arXiv title search: proposes {found.arxiv_id} (flagged for review)"


@dataclass
class SemanticScholarSource:
    """Semantic Scholar asked about the records' arXiv ids or DOIs, many per request."""

    store: MetadataStore
    client: SemanticScholarClient
    source_url: str
    batch_size: int = 500
    now: Callable[[], datetime] = utc_now
    service: str = "Semantic Scholar"

    def plan(self, paper: Paper) -> Ask[str] | Skip:
        """Ask by arXiv id, else by DOI."""
        asked = s2_id(paper)
        if asked is None:
            return Skip("no arXiv id or DOI to ask Semantic Scholar about")
        return Ask(asked, input_hash("s2", asked))

    def stored(self, paper: Paper) -> Stored[SemanticScholarMetadata] | None:
        """Return the stored Semantic Scholar answer."""
        return _stored_lookup(self.store.read(paper.id).semantic_scholar)  # type: ignore[no-any-return]

    def fetch(
        self, jobs: Sequence[Job[str, SemanticScholarMetadata]], meter: CallMeter
    ) -> Mapping[str, Outcome[SemanticScholarMetadata]]:
        """Ask about the whole batch in one request."""
        fetched = self.now()
        try:
            answer = self.client.fetch_batch([job.request for job in jobs], meter)
        except S2Failure as exc:
            return {
                job.paper.id: Failed(
                    str(exc),
                    record=s2_record(
                        None,
                        asked=job.request,
                        source=self.source_url,
                        fetched=fetched,
                        error=str(exc),
                    ),
                    outage=True,
                )
                for job in jobs
            }
        return {
            job.paper.id: Found(
                s2_record(
                    answer.get(job.request),
                    asked=job.request,
                    source=self.source_url,
                    fetched=fetched,
                )
            )
            for job in jobs
        }

    def save(self, paper_id: str, result: SemanticScholarMetadata) -> None:
        """Store Semantic Scholar's answer in the paper's metadata section."""
        self.store.save(paper_id, semantic_scholar=result)

    def describe(self, paper_id: str, outcome: Outcome[SemanticScholarMetadata]) -> str:
        """Return the progress line for one paper."""
        if isinstance(outcome, Failed):
            return f"{paper_id}: Semantic Scholar: failed: {outcome.reason}"
        found = outcome.result
        if found.status == "not-found":
            return f"{paper_id}: Semantic Scholar: does not know {found.input}"
        cites = f", {found.citations} citations" if found.citations is not None else ""
        return f"{paper_id}: Semantic Scholar: {found.venue or 'no venue'}{cites}"

    def outage_message(self, in_row: int) -> str:
        """Say that Semantic Scholar is failing, and what to do."""
        return (
            f"{in_row} requests in a row to Semantic Scholar failed; try later, or set"
            " S2_API_KEY for a key's own rate limit (stored answers are kept)"
        )
