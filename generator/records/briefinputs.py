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
    model: str,
    prompt_version: str,
) -> str:
    """Hash what a brief's sentence is made from: paper text, institutions, model, prompt.

    The technique ids offered to the model (the whole registry) are left out: they only feed
    its technique suggestions, never the sentence, and with them in, adding one technique to
    data/techniques.yaml made every generated brief stale: hidden from the site and asked again.
    """
    payload = {
        "title": title,
        "abstract": abstract,
        "institutions": [[i.id, i.en, i.zh] for i in institutions],
        "model": model,
        "prompt_version": prompt_version,
    }
    raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BriefInputs:
    """A paper's part of a brief's inputs: its text and its institutions."""

    title: str
    abstract: str
    institutions: tuple[Institution, ...]

    @classmethod
    def of(cls, record: PaperRecord, institutions: Iterable[Institution]) -> BriefInputs | None:
        """Collect the inputs of a record's brief; None when it lacks a title or an abstract."""
        if not record.title or not record.abstract:
            return None
        return cls(record.title, record.abstract, tuple(institutions))

    def input_hash(self, model: str, prompt_version: str) -> str:
        """Hash these inputs with the model and prompt version that turn them into a brief."""
        return brief_input_hash(
            title=self.title,
            abstract=self.abstract,
            institutions=self.institutions,
            model=model,
            prompt_version=prompt_version,
        )
