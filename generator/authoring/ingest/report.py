"""The PDF side of `new-report`: ingest a folder of PDFs into paper records for a report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.authoring.ingest.draft import Corrector, IngestResult, ingest_pdfs
from generator.authoring.ingest.sandbox import DEFAULT_LIMITS, Limits
from generator.errors import ConfigError


@dataclass(frozen=True)
class IngestedFolder:
    """The papers a folder of PDFs gave (in file order) and what happened to each PDF."""

    papers: list[str]
    results: list[IngestResult]

    @property
    def failures(self) -> list[str]:
        """Return the message of every PDF that could not be read."""
        return [result.message for result in self.results if result.status == "failed"]


def ingest_report_folder(
    pdf_dir: Path,
    data_dir: Path,
    *,
    today: date,
    correct: Corrector | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestedFolder:
    """Draft a record for every PDF of a folder (a paper already present is reused)."""
    if not pdf_dir.is_dir():
        raise ConfigError(f"{pdf_dir}: not a folder of PDFs")
    results = ingest_pdfs([pdf_dir], data_dir, correct=correct, limits=limits, today=today)
    papers: list[str] = []
    for result in results:
        if result.paper_id and result.paper_id not in papers:
            papers.append(result.paper_id)
    folder = IngestedFolder(papers, results)
    if not papers:
        why = "; ".join(folder.failures) or "it holds no PDF"
        raise ConfigError(f"no paper could be read from {pdf_dir}: {why}")
    return folder
