"""The validated collection in memory: papers, reports and registries, with the brief rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from generator.errors import Problem
from generator.records.brief_parts import BriefParts, split_brief
from generator.records.briefinputs import BriefInputs
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
    """A validated paper with its references resolved.

    Brief rules: a person's `brief` in the record always wins; a generated brief counts only
    while its stored input hash matches what the record holds now.
    """

    id: str
    record: PaperRecord
    source: str
    institutions: tuple[Institution, ...]
    techniques: tuple[Technique, ...]
    enrichment: EnrichmentRecord | None = None
    # None when the record cannot have a generated brief (no title or no abstract)
    brief_inputs: BriefInputs | None = field(default=None, repr=False)

    @property
    def brief_text(self) -> str | None:
        """Return the brief to publish: a person's, else a current generated one, else None."""
        if self.record.brief:
            return self.record.brief
        generated = self.generated_brief
        return generated.text if generated else None

    @property
    def generated_brief(self) -> BriefEnrichment | None:
        """Return the generated brief when it is the one shown: accepted and current."""
        return self._accepted_brief if self._accepted_brief_is_current else None

    @cached_property
    def brief_parts(self) -> BriefParts | None:
        """Return the shown brief's parts (method, problem, effect ...), None when unreadable.

        A generated brief was written from fields, which are its parts; a person's brief is
        read (brief_parts.split_brief), as far as it follows the template.
        """
        generated = self.generated_brief
        if generated is not None and generated.fields is not None:
            fields = generated.fields
            return BriefParts(
                publisher=fields.institution,
                paper=self.record.title or "",
                method=fields.technique,
                problem=fields.problem,
                effect=fields.result,
                template=True,
            )
        return split_brief(self.brief_text) if self.brief_text else None

    @property
    def brief_pending(self) -> bool:
        """Tell whether a generated brief went stale (its inputs changed) and awaits `enrich`."""
        return (
            self._accepted_brief is not None
            and self.brief_inputs is not None
            and not self._accepted_brief_is_current
        )

    @property
    def tldr(self) -> str | None:
        """Return the English one-sentence summary, from the record or a current generated brief."""
        if self.record.tldr:
            return self.record.tldr
        generated = self.generated_brief
        return generated.fields.tldr_en if generated and generated.fields else None

    @property
    def _accepted_brief(self) -> BriefEnrichment | None:
        """Return the stored generated brief that passed its checks, unless a person's wins."""
        if self.record.brief or self.enrichment is None or self.enrichment.brief is None:
            return None
        brief = self.enrichment.brief
        return brief if brief.status == "ok" and brief.text else None

    @cached_property
    def _accepted_brief_is_current(self) -> bool:
        # cached: every page that lists the paper asks, and each answer costs a hash
        brief = self._accepted_brief
        if brief is None or self.brief_inputs is None:
            return False
        return brief.input_hash == self.brief_inputs.input_hash(brief.model, brief.prompt_version)


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
    # What keeps valid records from being published (no title, techniques or institutions;
    # open review items): warnings unless `validate --strict`.
    warnings: list[Problem] = field(default_factory=list)
    # Per paper, a digest of the generator cache's entries its record and enrichment were read
    # from (filecache.read_models): the same digest, the same record and enrichment. Only for
    # papers read through the cache; the page keys use it instead of dumping the records.
    read_digests: dict[str, bytes] = field(default_factory=dict)
