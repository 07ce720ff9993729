"""Write a report record back out in the sample's Markdown format."""

from __future__ import annotations

from generator.authoring.reportmd import INSTITUTION_SEPARATOR, ExportEntry, format_report
from generator.errors import PaperbriefError
from generator.records.collection import Collection


class UnknownReport(PaperbriefError):
    """The requested report id does not exist."""


def export_report(collection: Collection, report_id: str) -> str:
    """Render one report as Markdown in the sample's format."""
    report = collection.reports.get(report_id)
    if report is None:
        known = ", ".join(collection.reports) or "none"
        raise UnknownReport(f"no report {report_id!r}; known reports: {known}")
    entries = []
    for paper_id in report.record.papers:
        paper = collection.papers[paper_id]
        entries.append(
            ExportEntry(
                title=paper.record.title,
                brief=paper.brief_text,
                institutions=INSTITUTION_SEPARATOR.join(inst.en for inst in paper.institutions)
                or None,
                author_count=paper.record.author_total,
                abstract=paper.record.abstract,
            )
        )
    return format_report(report.record.title, report.record.generated, entries)
