"""`new-report`: cut a dated report from papers of the collection and/or a folder of PDFs.

Papers come from the collection (added since a date or since the last report, of some
techniques, or named by id) and from the PDFs of a folder, ingested on the way. A report lists
them in the sample report's order: by title from A to Z, ignoring case, accents and
punctuation, then by id; papers without a title come last. A report is found again by its
title, so the same command run again changes nothing (and keeps the report's date).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from generator.authoring.ingest.draft import ALWAYS_REVIEW, Corrector, IngestResult
from generator.authoring.ingest.report import ingest_report_folder
from generator.authoring.ingest.sandbox import DEFAULT_LIMITS, Limits
from generator.errors import ConfigError, PaperbriefError, ValidationFailed
from generator.records.collection import Collection, Paper, Report
from generator.records.ids import free_id, slugify
from generator.records.keys import normalize_title
from generator.records.load import load_collection
from generator.records.models import ReportRecord, Technique, check_id
from generator.records.parse import display_path
from generator.records.store import atomic_write, dump_model
from generator.records.stored import read_stored_paper

BriefRunner = Callable[[Path, list[str]], list[str]]


@dataclass(frozen=True)
class ReportSelection:
    """Which papers of the collection a report takes.

    The date part (`since` or `since_last`) and the technique part narrow each other; papers
    named in `paper_ids` are added to what they give.
    """

    since: date | None = None
    since_last: bool = False
    techniques: tuple[str, ...] = ()
    paper_ids: tuple[str, ...] = ()

    @property
    def uses_collection(self) -> bool:
        """Tell whether any part of the selection asks the collection."""
        return bool(self.since or self.since_last or self.techniques or self.paper_ids)


@dataclass(frozen=True)
class Selected:
    """The papers a selection gave, and one line per part saying what it asked and found."""

    papers: list[str]
    how: list[str]


@dataclass
class NewReport:
    """What `new-report` did (or, in a dry run, would do)."""

    status: str  # written, updated, unchanged, would write, would update, too few
    report_id: str | None
    path: Path | None
    papers: list[str]
    how: list[str] = field(default_factory=list)
    ingested: list[IngestResult] = field(default_factory=list)
    briefs: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def report_id_for(title: str, when: datetime) -> str:
    """Derive a report id from its date and title."""
    slug = slugify(title)
    if len(slug) > 50:
        slug = slug[:50].rsplit("-", 1)[0]
    if not any(ch.isalpha() for ch in slug):
        # a title without latin words (Chinese, or Chinese and a date): a stable hash stands in
        slug = "report-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return check_id(f"{when:%Y-%m-%d}-{slug}")


def report_order(papers: Iterable[str], titles: Mapping[str, str | None]) -> list[str]:
    """Order paper ids as the sample report does: by folded title, then id; untitled last."""

    def key(paper_id: str) -> tuple[int, str, str]:
        title = titles.get(paper_id)
        return (0, normalize_title(title), paper_id) if title else (1, "", paper_id)

    return sorted(dict.fromkeys(papers), key=key)


def last_report(collection: Collection, title: str) -> Report | None:
    """Return the newest report, not counting one with this title (an earlier run's)."""
    wanted = normalize_title(title)
    others = [r for r in collection.reports.values() if normalize_title(r.record.title) != wanted]
    return max(others, key=lambda r: (r.record.generated, r.id), default=None)


def select_papers(collection: Collection, selection: ReportSelection, title: str) -> Selected:
    """Pick the papers of the collection a selection asks for, in collection order."""
    if selection.since and selection.since_last:
        raise ConfigError("give --since DATE or --since-last, not both")
    unknown = [p for p in selection.paper_ids if p not in collection.papers]
    if unknown:
        raise ConfigError(
            f"no paper with id {', '.join(repr(p) for p in unknown)} in "
            f"{display_path(collection.data_dir / 'papers')}; check the spelling"
        )
    papers = sorted(collection.papers.values(), key=lambda p: p.id)
    how: list[str] = []
    chosen: list[Paper] | None = None  # None: no date or technique part was asked
    if selection.since_last:
        last = last_report(collection, title)
        if last is None:
            chosen = papers
            how.append(f"since the last report: there is none yet, so every paper: {len(chosen)}")
        else:
            day = last.record.generated.date()
            listed = set(last.record.papers)
            chosen = [p for p in papers if p.record.added >= day and p.id not in listed]
            how.append(
                f"added on or after {day:%Y-%m-%d} and not in {last.id} (the newest report):"
                f" {len(chosen)}"
            )
    elif selection.since:
        chosen = [p for p in papers if p.record.added >= selection.since]
        how.append(f"added on or after {selection.since:%Y-%m-%d}: {len(chosen)}")
    if selection.techniques:
        wanted = with_narrower(collection.techniques, selection.techniques)
        pool = papers if chosen is None else chosen
        chosen = [p for p in pool if any(t.id in wanted for t in p.techniques)]
        narrower = sorted(wanted - set(selection.techniques))
        also = f" (with the narrower {', '.join(narrower)})" if narrower else ""
        how.append(f"of technique {', '.join(selection.techniques)}{also}: {len(chosen)}")
    ids = [p.id for p in chosen or []]
    if selection.paper_ids:
        ids += [p for p in dict.fromkeys(selection.paper_ids) if p not in ids]
        how.append(f"named with --id: {len(set(selection.paper_ids))}")
    return Selected(ids, how)


def with_narrower(techniques: Mapping[str, Technique], asked: Iterable[str]) -> set[str]:
    """Return the asked technique ids with every technique below them; refuse unknown ids."""
    asked = list(asked)
    unknown = [t for t in asked if t not in techniques]
    if unknown:
        raise ConfigError(
            f"no technique {', '.join(repr(t) for t in unknown)} in techniques.yaml;"
            " use an id listed there"
        )
    children: dict[str, list[str]] = {}
    for tech in techniques.values():
        if tech.parent:
            children.setdefault(tech.parent, []).append(tech.id)
    found: set[str] = set()
    todo = list(asked)
    while todo:
        current = todo.pop()
        if current not in found:
            found.add(current)
            todo += children.get(current, [])
    return found


def new_report(
    title: str,
    data_dir: Path,
    *,
    selection: ReportSelection | None = None,
    pdf_dir: Path | None = None,
    generated: datetime | None = None,
    min_papers: int | None = None,
    dry_run: bool = False,
    correct: Corrector | None = None,
    briefs: BriefRunner | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> NewReport:
    """Write DATA/reports/<id>.yaml for the selected papers (idempotent: found by its title).

    `briefs` asks for the briefs the report's papers lack (`default_briefs`: Mistral, when
    MISTRAL_API_KEY is set); `min_papers` turns too small a selection into a note, not an error.
    """
    selection = selection or ReportSelection()
    title = " ".join(title.split())
    if not title:
        raise ConfigError("--title is empty; give the report a title")
    if pdf_dir is None and not selection.uses_collection:
        raise ConfigError(
            "say which papers: a folder of PDFs, --since DATE, --since-last, --technique ID"
            " or --id ID"
        )
    if selection.since and selection.since_last:
        raise ConfigError("give --since DATE or --since-last, not both")
    if dry_run and pdf_dir is not None:
        raise ConfigError("--dry-run works on the collection only: ingesting PDFs writes records")
    when = _utc_naive(generated or datetime.now(UTC))

    papers: list[str] = []
    how: list[str] = []
    ingested: list[IngestResult] = []
    if pdf_dir is not None:
        folder = ingest_report_folder(
            pdf_dir, data_dir, today=when.date(), correct=correct, limits=limits
        )
        papers += folder.papers
        ingested = folder.results
        how.append(f"from the PDFs in {pdf_dir}: {len(folder.papers)}")
    if selection.uses_collection:
        chosen = select_papers(load_collection(data_dir), selection, title)
        papers += [p for p in chosen.papers if p not in papers]
        how += chosen.how
    if min_papers is not None and len(papers) < min_papers:
        return NewReport("too few", None, None, papers, how, ingested)
    if not papers:
        raise ConfigError(
            "no paper selected (" + "; ".join(how) + "): nothing to report; widen the selection"
        )

    report, record = _plan_report(title, data_dir, papers, when)
    report.how, report.ingested = how, ingested
    if dry_run:
        report.status = {"written": "would write", "updated": "would update"}.get(
            report.status, report.status
        )
    elif record is not None and report.path is not None:
        atomic_write(report.path, dump_model(record, schema="report"))
    missing = _without_brief(data_dir, report.papers)
    if missing is None:
        report.briefs = ["briefs: not asked for (the data does not validate)"]
    elif not missing:
        report.briefs = ["briefs: every paper of the report has one"]
    elif dry_run:
        report.briefs = [f"briefs: {len(missing)} paper(s) have none yet; a run asks for them"]
    elif briefs is not None:
        report.briefs = briefs(data_dir, missing)
        missing = _without_brief(data_dir, report.papers)
    report.review = review_list(data_dir, report.papers, ingested, missing)
    return report


def _plan_report(
    title: str, data_dir: Path, papers: list[str], when: datetime
) -> tuple[NewReport, ReportRecord | None]:
    """Work out the report to write: a new one, or the same-titled one with the papers added."""
    folder = data_dir / "reports"
    existing = _existing_report(folder, title)
    if existing is None:
        taken = {p.stem for p in folder.glob("*.yaml")} if folder.is_dir() else set()
        report_id = free_id(report_id_for(title, when), taken)
        ordered = report_order(papers, _paper_titles(data_dir, papers))
        record = ReportRecord(title=title, generated=when, papers=ordered)
        return NewReport("written", report_id, folder / f"{report_id}.yaml", ordered), record
    report_id, raw = existing
    given = raw.get("papers")
    listed = [p for p in given if isinstance(p, str)] if isinstance(given, list) else []
    path = folder / f"{report_id}.yaml"
    if set(papers) <= set(listed):
        # a person may have reordered the report: the same papers leave it alone
        return NewReport("unchanged", report_id, path, listed), None
    merged = report_order(listed + papers, _paper_titles(data_dir, listed + papers))
    record = ReportRecord.model_validate({**raw, "papers": merged}, strict=False)
    return NewReport("updated", report_id, path, merged), record


def _existing_report(folder: Path, title: str) -> tuple[str, dict[str, object]] | None:
    """Find the report with the same (folded) title: an earlier run of the same command."""
    wanted = normalize_title(title)
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            continue
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("title"), str)
            and normalize_title(raw["title"]) == wanted
        ):
            return path.stem, raw
    return None


def _paper_titles(data_dir: Path, papers: Iterable[str]) -> dict[str, str | None]:
    """Read each paper's title leniently (a fresh draft may not validate yet)."""
    titles: dict[str, str | None] = {}
    for paper_id in papers:
        try:
            raw = yaml.safe_load(
                (data_dir / "papers" / f"{paper_id}.yaml").read_text(encoding="utf-8")
            )
        except (OSError, yaml.YAMLError, UnicodeDecodeError):
            raw = None
        title = raw.get("title") if isinstance(raw, dict) else None
        titles[paper_id] = title if isinstance(title, str) and title.strip() else None
    return titles


def _without_brief(data_dir: Path, papers: list[str]) -> list[str] | None:
    """Return the papers that have no brief to publish; None when the data does not validate."""
    try:
        collection = load_collection(data_dir)
    except ValidationFailed:
        return None
    return [p for p in papers if p in collection.papers and not collection.papers[p].brief_text]


def default_briefs(data_dir: Path, paper_ids: list[str]) -> list[str]:
    """Ask Mistral for the briefs of these papers when a key is set; say what happened."""
    if not (os.environ.get("MISTRAL_API_KEY") or "").strip():
        return [
            "briefs: pending (no MISTRAL_API_KEY); run `paperbrief enrich --briefs` when a key is set"
        ]
    from generator.enrich.briefs import BriefSettings, enrich_briefs

    try:
        report = enrich_briefs(data_dir, BriefSettings.from_env(only=tuple(paper_ids)))
    except PaperbriefError as exc:
        return [f"briefs: not generated ({exc}); fix that and run `paperbrief enrich --briefs`"]
    return [
        line if line.startswith("briefs:") else f"briefs: {line}" for line in report.summary_lines()
    ]


def review_list(
    data_dir: Path,
    papers: list[str],
    results: list[IngestResult],
    without_brief: list[str] | None,
) -> list[str]:
    """List what a person must look at: failed PDFs, open review entries, missing briefs."""
    items = [result.message for result in results if result.status == "failed"]
    if without_brief is None:
        items.append("the data does not validate; run `paperbrief validate` and fix what it lists")
    boilerplate = set(ALWAYS_REVIEW)
    for paper_id in papers:
        stored = read_stored_paper(data_dir / "papers" / f"{paper_id}.yaml")
        path, review = display_path(stored.path), stored.review
        if not stored.readable:
            items.append(f"{path}: cannot be read")
            continue
        open_items = [
            entry
            for entry in review
            if entry not in boilerplate and not entry.startswith("source:")
        ]
        if open_items:
            items.extend(f"{path}: {entry}" for entry in open_items)
        elif review:
            items.append(f"{path}: check the drafted fields and techniques")
        if without_brief and paper_id in without_brief:
            items.append(
                f"{path}: no brief yet (write brief:, or run `paperbrief enrich --briefs`)"
            )
    return items


def _utc_naive(moment: datetime) -> datetime:
    """Return a time as naive UTC to the second, as report records hold it."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0)
