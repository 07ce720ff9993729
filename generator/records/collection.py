"""The validated collection in memory: papers, reports and registries, with the brief rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import Problem
from generator.records.models import (
    BriefEnrichment,
    EnrichmentRecord,
    Institution,
    PaperRecord,
    ReportRecord,
    Technique,
)
from generator.records.registry import InstitutionRegistry


@dataclass(frozen=True)
class Paper:
    """A validated paper with its references resolved."""

    id: str
    record: PaperRecord
    source: str
    institutions: tuple[Institution, ...]
    techniques: tuple[Technique, ...]
    enrichment: EnrichmentRecord | None = None

    @property
    def brief_text(self) -> str | None:
        """Return the brief to publish: a person's wins, else an accepted generated one."""
        if self.record.brief:
            return self.record.brief
        generated = self.generated_brief
        return generated.text if generated else None

    @property
    def generated_brief(self) -> BriefEnrichment | None:
        """Return the accepted generated brief, if it is the one shown."""
        if self.record.brief or self.enrichment is None or self.enrichment.brief is None:
            return None
        brief = self.enrichment.brief
        return brief if brief.status == "ok" and brief.text else None

    @property
    def tldr(self) -> str | None:
        """Return the English one-sentence summary, from the record or the LLM."""
        if self.record.tldr:
            return self.record.tldr
        brief = self.enrichment.brief if self.enrichment else None
        if brief and brief.status == "ok" and brief.fields:
            return brief.fields.tldr_en
        return None


@dataclass(frozen=True)
class Report:
    """A validated report."""

    id: str
    record: ReportRecord
    source: str


@dataclass
class Collection:
    """Everything in a data directory, validated."""

    data_dir: Path
    papers: dict[str, Paper]
    reports: dict[str, Report]
    institutions: InstitutionRegistry
    techniques: dict[str, Technique]
    problems: list[Problem] = field(default_factory=list)
