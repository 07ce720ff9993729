"""Make a new report from a folder of PDFs: paper records, a report record, briefs, a review list."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from generator.authoring.ingest.draft import ALWAYS_REVIEW, Corrector, IngestResult, ingest_pdfs
from generator.authoring.ingest.sandbox import DEFAULT_LIMITS, Limits
from generator.errors import ConfigError, PaperbriefError
from generator.records.keys import normalize_title
from generator.records.models import ReportRecord, check_id
from generator.records.parse import display_path
from generator.records.store import atomic_write, dump_model
from generator.records.stored import read_stored_paper

BriefRunner = Callable[[Path, list[str]], list[str]]


@dataclass
class NewReport:
    """What `new-report` did."""

    report_id: str
    path: Path
    status: str  # "written", "updated" or "unchanged"
    papers: list[str]
    ingested: list[IngestResult]
    briefs: list[str] = field(default_factory=list)
    review: list[str] = field(default_factory=list)


def report_id_for(title: str, when: datetime) -> str:
    """Derive a report id from its date and title."""
    from generator.records.ids import slugify

    slug = slugify(title)[:50].rsplit("-", 1)[0] if len(slugify(title)) > 50 else slugify(title)
    if not slug:
        # a title without latin letters (e.g. Chinese): a short stable hash stands in
        slug = "report-" + hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return check_id(f"{when:%Y-%m-%d}-{slug}")


def _existing_report(data_dir: Path, title: str) -> tuple[str, dict[str, object]] | None:
    """Find a report with the same (normalized) title."""
    folder = data_dir / "reports"
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
            return path.name[: -len(".yaml")], raw
    return None


def default_briefs(data_dir: Path, paper_ids: list[str]) -> list[str]:
    """Ask Mistral for the briefs of these papers when a key is set; say what happened."""
    if not (os.environ.get("MISTRAL_API_KEY") or "").strip():
        return [
            "briefs: pending (no MISTRAL_API_KEY); run `paperbrief enrich --briefs` when a key is set"
        ]
    try:
        from generator.enrich.briefs import BriefSettings, enrich_briefs
    except ImportError:
        return ["briefs: pending (the briefs module is not available)"]
    try:
        report = enrich_briefs(data_dir, BriefSettings.from_env(only=tuple(paper_ids)))
    except PaperbriefError as exc:
        return [f"briefs: not generated ({exc}); fix that and run `paperbrief enrich --briefs`"]
    return [f"briefs: {line}" for line in report.summary_lines()]


def new_report(
    title: str,
    pdf_dir: Path,
    data_dir: Path,
    *,
    now: datetime | None = None,
    correct: Corrector | None = None,
    briefs: BriefRunner | None = default_briefs,
    limits: Limits = DEFAULT_LIMITS,
) -> NewReport:
    """Ingest every PDF of a folder and write a report listing them (idempotent)."""
    title = " ".join(title.split())
    if not title:
        raise ConfigError("--title is empty; give the report a title")
    if not pdf_dir.is_dir():
        raise ConfigError(f"{pdf_dir}: not a folder of PDFs")
    now = (now or datetime.now()).replace(microsecond=0)
    results = ingest_pdfs([pdf_dir], data_dir, correct=correct, limits=limits, today=now.date())
    papers: list[str] = []
    for result in results:
        if result.paper_id and result.paper_id not in papers:
            papers.append(result.paper_id)
    if not papers:
        raise ConfigError(f"no paper could be read from {pdf_dir}; see the errors above")

    existing = _existing_report(data_dir, title)
    if existing:
        report_id, raw = existing
        given = raw.get("papers")
        listed = [p for p in given if isinstance(p, str)] if isinstance(given, list) else []
        merged = listed + [p for p in papers if p not in listed]
        path = data_dir / "reports" / f"{report_id}.yaml"
        if merged == listed:
            status = "unchanged"
        else:
            record = ReportRecord.model_validate({**raw, "papers": merged}, strict=False)
            atomic_write(path, dump_model(record, schema="report"))
            status = "updated"
        papers = merged
    else:
        report_id = report_id_for(title, now)
        path = data_dir / "reports" / f"{report_id}.yaml"
        record = ReportRecord(title=title, generated=now, papers=papers)
        atomic_write(path, dump_model(record, schema="report"))
        status = "written"

    outcome = NewReport(report_id, path, status, papers, results)
    if briefs is not None:
        outcome.briefs = briefs(data_dir, papers)
    outcome.review = review_list(data_dir, papers, results)
    return outcome


def review_list(data_dir: Path, papers: list[str], results: list[IngestResult]) -> list[str]:
    """List what a person must look at: open review entries and PDFs that failed."""
    items = [result.message for result in results if result.status == "failed"]
    boilerplate = set(ALWAYS_REVIEW)
    for paper_id in papers:
        stored = read_stored_paper(data_dir / "papers" / f"{paper_id}.yaml")
        path, review = stored.path, stored.review
        if not stored.readable:
            items.append(f"{display_path(path)}: cannot be read")
            continue
        open_items = [
            entry
            for entry in review
            if entry not in boilerplate and not entry.startswith("source:")
        ]
        if open_items:
            items.extend(f"{display_path(path)}: {entry}" for entry in open_items)
        elif review:
            items.append(f"{display_path(path)}: check the drafted fields and techniques")
    return items
