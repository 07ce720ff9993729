"""What a generated brief is made from, and the hash that says whether a stored one is current."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from generator.records.models import Institution, PaperRecord


def brief_input_hash(
    *,
    title: str,
    abstract: str,
    institutions: Iterable[Institution],
    technique_ids: Iterable[str],
    model: str,
    prompt_version: str,
) -> str:
    """Hash what a brief depends on: paper text, institutions, offered ids, model, prompt."""
    payload = {
        "title": title,
        "abstract": abstract,
        "institutions": [[i.id, i.en, i.zh] for i in institutions],
        "technique_ids": sorted(technique_ids),
        "model": model,
        "prompt_version": prompt_version,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BriefInputs:
    """A paper's part of a brief's inputs: its text, its institutions, the technique ids offered."""

    title: str
    abstract: str
    institutions: tuple[Institution, ...]
    technique_ids: tuple[str, ...]

    @classmethod
    def of(
        cls,
        record: PaperRecord,
        institutions: Iterable[Institution],
        technique_ids: Iterable[str],
    ) -> BriefInputs | None:
        """Collect the inputs of a record's brief; None when it lacks a title or an abstract."""
        if not record.title or not record.abstract:
            return None
        return cls(record.title, record.abstract, tuple(institutions), tuple(technique_ids))

    def input_hash(self, model: str, prompt_version: str) -> str:
        """Hash these inputs with the model and prompt version that turn them into a brief."""
        return brief_input_hash(
            title=self.title,
            abstract=self.abstract,
            institutions=self.institutions,
            technique_ids=self.technique_ids,
            model=model,
            prompt_version=prompt_version,
        )
