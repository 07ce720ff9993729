"""Turn a Markdown report into paper and report records, cleaning and flagging what it meets."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError

from generator.authoring.reportmd import (
    INSTITUTION_SEPARATOR,
    REPORT_SIZE_CAP,
    ParsedReport,
    ReportEntry,
    parse_report,
)
from generator.errors import ImportFailed
from generator.records.brief_parts import split_brief
from generator.records.collection import Collection
from generator.records.datafile import FileRefused, read_data_file
from generator.records.ids import derive_id, free_id
from generator.records.keys import PaperIndex, normalize_title, paper_keys, record_keys
from generator.records.load import load_collection
from generator.records.models import (
    Institution,
    PaperRecord,
    ReportRecord,
    Technique,
    VenueStatus,
)
from generator.records.registry import InstitutionRegistry, normalize_name
from generator.records.store import atomic_write, dump_model

# Headers that conference templates print above the title and PDF-to-text glues onto it.
_VENUE_HEADER = re.compile(
    r"^(?:(?:Under review|Published|Accepted)\s+as\s+an?\s+(?:conference|workshop|journal)\s+paper\s+at"
    r"|Accepted\s+(?:at|to|by)|Preprint[.:]?\s+Under\s+review\s+at)\s+"
    r"(?P<venue>[A-Z][A-Za-z\-]*(?:\s+[A-Z][A-Za-z\-]*)?\s+\d{4})\s+",
)
_COMPANY_SUFFIX = re.compile(r"(?:Inc|Ltd|LLC|Co|Corp|GmbH|S\.?A|AG)\.?", re.IGNORECASE)
# Parts of an affiliation string that name a unit inside an institution, not an institution.
_UNIT_WORDS = re.compile(
    r"\b(department|dept\.?|school|faculty|lab|laboratory|center|centre|institute for|college of|"
    r"division|program|key laboratory)\b",
    re.IGNORECASE,
)


@dataclass
class Note:
    """One data-quality observation about one paper of the report."""

    number: int
    field: str
    message: str

    def format(self) -> str:
        """Render as '#7 title: …'."""
        return f"#{self.number} {self.field}: {self.message}"


@dataclass
class ImportPlan:
    """What an import would write, and what it noticed."""

    report_id: str
    report: ReportRecord
    papers: dict[str, PaperRecord]
    existing: dict[int, str]
    new: dict[int, str]
    notes: list[Note] = field(default_factory=list)
    write_report: bool = True


@dataclass
class ImportResult:
    """What an import did."""

    plan: ImportPlan
    written: list[Path]


@dataclass(frozen=True)
class VenueHeader:
    """A venue named in a header above the title, with the status the header states."""

    name: str
    status: VenueStatus


def clean_title(
    raw: str | None, abstract: str | None, number: int, notes: list[Note]
) -> tuple[str | None, VenueHeader | None]:
    """Undo the title defects PDF-to-text leaves; return (title, venue header)."""
    if raw is None:
        notes.append(
            Note(
                number, "title", "missing in the source report; kept missing and flagged for review"
            )
        )
        return None, None
    title = raw.strip()
    venue = None
    match = _VENUE_HEADER.match(title)
    if match:
        venue = VenueHeader(match.group("venue"), _header_status(match.group(0)))
        title = title[match.end() :]
        notes.append(
            Note(
                number,
                "title",
                "removed the venue header glued to the title; venue set to"
                f" {venue.name!r} ({venue.status})",
            )
        )
    words = title.split()
    half = len(words) // 2
    if (
        len(words) >= 4
        and len(words) % 2 == 0
        and [w.casefold() for w in words[:half]] == [w.casefold() for w in words[half:]]
    ):
        first, second = " ".join(words[:half]), " ".join(words[half:])
        # keep the copy that is not all capitals: it carries the authors' casing
        title = second if first.isupper() and not second.isupper() else first
        notes.append(Note(number, "title", "the title was printed twice; kept one copy"))
    if abstract:
        title = _rejoin_words(title, abstract, number, notes)
    return title, venue


def _header_status(header: str) -> VenueStatus:
    """Read the status a venue header states: under review, accepted or published."""
    lowered = header.lower()
    if "under review" in lowered:
        return "under-review"
    return "published" if lowered.startswith("published") else "accepted"


def _rejoin_words(title: str, abstract: str, number: int, notes: list[Note]) -> str:
    """Join words split by a line-break hyphen or a stray space, when the abstract has them whole."""
    vocabulary = {w.casefold() for w in re.findall(r"[\w\-]+", abstract)}
    tokens = title.split(" ")
    out: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        parts = token.split("-")
        core = token.strip(":,.;()")
        if (
            len(parts) == 2
            and all(p.isalpha() for p in core.split("-") if p)
            and core.count("-") == 1
            and core.replace("-", "").casefold() in vocabulary
            and core.casefold() not in vocabulary
        ):
            joined = token.replace("-", "", 1)
            notes.append(
                Note(number, "title", f"removed a line-break hyphen: {token!r} -> {joined!r}")
            )
            out.append(joined)
            i += 1
            continue
        merged = False
        for width in (3, 2):
            window = tokens[i : i + width]
            if len(window) < width:
                continue
            glued = "".join(window)
            core = glued.rstrip(":,.;")
            if (
                all(re.search(r"\w", w) for w in window)
                and any(
                    len(w.rstrip(":,.;")) <= 2 or len(w.rstrip(":,.;").rsplit("-", 1)[-1]) <= 1
                    for w in window
                )
                and core.casefold() in vocabulary
                and len(core) >= 2
            ):
                notes.append(
                    Note(
                        number,
                        "title",
                        f"removed stray spaces inside a word: {' '.join(window)!r} -> {glued!r}",
                    )
                )
                out.append(glued)
                i += width
                merged = True
                break
        if not merged:
            out.append(token)
            i += 1
    return " ".join(out)


def resolve_institutions(
    raw: str | None, registry: InstitutionRegistry, number: int, notes: list[Note]
) -> tuple[list[str], list[str]]:
    """Map an affiliation string to canonical English names; return (names, unknown parts)."""
    if raw is None:
        notes.append(
            Note(
                number,
                "institutions",
                "missing in the source report; kept missing and flagged for review",
            )
        )
        return [], []
    exact = _registry_names(raw, registry)
    if exact is not None:
        return exact, []
    names: list[str] = []
    unknown: list[str] = []
    parts: list[str] = []
    for piece in (p.strip() for p in re.split(r"[,;，；、]|与|和", raw)):
        if not piece:
            continue
        # "Futurewei Technologies, Inc": a company suffix belongs to the name before it
        if parts and _COMPANY_SUFFIX.fullmatch(piece):
            parts[-1] = f"{parts[-1]}, {piece}"
        else:
            parts.append(piece)
    for part in parts:
        inst = _find_institution(part, registry)
        if inst is None:
            inst_name = _complete_truncated(part, registry)
            if inst_name is not None:
                notes.append(
                    Note(number, "institutions", f"truncated name {part!r} read as {inst_name!r}")
                )
                if inst_name not in names:
                    names.append(inst_name)
                continue
            if _UNIT_WORDS.search(part) or (len(part) <= 3 and part.isupper()):
                notes.append(
                    Note(
                        number,
                        "institutions",
                        f"dropped {part!r}: a department or lab, not an institution",
                    )
                )
            else:
                unknown.append(part)
                notes.append(
                    Note(
                        number,
                        "institutions",
                        f"{part!r} is not in data/institutions.yaml; add it or correct the record",
                    )
                )
            continue
        if inst.en not in names:
            names.append(inst.en)
        if normalize_name(part) != normalize_name(inst.en) and registry.resolve(part) is None:
            notes.append(Note(number, "institutions", f"{part!r} read as {inst.en!r}"))
    return names, unknown


def _registry_names(raw: str, registry: InstitutionRegistry) -> list[str] | None:
    """Read a line of registered English names as the export writes it, or return None.

    Names may hold the separator themselves ("University of California, Berkeley"), so the
    line is cut into the fewest runs of pieces that are each a registered name, exactly.
    """
    english = {inst.en for inst in registry.by_id.values()}
    pieces = raw.strip().split(INSTITUTION_SEPARATOR)
    # best[i]: the fewest names covering pieces[i:], or None when they cannot be covered
    best: list[list[str] | None] = [None] * len(pieces) + [[]]
    for start in range(len(pieces) - 1, -1, -1):
        for end in range(len(pieces), start, -1):
            name = INSTITUTION_SEPARATOR.join(pieces[start:end])
            rest, current = best[end], best[start]
            fewer = rest is not None and (current is None or len(rest) + 1 < len(current))
            if name in english and rest is not None and fewer:
                best[start] = [name, *rest]
    found = best[0]
    return list(dict.fromkeys(found)) if found else None


def _find_institution(part: str, registry: InstitutionRegistry) -> Institution | None:
    """Resolve a part, or the longest run of its words that names an institution."""
    inst = registry.resolve(part)
    if inst is not None:
        return inst
    words = part.split()
    for width in range(len(words) - 1, 1, -1):
        for start in range(0, len(words) - width + 1):
            inst = registry.resolve(" ".join(words[start : start + width]))
            if inst is not None:
                return inst
    return None


def _complete_truncated(part: str, registry: InstitutionRegistry) -> str | None:
    """Read a cut-off name ('The University of Hong') as the one institution it starts."""
    key = normalize_name(part)
    if len(key) < 12:
        return None
    found = {inst.en for inst in registry.by_id.values() if normalize_name(inst.en).startswith(key)}
    return found.pop() if len(found) == 1 else None


def guess_techniques(text: str, techniques: dict[str, Technique], limit: int = 4) -> list[str]:
    """Pick up to `limit` technique ids whose labels or aliases occur in the text."""
    folded = text.casefold()
    scores: Counter[str] = Counter()
    for tech in techniques.values():
        for label in {tech.en, tech.zh, *tech.aliases}:
            needle = label.casefold()
            if len(needle) < 2:
                continue
            if needle.isascii():
                hits = len(re.findall(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", folded))
            else:
                hits = folded.count(needle)
            scores[tech.id] += hits
    ranked = sorted((s for s in scores.items() if s[1] > 0), key=lambda kv: (-kv[1], kv[0]))
    return [tech_id for tech_id, _ in ranked[:limit]]


def make_id(title: str | None, fallback: str, taken: set[str]) -> str:
    """Derive a short, valid, unused id from a title, or from `fallback` when there is none."""
    return free_id(derive_id(title) if title else fallback, taken)


def plan_import(
    parsed: ParsedReport, collection: Collection, *, added: date, report_id: str | None = None
) -> ImportPlan:
    """Work out every record an import would write, without writing anything."""
    notes: list[Note] = []
    entries = parsed.entries
    if parsed.declared_count is not None and parsed.declared_count != len(entries):
        notes.append(
            Note(
                0,
                "report",
                f"the header says {parsed.declared_count} papers but {len(entries)} were found",
            )
        )
    for entry in entries:
        if entry.brief_line == 0:
            notes.append(Note(entry.number, "brief", "no brief in the briefs section"))
        if entry.detail_line == 0:
            notes.append(Note(entry.number, "details", "no entry in the details section"))
        if (
            entry.brief_title
            and entry.detail_title
            and normalize_title(entry.brief_title) != normalize_title(entry.detail_title)
        ):
            notes.append(
                Note(
                    entry.number,
                    "title",
                    "the briefs and details sections print different titles; the details title is used",
                )
            )

    known = PaperIndex()
    for paper in collection.papers.values():
        known.add(paper.id, record_keys(paper.record))
    by_abstract = {
        normalize_title(p.record.abstract): p.id
        for p in collection.papers.values()
        if p.record.abstract
    }
    taken = set(collection.papers)
    papers: dict[str, PaperRecord] = {}
    existing: dict[int, str] = {}
    new: dict[int, str] = {}
    order: list[str] = []
    for entry in entries:
        paper_id, record = _plan_entry(
            entry, collection, added, notes, taken, known, by_abstract, parsed
        )
        order.append(paper_id)
        if record is None:
            existing[entry.number] = paper_id
        else:
            new[entry.number] = paper_id
            papers[paper_id] = record
            taken.add(paper_id)
    same_report = next(
        (
            r.id
            for r in collection.reports.values()
            if r.record.title == parsed.title and r.record.generated == parsed.generated
        ),
        None,
    )
    rid = (
        report_id
        or same_report
        or make_id(None, f"report-{parsed.generated:%Y-%m-%d}", set(collection.reports))
    )
    report = ReportRecord(title=parsed.title, generated=parsed.generated, papers=order)
    write_report = True
    if rid in collection.reports:
        if collection.reports[rid].record == report:
            write_report = False
        elif report_id is None:
            raise ImportFailed(
                f"report {rid!r} exists with other contents; pass --id to import under a new id"
            )
    return ImportPlan(rid, report, papers, existing, new, notes, write_report)


def _plan_entry(
    entry: ReportEntry,
    collection: Collection,
    added: date,
    notes: list[Note],
    taken: set[str],
    known: PaperIndex,
    by_abstract: dict[str, str],
    parsed: ParsedReport,
) -> tuple[str, PaperRecord | None]:
    n = entry.number
    raw_title = entry.detail_title or entry.brief_title
    title, venue = clean_title(raw_title, entry.abstract, n, notes)
    for candidate in (title, raw_title):
        found = known.find(paper_keys(title=candidate))
        if found is not None:
            return found[0], None
    if entry.abstract and normalize_title(entry.abstract) in by_abstract:
        return by_abstract[normalize_title(entry.abstract)], None
    review: list[str] = []
    if title is None:
        review.append("title: missing in the source report")
    if entry.abstract is None:
        notes.append(
            Note(n, "abstract", "missing in the source report; kept missing and flagged for review")
        )
        review.append("abstract: missing in the source report")
    if entry.author_count is None:
        notes.append(
            Note(
                n,
                "author_count",
                "missing in the source report; kept missing and flagged for review",
            )
        )
        review.append("author_count: missing in the source report")
    if entry.brief is None:
        review.append("brief: missing in the source report")
    else:
        notes += _brief_template_notes(n, entry.brief)
    names, unknown = resolve_institutions(entry.institutions, collection.institutions, n, notes)
    if entry.institutions is None:
        review.append("institutions: missing in the source report")
    review += [f"institutions: {u!r} is not in the registry" for u in unknown]
    text = " ".join(t for t in (title, entry.abstract, entry.brief) if t)
    techniques = guess_techniques(text, collection.techniques)
    if techniques:
        review.append("techniques: guessed from keywords; check them")
    else:
        review.append("techniques: none recognised; choose 1 to 4 from data/techniques.yaml")
    paper_id = make_id(title, f"{parsed.generated:%Y-%m-%d}-paper-{n}", taken)
    try:
        record = PaperRecord(
            title=title,
            institutions=names,
            author_count=entry.author_count,
            abstract=entry.abstract,
            venue=venue.name if venue else None,
            venue_status=venue.status if venue else None,
            techniques=techniques,
            added=added,
            brief=entry.brief,
            review=review,
        )
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ImportFailed(
            f"paper {n} (line {entry.detail_line or entry.brief_line}): {problems}"
        ) from None
    return paper_id, record


def _brief_template_notes(number: int, brief: str) -> list[Note]:
    """Say when a brief strays from the template its parts are read by (records/brief_parts.py)."""
    parts = split_brief(brief)
    if parts is not None and parts.template:
        return []
    how = (
        "its method, problem and effect cannot be read"
        if parts is None
        else "its method, problem and effect are read as far as it follows it"
    )
    return [
        Note(
            number,
            "brief",
            f"does not follow the template X发布了Y论文，使用…，解决了…，达成了…的效果; {how}"
            " (technique pages compare papers by them)",
        )
    ]


def import_report(
    path: Path,
    data_dir: Path,
    *,
    report_id: str | None = None,
    added: date | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a Markdown report into the data directory; all files are written or none."""
    try:
        text = read_data_file(path, REPORT_SIZE_CAP, follow_symlink=True).decode("utf-8")
    except FileRefused as exc:
        raise ImportFailed(f"{path}: cannot read the report: it {exc.message}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFailed(f"{path}: cannot read the report: {exc}") from None
    parsed = parse_report(text, path=str(path))
    collection = load_collection(data_dir)
    plan = plan_import(
        parsed, collection, added=added or parsed.generated.date(), report_id=report_id
    )
    if dry_run:
        return ImportResult(plan, [])
    files: dict[Path, str] = {
        data_dir / "papers" / f"{pid}.yaml": dump_model(rec, schema="paper")
        for pid, rec in plan.papers.items()
    }
    if plan.write_report:
        files[data_dir / "reports" / f"{plan.report_id}.yaml"] = dump_model(
            plan.report, schema="report"
        )
    written: list[Path] = []
    before: dict[Path, str | None] = {}
    try:
        for file_path, content in files.items():
            previous = file_path.read_text(encoding="utf-8") if file_path.exists() else None
            if previous == content:
                continue
            before[file_path] = previous
            atomic_write(file_path, content)
            written.append(file_path)
        load_collection(data_dir)
    except BaseException:
        # leave no partial import behind: restore what was there, remove what was new
        for file_path, previous in before.items():
            if previous is None:
                file_path.unlink(missing_ok=True)
            else:
                atomic_write(file_path, previous)
        raise
    return ImportResult(plan, written)
