"""Fill a record's missing fields from stored arXiv and Semantic Scholar answers; flag the rest.

The rules, in one place:
- only a field the record lacks is filled, and never one filled before (if it is missing now,
  a person removed it); a value a person wrote is never replaced;
- when arXiv's title differs from the record's, the id may point at another paper: nothing is
  filled from that answer, the difference is flagged;
- other disagreements (authors, first-version date, DOI) and suggestions (a venue from arXiv's
  journal reference or Semantic Scholar, an arXiv id found by an exact-title search) are
  flagged, never applied;
- a flag goes under the record's `review:` once; deleting it there is the person's answer;
- a fill the schema refuses (say, authors that disagree with author_count) becomes a flag.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from generator.enrich.sources.arxiv import bare_id
from generator.records.keys import normalize_title
from generator.records.models import (
    ArxivMetadata,
    FilledField,
    MetadataEnrichment,
    PaperRecord,
    SemanticScholarMetadata,
    Sources,
)
from generator.records.store import atomic_write, dump_model

SourceName = Literal["arXiv", "Semantic Scholar"]
SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/paper.schema.json"


@dataclass(frozen=True)
class Candidate:
    """One value an answer offers for a field the record lacks."""

    name: str  # "title", "links.pdf", ...
    value: Any
    source: SourceName
    note: str | None = None  # where it came from, for `sources:` when it is not arXiv


@dataclass(frozen=True)
class FillPlan:
    """What the stored answers change in one record, and what they flag."""

    record: PaperRecord
    filled: tuple[FilledField, ...] = ()
    flags: tuple[str, ...] = ()  # every current flag, new or already under review:
    new_flags: tuple[str, ...] = ()  # the flags this plan puts under review:

    @property
    def changed(self) -> bool:
        """Tell whether the record differs from the one planned from."""
        return bool(self.filled or self.new_flags)


def _names(names: Iterable[str]) -> list[str]:
    return [normalize_title(n) for n in names]


def _at_venue(record: PaperRecord) -> bool:
    status = record.venue_status
    return status in ("published", "accepted") or (status is None and record.venue is not None)


def _quote(text: str, limit: int = 120) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _arxiv_candidates(
    record: PaperRecord, arxiv: ArxivMetadata, flags: list[str]
) -> list[Candidate] | None:
    """Offer arXiv's values; None when its title disagrees (then nothing may be taken)."""
    shown = arxiv.arxiv_id or arxiv.input
    if (
        arxiv.title
        and record.title
        and normalize_title(arxiv.title) != normalize_title(record.title)
    ):
        flags.append(
            f"title: arXiv {shown} is titled {_quote(arxiv.title)}, the record says"
            f" {_quote(record.title)}; check links.arxiv and the title (nothing was filled from arXiv)"
        )
        return None
    offers: list[Candidate] = []
    if arxiv.title:
        offers.append(Candidate("title", arxiv.title, "arXiv"))
    if arxiv.authors:
        if record.authors and _names(record.authors) != _names(arxiv.authors):
            flags.append(
                f"authors: arXiv {shown} lists {len(arxiv.authors)} ({arxiv.authors[0]} …"
                f" {arxiv.authors[-1]}), the record {len(record.authors)}; check them"
            )
        offers.append(Candidate("authors", list(arxiv.authors), "arXiv"))
    if arxiv.abstract:
        offers.append(Candidate("abstract", arxiv.abstract, "arXiv"))
    if arxiv.published:
        if record.published and record.published != arxiv.published:
            flags.append(
                f"published: arXiv {shown} dates its first version {arxiv.published.isoformat()},"
                f" the record {record.published.isoformat()}; check it"
            )
        offers.append(Candidate("published", arxiv.published, "arXiv"))
    if arxiv.primary_category:
        offers.append(Candidate("arxiv_category", arxiv.primary_category, "arXiv"))
    if arxiv.pdf_url:
        offers.append(Candidate("links.pdf", arxiv.pdf_url, "arXiv"))
    if arxiv.doi:
        offers.append(Candidate("links.doi", arxiv.doi, "arXiv"))
    if record.venue is None and arxiv.journal_ref:
        flags.append(
            f"venue: arXiv's journal reference for {shown} says {_quote(arxiv.journal_ref)};"
            " if it is right, set venue and venue_status"
        )
    return offers


def _s2_candidates(
    record: PaperRecord, s2: SemanticScholarMetadata, with_arxiv: bool, flags: list[str]
) -> list[Candidate]:
    """Offer Semantic Scholar's values (the bibliographic ones only when arXiv had none)."""
    title = record.title
    if s2.title and title and normalize_title(s2.title) != normalize_title(title):
        flags.append(
            f"title: Semantic Scholar ({s2.input}) has {_quote(s2.title)}, the record"
            f" {_quote(title)}; check it (nothing was filled from Semantic Scholar)"
        )
        return []
    seen = f"Semantic Scholar, paper {s2.paper_id or s2.input}, fetched {s2.fetched.date().isoformat()}"
    offers: list[Candidate] = []
    if not with_arxiv:
        if s2.title:
            offers.append(Candidate("title", s2.title, "Semantic Scholar", seen))
        if s2.authors:
            offers.append(Candidate("authors", list(s2.authors), "Semantic Scholar", seen))
        if s2.publication_date:
            offers.append(Candidate("published", s2.publication_date, "Semantic Scholar", seen))
    if s2.doi:
        if record.links.doi and record.links.doi.lower() != s2.doi.lower():
            flags.append(
                f"links.doi: Semantic Scholar ({s2.input}) gives {s2.doi}, the record"
                f" {record.links.doi}; check it"
            )
        offers.append(Candidate("links.doi", s2.doi, "Semantic Scholar", seen))
    if s2.open_access_pdf:
        offers.append(Candidate("links.pdf", s2.open_access_pdf, "Semantic Scholar", seen))
    venue = s2.publication_venue or s2.venue
    if record.venue is None and venue and venue.casefold() not in {"arxiv", "arxiv.org"}:
        flags.append(
            f"venue: Semantic Scholar ({s2.input}) lists {_quote(venue)}; if the paper appeared"
            " there, set venue and venue_status"
        )
    return offers


def _proposal(record: PaperRecord, arxiv: ArxivMetadata, holders: Mapping[str, str]) -> str | None:
    """Flag an arXiv id found by an exact-title search (never applied: a person decides)."""
    if arxiv.status != "found" or arxiv.arxiv_id is None or record.links.arxiv:
        return None
    first = f", first version {arxiv.published.isoformat()}" if arxiv.published else ""
    base = bare_id(arxiv.arxiv_id)
    holder = holders.get(base)
    if holder is not None:
        return (
            f"links.arxiv: an exact-title search on arXiv found {base}"
            f" ({_quote(arxiv.title or '')}), the id of the record {holder!r}: the same paper"
            " twice? Keep one record"
        )
    return (
        f"links.arxiv: an exact-title search on arXiv found {base}"
        f" ({_quote(arxiv.title or '')}{first}); if it is this paper, set"
        f' links.arxiv: "{base}" and delete this line'
    )


def _current(record: PaperRecord, name: str) -> Any:
    if name.startswith("links."):
        return getattr(record.links, name.removeprefix("links."))
    return getattr(record, name)


def _with(data: dict[str, Any], candidate: Candidate) -> dict[str, Any]:
    updated = dict(data)
    if candidate.name.startswith("links."):
        updated["links"] = {**data["links"], candidate.name.removeprefix("links."): candidate.value}
    else:
        updated[candidate.name] = candidate.value
    source_field = candidate.name.removeprefix("links.")
    if candidate.note and source_field in Sources.model_fields:
        updated["sources"] = {**data.get("sources", {}), source_field: candidate.note}
    return updated


def _year_candidate(
    record: PaperRecord, data: dict[str, Any], filled: list[FilledField]
) -> Candidate | None:
    """Offer the first version's year to a paper not at a venue (the schema's rule for year)."""
    published = data.get("published")
    if record.year is not None or not isinstance(published, date) or _at_venue(record):
        return None
    source: SourceName = next((f.source for f in filled if f.name == "published"), "arXiv")
    return Candidate("year", published.year, source)


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {str(first['msg']).removeprefix('Value error, ')}"


def plan_fill(
    record: PaperRecord,
    meta: MetadataEnrichment,
    today: date,
    holders: Mapping[str, str] | None = None,
) -> FillPlan:
    """Work out which missing fields the stored answers fill and what they flag.

    `holders` maps the arXiv ids (without version) the collection's records hold to their
    paper ids, so a proposed id that another record already has is called out as a duplicate.
    """
    flags: list[str] = []
    offers: list[Candidate] = []
    arxiv = meta.arxiv
    by_id = arxiv is not None and arxiv.by == "id"
    if arxiv is not None and by_id and arxiv.status == "found":
        taken = _arxiv_candidates(record, arxiv, flags)
        offers += taken or []
        blocked = taken is None
    else:
        blocked = False
        if arxiv is not None and by_id and arxiv.status == "not-found":
            flags.append(f"links.arxiv: arXiv has no paper with the id {arxiv.input}; check the id")
        if arxiv is not None and not by_id:
            proposal = _proposal(record, arxiv, holders or {})
            if proposal:
                flags.append(proposal)
    s2 = meta.semantic_scholar
    if s2 is not None and s2.status == "found" and not blocked:
        offers += _s2_candidates(record, s2, with_arxiv=bool(offers), flags=flags)

    done = {f.name for f in meta.filled}
    data = record.model_dump()
    filled: list[FilledField] = []
    for candidate in offers:
        if candidate.name in done or _current(record, candidate.name) not in (None, []):
            continue
        trial = _with(data, candidate)
        try:
            PaperRecord.model_validate(trial)
        except ValidationError as exc:
            flags.append(
                f"{candidate.name}: {candidate.source} offers a value the record cannot take"
                f" ({_reason(exc)}); fill it by hand"
            )
            continue
        data = trial
        done.add(candidate.name)
        filled.append(FilledField(name=candidate.name, source=candidate.source, when=today))
    year = _year_candidate(record, data, filled)
    if year is not None and "year" not in done:
        trial = _with(data, year)
        try:
            PaperRecord.model_validate(trial)
        except ValidationError:
            pass  # the year stays for a person: citation_year falls back on published
        else:
            data = trial
            filled.append(FilledField(name="year", source=year.source, when=today))

    flags = list(dict.fromkeys(flags))
    new_flags = [f for f in flags if f not in meta.flags and f not in record.review]
    if new_flags:
        data["review"] = [*data["review"], *new_flags]
    updated = PaperRecord.model_validate(data) if (filled or new_flags) else record
    return FillPlan(updated, tuple(filled), tuple(flags), tuple(new_flags))


def rewrite_refusal(path: Path, before: PaperRecord) -> str | None:
    """Say why rewriting this record file would lose something a person wrote, if it would.

    The file is rewritten in the writer's form: nothing is lost when it holds no comment (only
    formatting changes) or already is in that form. Comments would be dropped.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"cannot read it ({exc.strerror})"
    body = text.splitlines()[1:] if text.startswith(SCHEMA_LINE) else text.splitlines()
    if not any("#" in line for line in body):
        return None
    # a '#' inside a value (a URL fragment, C#) is no comment when the writer wrote the file
    if text == dump_model(before, schema="paper"):
        return None
    return "it holds comments, which rewriting it would drop"


def write_record(path: Path, record: PaperRecord) -> None:
    """Write a paper record through the one writer (atomic, fields in schema order)."""
    atomic_write(path, dump_model(record, schema="paper"))


@dataclass
class FillOutcome:
    """What filling did to one record."""

    paper_id: str
    filled: list[FilledField] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    new_flags: list[str] = field(default_factory=list)
    refused: str | None = None  # why the file was left alone


# ---- a PDF's draft meets arXiv (ingest) ----------------------------------------------------------

# review entries of a PDF draft that arXiv's answer settles
_SETTLED_BY_ARXIV = ("title: not found", "authors: not found", "abstract: not found")
# below this title similarity (0-100) the PDF's arXiv id is taken to name another paper
SAME_PAPER_SIMILARITY = 60.0


def _similarity(a: str, b: str) -> float:
    from rapidfuzz.fuzz import ratio

    return float(ratio(normalize_title(a), normalize_title(b)))


def arxiv_wins(
    record: PaperRecord, arxiv: ArxivMetadata, today: date
) -> tuple[PaperRecord, MetadataEnrichment | None]:
    """Take arXiv's title, authors and abstract over a PDF draft's; fill the rest as enrich does.

    The draft keeps its affiliations. When arXiv gives no answer, or its title is far from the
    one read from the PDF (the id on the page may be another paper's), the draft stays as it
    was and the reason goes under review.
    """
    asked = arxiv.input
    if arxiv.status != "found" or arxiv.title is None:
        why = (
            f"arXiv has no paper with the id {asked} read from the PDF; check it"
            if arxiv.status == "not-found"
            else f"arXiv could not be asked about {asked} ({arxiv.error}); check title, authors"
            " and abstract against arXiv, or run `paperbrief enrich --metadata` later"
        )
        review = [*record.review, f"links.arxiv: {why}"]
        kept = record.model_copy(update={"review": review})
        return kept, (MetadataEnrichment(arxiv=arxiv) if arxiv.status == "not-found" else None)
    if record.title and _similarity(record.title, arxiv.title) < SAME_PAPER_SIMILARITY:
        flag = (
            f"links.arxiv: the PDF carries the id {asked}, but arXiv's paper of that id is"
            f" {_quote(arxiv.title)}; check the id (arXiv's fields were not taken)"
        )
        kept = record.model_copy(update={"review": [*record.review, flag]})
        return kept, MetadataEnrichment(arxiv=arxiv, flags=[flag])
    data = record.model_dump()
    taken: list[str] = []
    for name, value in (
        ("title", arxiv.title),
        ("authors", list(arxiv.authors) or None),
        ("abstract", arxiv.abstract),
    ):
        if value and value != data[name]:
            data[name] = value
            taken.append(name)
    if "authors" in taken:
        data["author_count"] = None  # derived from the authors
    data["review"] = [r for r in data["review"] if not r.startswith(_SETTLED_BY_ARXIV)]
    base = PaperRecord.model_validate(data)
    plan = plan_fill(base, MetadataEnrichment(arxiv=arxiv), today)
    filled = [FilledField(name=n, source="arXiv", when=today) for n in taken]
    meta = MetadataEnrichment(arxiv=arxiv, filled=[*filled, *plan.filled], flags=list(plan.flags))
    return plan.record, meta
