"""Turn extracted PDF fields into draft paper records and write them into the data directory."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import TypeAdapter, ValidationError

from generator.authoring.ingest.extract import PdfFields
from generator.authoring.ingest.sandbox import DEFAULT_LIMITS, IngestError, Limits, extract_pdf
from generator.enrich.metadata_fill import arxiv_wins
from generator.records.ids import derive_id, free_id, slugify
from generator.records.keys import PaperIndex, PaperKey, record_keys
from generator.records.models import (
    ARXIV_PATTERN,
    DOI_PATTERN,
    ArxivMetadata,
    Institution,
    Line,
    PaperRecord,
    Prose,
    check_id,
)
from generator.records.parse import display_path
from generator.records.registry import InstitutionRegistry
from generator.records.store import atomic_write, dump_model, save_enrichment
from generator.records.stored import read_stored_papers

Status = Literal["written", "drafted", "duplicate", "failed"]
Corrector = Callable[[PdfFields, Path], PdfFields]
# asks arXiv about the id a PDF carries (add_arxiv.IngestArxiv)
ArxivAsker = Callable[[str], ArxivMetadata]

_LINE: TypeAdapter[str] = TypeAdapter(Line)
_PROSE: TypeAdapter[str] = TypeAdapter(Prose)
_SOURCE = re.compile(r"sha256 ([0-9a-f]{16})")
ALWAYS_REVIEW = (
    "techniques: pick 1 to 4 technique ids from data/techniques.yaml",
    "check title, authors and abstract against the PDF, then delete these review lines",
)


@dataclass
class IngestResult:
    """What happened to one PDF."""

    source: Path
    status: Status
    message: str
    paper_id: str | None = None
    path: Path | None = None
    record: PaperRecord | None = None
    text: str | None = None
    # what the PDF library warned about while reading this file (ingest --verbose shows it)
    warnings: list[str] = field(default_factory=list)


@dataclass
class Known:
    """The papers already in a data directory, indexed for duplicate detection."""

    index: PaperIndex = field(default_factory=PaperIndex)
    # digest of the PDF a record was drafted from (kept in its review notes) -> paper id
    pdfs: dict[str, str] = field(default_factory=dict)
    ids: set[str] = field(default_factory=set)

    def add(self, paper_id: str, keys: Iterable[PaperKey], review: Iterable[str]) -> None:
        """Index one paper under its identity keys and the PDF it was drafted from."""
        self.ids.add(paper_id)
        self.index.add(paper_id, keys)
        for digest in _pdf_digests(review):
            self.pdfs.setdefault(digest, paper_id)

    def find(self, record: PaperRecord) -> tuple[str, str] | None:
        """Return (existing id, why) when the record is already known."""
        found = self.index.find(record_keys(record))
        if found is not None:
            return found[0], found[1].label
        for digest in _pdf_digests(record.review):
            if digest in self.pdfs:
                return self.pdfs[digest], "PDF"
        return None


def _pdf_digests(review: Iterable[str]) -> list[str]:
    return [match.group(1) for entry in review if (match := _SOURCE.search(entry))]


def known_papers(data_dir: Path) -> Known:
    """Index every paper file in DATA/papers (invalid ones count too: they hold a paper)."""
    known = Known()
    for stored in read_stored_papers(data_dir):
        known.add(stored.id, stored.keys, stored.review)
    return known


def load_registry(data_dir: Path) -> InstitutionRegistry:
    """Read the institution registry, or an empty one when there is none yet."""
    from generator.records.models import InstitutionsFile
    from generator.records.parse import read_model

    path = data_dir / "institutions.yaml"
    if not path.is_file():
        return InstitutionRegistry.build([])[0]
    parsed, _doc, _problems = read_model(path, InstitutionsFile)
    return InstitutionRegistry.build(parsed.institutions if parsed else [])[0]


def collect_pdfs(inputs: Iterable[Path]) -> tuple[list[Path], list[IngestResult]]:
    """Expand directories into their PDFs; refuse symlinks that lead out of their folder."""
    found: list[Path] = []
    refused: list[IngestResult] = []
    for given in inputs:
        given = Path(given)
        if not given.is_dir():
            found.append(given)
            continue
        root = given.resolve()
        for path in sorted(given.iterdir()):
            if path.suffix.lower() != ".pdf":
                continue
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    refused.append(
                        IngestResult(
                            path,
                            "failed",
                            f"{path}: a symlink to {target}, outside {given}; copy the PDF into"
                            " the folder if you mean it",
                        )
                    )
                    continue
            found.append(path)
    return found, refused


def file_digest(path: Path) -> str:
    """Return the first 16 hex digits of a file's SHA-256 (identifies the PDF in review notes)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _valid_line(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())[:limit].strip()
    try:
        return _LINE.validate_python(value)
    except ValidationError:
        return None


def resolve_affiliation(name: str, registry: InstitutionRegistry) -> Institution | None:
    """Find an affiliation in the registry: whole, then by its comma-separated parts."""
    candidates = [name, *re.split(r"\s*(?:,|;|&|\band\b)\s*", name)]
    for candidate in candidates:
        candidate = candidate.strip()
        if len(candidate) >= 2:
            inst = registry.resolve(candidate)
            if inst is not None:
                return inst
    return None


def _suggest(name: str, registry: InstitutionRegistry) -> list[str]:
    """Suggest known institutions for the part of an affiliation that names one."""
    for part in [p.strip() for p in re.split(r"\s*[,;]\s*", name)][::-1]:
        if 1 <= len(part.split()) <= 6:
            close = registry.suggest(part, n=2)
            if close:
                return close
    return []


def build_record(
    fields: PdfFields,
    registry: InstitutionRegistry,
    *,
    source: str,
    digest: str,
    today: date,
) -> PaperRecord:
    """Make a draft record from extracted fields; what is missing goes into `review`."""
    review: list[str] = []
    title = _valid_line(fields.title, 500)
    if title is None:
        review.append("title: not found in the PDF; copy it from the first page")
    authors = [a for a in (_valid_line(n, 200) for n in fields.authors) if a]
    if not authors:
        review.append("authors: not found in the PDF; list them in order and set author_count")
    abstract: str | None = None
    if fields.abstract:
        try:
            abstract = _PROSE.validate_python(fields.abstract[:20000])
        except ValidationError:
            abstract = None
    if abstract is None:
        review.append("abstract: not found in the PDF; copy it from the paper")
    institutions: list[str] = []
    unresolved: list[str] = []
    for affiliation in fields.affiliations:
        inst = resolve_affiliation(affiliation, registry)
        if inst is None:
            unresolved.append(affiliation)
        elif inst.en not in institutions:
            institutions.append(inst.en)
    for name in unresolved:
        close = _suggest(name, registry)
        hint = (
            f"did you mean {' or '.join(repr(c) for c in close)}?"
            if close
            else "add it to data/institutions.yaml"
        )
        shown = _valid_line(name, 160) or "an affiliation"
        review.append(f"institutions: {shown!r} is not in the registry; {hint}")
    if not fields.affiliations:
        review.append(
            "institutions: no affiliation found in the PDF; add the authors' institutions"
        )
    arxiv = fields.arxiv if fields.arxiv and re.fullmatch(ARXIV_PATTERN, fields.arxiv) else None
    doi = (
        fields.doi
        if fields.doi and re.fullmatch(DOI_PATTERN, fields.doi) and len(fields.doi) <= 300
        else None
    )
    review.extend(n for n in (_valid_line(note, 300) for note in fields.notes) if n)
    review.extend(ALWAYS_REVIEW)
    review.append(f"source: drafted by `paperbrief ingest` from {source} (sha256 {digest})")
    data = {
        "title": title,
        "institutions": institutions,
        "author_count": len(authors) or None,
        "authors": authors or None,
        "abstract": abstract,
        "year": fields.year,
        "links": {"arxiv": arxiv, "doi": doi},
        "added": today,
        "review": [r for r in (_valid_line(r, 1000) for r in review) if r],
    }
    return PaperRecord.model_validate(data)


def choose_id(record: PaperRecord, source: Path, taken: set[str]) -> str:
    """Derive a free paper id from the title (or the file name when there is no title)."""
    if record.title:
        base = derive_id(record.title, record.links.arxiv)
    else:
        base = slugify(source.stem)[:60].strip("-") or "paper"
        try:
            base = check_id(base)
        except ValueError:
            base = "paper-" + hashlib.sha256(source.name.encode()).hexdigest()[:8]
    return free_id(base, taken)


def ingest_pdfs(
    inputs: Iterable[Path],
    data_dir: Path,
    *,
    write: bool = True,
    correct: Corrector | None = None,
    limits: Limits = DEFAULT_LIMITS,
    today: date | None = None,
    extract: Callable[[Path, Limits], PdfFields] = extract_pdf,
    arxiv: ArxivAsker | None = None,
) -> list[IngestResult]:
    """Draft a record for every PDF; one bad PDF is reported and the others go on.

    With `arxiv`, a PDF that carries an arXiv id takes arXiv's title, authors and abstract
    (it keeps its affiliations), and arXiv's answer is stored beside the record.
    """
    pdfs, results = collect_pdfs(inputs)
    registry = load_registry(data_dir)
    known = known_papers(data_dir)
    for pdf in pdfs:
        try:
            fields = extract(pdf, limits)
            if correct is not None:
                fields = correct(fields, pdf)
            record = build_record(
                fields,
                registry,
                source=pdf.name,
                digest=file_digest(pdf),
                today=today or date.today(),
            )
            metadata = None
            if arxiv is not None and record.links.arxiv:
                answer = arxiv(record.links.arxiv)
                record, metadata = arxiv_wins(record, answer, today or date.today())
        except IngestError as exc:
            results.append(IngestResult(pdf, "failed", str(exc)))
            continue
        except OSError as exc:
            results.append(IngestResult(pdf, "failed", f"{pdf}: cannot read it ({exc.strerror})"))
            continue
        existing = known.find(record)
        if existing:
            other, why = existing
            results.append(
                IngestResult(
                    pdf,
                    "duplicate",
                    f"{pdf}: already in the collection as {other} (same {why})",
                    paper_id=other,
                    warnings=fields.reader_warnings,
                )
            )
            continue
        paper_id = choose_id(record, pdf, known.ids)
        path = data_dir / "papers" / f"{paper_id}.yaml"
        text = dump_model(record, schema="paper")
        if write:
            try:
                atomic_write(path, text, create_only=True)
            except FileExistsError:
                results.append(
                    IngestResult(
                        pdf, "failed", f"{display_path(path)} appeared meanwhile; run again"
                    )
                )
                continue
            if metadata is not None:
                save_enrichment(data_dir, paper_id, metadata=metadata)
        known.add(paper_id, record_keys(record), record.review)
        open_items = len(record.review) - len(ALWAYS_REVIEW) - 1
        # a draft that is only printed names no file: nothing was written
        done = f"wrote {display_path(path)}" if write else f"drafted {paper_id} (not written)"
        message = done + (f" ({open_items} field(s) to review)" if open_items else "")
        results.append(
            IngestResult(
                pdf,
                "written" if write else "drafted",
                message,
                paper_id,
                path,
                record,
                text,
                fields.reader_warnings,
            )
        )
    return results
