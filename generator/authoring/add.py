"""Draft a new paper record from a Scholar lookup (or the given fields), for a contributor to complete.

Drafting from arXiv and Semantic Scholar (`add --arxiv`, `--doi`, and `--title` first) is in
add_arxiv.py; it falls back on this Scholar path when arXiv has no exact title match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from generator.enrich.scholar import ScholarSettings, best_candidate, enrichment_from, utc_now
from generator.enrich.sources.scholar.lookup import Lookup
from generator.errors import ConfigError
from generator.records.ids import derive_id
from generator.records.keys import PaperIndex, paper_keys
from generator.records.models import (
    ARXIV_PATTERN,
    Line,
    Links,
    PaperRecord,
    ScholarEnrichment,
    check_id,
)
from generator.records.parse import display_path
from generator.records.store import atomic_write, dump_model, save_enrichment
from generator.records.stored import read_stored_papers

_ARXIV_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arXiv:)(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE
)
_DOI_IN_URL = re.compile(r"(?:doi\.org/|/doi/(?:abs/|full/|pdf/|epdf/)?)(10\.\d{4,9}/[^?#\s]+)")
_ALWAYS_REVIEW = (
    "institutions: add the authors' institutions (names as in data/institutions.yaml)",
    "techniques: choose 1 to 4 technique ids from data/techniques.yaml",
    "abstract: paste the paper's abstract",
)


@dataclass(frozen=True)
class Draft:
    """A drafted record and how it was made."""

    paper_id: str
    path: Path
    record: PaperRecord
    # where the fields came from: "arxiv", "semantic-scholar", "scholar", or "given"
    source: str
    note: str
    enrichment_path: Path | None = None


def find_existing(
    data_dir: Path, title: str | None, arxiv: str | None, doi: str | None = None
) -> str | None:
    """Return the record file that already holds this paper (same arXiv id, DOI or title), if any."""
    stored = read_stored_papers(data_dir)
    index = PaperIndex()
    for paper in stored:
        index.add(paper.id, paper.keys)
    found = index.find(paper_keys(title=title, arxiv=arxiv, doi=doi))
    if found is None:
        return None
    paper_id, key = found
    path = next(paper.path for paper in stored if paper.id == paper_id)
    shown = f" {key.value}" if key.kind in ("arxiv", "doi") else ""
    return f"{display_path(path)} has the same {key.label}{shown}"


def _links_from(found: ScholarEnrichment | None, arxiv: str | None) -> Links:
    texts = [t for t in (found.pub_url, found.eprint_url, found.venue) if t] if found else []
    if arxiv is None:
        arxiv = next((m.group(1) for t in texts if (m := _ARXIV_IN_TEXT.search(t))), None)
    doi = None
    pdf = None
    if found is not None:
        doi = next(
            (
                m.group(1)
                for t in (found.pub_url, found.eprint_url)
                if t and (m := _DOI_IN_URL.search(t))
            ),
            None,
        )
        eprint = found.eprint_url
        if eprint and (eprint.lower().endswith(".pdf") or "/pdf/" in eprint):
            pdf = eprint
    try:
        return Links(arxiv=arxiv, doi=doi, pdf=pdf)
    except ValidationError:
        return Links(arxiv=arxiv)


def build_record(
    title: str,
    arxiv: str | None,
    found: ScholarEnrichment | None,
    today: date,
    review_note: str | None,
    *,
    authors_truncated: bool = False,
    doi: str | None = None,
) -> PaperRecord:
    """Assemble the draft: Scholar's fields when it matched, the given ones otherwise."""
    review: list[str] = []
    if review_note:
        review.append(review_note)
    authors: list[str] | None = None
    author_count: int | None = None
    year = venue = None
    if found is not None and found.status == "match":
        year, venue = found.year, found.venue
        if found.authors and not authors_truncated:
            authors, author_count = list(found.authors), len(found.authors)
            review.append(
                "authors: copied from Scholar, which abbreviates first names; check them against the paper"
            )
        elif found.authors:
            shown = ", ".join(found.authors)
            review.append(
                f"authors: Scholar shows only the first ones ({shown}, …); list all and set author_count"
            )
    if authors is None and not any(r.startswith("authors:") for r in review):
        review.append("authors: list the authors in order and set author_count")
    if year is None:
        review.append("year: add the publication year")
    if venue is not None and venue.endswith("\u2026"):
        # Scholar cut the venue name short: a partial name is worse than none
        review.append(f"venue: Scholar shows only {venue!r}; write the full venue")
        venue = None
    elif venue is None:
        review.append(
            "venue: add where it appeared (e.g. 'ICLR 2026') and venue_status (published,"
            " accepted, under-review, withdrawn or preprint)"
        )
    review.extend(_ALWAYS_REVIEW)
    return PaperRecord.model_validate(
        {
            "title": title,
            "author_count": author_count,
            "authors": authors,
            "venue": venue,
            "year": year,
            "links": _links_from(
                found if found and found.status == "match" else None, arxiv
            ).model_copy(update={"doi": doi} if doi else {}),
            "added": today,
            "review": review,
        }
    )


def draft_paper(
    data_dir: Path,
    title: str,
    *,
    arxiv: str | None = None,
    doi: str | None = None,
    paper_id: str | None = None,
    offline: bool = False,
    settings: ScholarSettings | None = None,
    lookup: Lookup | None = None,
    today: date | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Draft:
    """Draft data/papers/<id>.yaml from Scholar (or from the given fields alone)."""
    settings = settings or ScholarSettings()
    try:
        title = TypeAdapter(Line).validate_python(title)
    except ValidationError as exc:
        raise ConfigError(
            f"--title {title!r}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}"
        ) from exc
    if arxiv is not None:
        arxiv = arxiv.strip().removeprefix("arXiv:").removeprefix("arxiv:")
        if not re.fullmatch(ARXIV_PATTERN, arxiv):
            raise ConfigError(f"--arxiv {arxiv!r}: write the bare arXiv id, e.g. 2510.01234")
    duplicate = find_existing(data_dir, title, arxiv, doi)
    if duplicate:
        raise ConfigError(f"this paper is already in the collection: {duplicate}")
    try:
        new_id = check_id(paper_id) if paper_id else derive_id(title, arxiv)
    except ValueError as exc:
        raise ConfigError(f"--id: {exc}") from exc
    path = data_dir / "papers" / f"{new_id}.yaml"
    if path.exists():
        raise ConfigError(
            f"{display_path(path)} already exists (another paper); choose an id with --id"
        )

    found: ScholarEnrichment | None = None
    truncated = False
    review_note: str | None
    if offline:
        note = "drafted offline from the given fields only; Scholar was not asked"
        review_note = "scholar: not looked up (drafted offline); fill the fields below by hand"
    else:
        active = lookup or settings.make_lookup()
        try:
            result = active(title)
        finally:
            if lookup is None and hasattr(active, "close"):
                active.close()
        found = enrichment_from(result, title, threshold=settings.threshold, fetched=now())
        best = best_candidate(title, result.candidates)
        truncated = best is not None and best[0].authors_truncated
        note, review_note = _explain(found)
    record = build_record(
        title,
        arxiv,
        found,
        today or date.today(),
        review_note,
        authors_truncated=truncated,
        doi=doi,
    )
    atomic_write(path, dump_model(record, schema="paper"), create_only=True)
    saved: Path | None = None
    if found is not None and found.status != "error":
        # the answer is stored too, so `enrich --scholar` need not ask Scholar again
        save_enrichment(data_dir, new_id, scholar=found)
        saved = data_dir / "enrichment" / f"{new_id}.yaml"
    source = "scholar" if found is not None and found.status == "match" else "given"
    return Draft(
        paper_id=new_id, path=path, record=record, source=source, note=note, enrichment_path=saved
    )


def _explain(found: ScholarEnrichment) -> tuple[str, str | None]:
    if found.status == "match":
        return f"drafted from Scholar (title similarity {found.similarity:g})", None
    if found.status == "no-match":
        if found.matched_title:
            best = f"best candidate {found.matched_title!r}, similarity {found.similarity:g}"
            return (
                f"Scholar had no confident match ({best}); drafted from the given fields only",
                f"scholar: no confident match ({best}); fill the fields below by hand",
            )
        return (
            "Scholar found nothing for this title; drafted from the given fields only",
            "scholar: no result for this title; fill the fields below by hand",
        )
    return (
        f"Scholar lookup failed ({found.error}); drafted from the given fields only",
        "scholar: lookup failed; fill the fields below by hand or run `paperbrief enrich --scholar` later",
    )
