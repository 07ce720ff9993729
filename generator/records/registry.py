"""Resolve institution names and technique ids against the curated registries."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.records.models import Institution, Technique

_PUNCT = re.compile(r"[\s,.;:()\[\]'\"’&/\\-]+")


def normalize_name(name: str) -> str:
    """Fold an institution name for matching: NFKC, case, accents, punctuation, 'the'."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = _PUNCT.sub(" ", text).strip()
    text = re.sub(r"^the ", "", text)
    return text.replace(" ", "")


@dataclass
class InstitutionRegistry:
    """Every institution with a lookup from any of its names."""

    by_id: dict[str, Institution]
    _names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, institutions: Iterable[Institution]) -> tuple[InstitutionRegistry, list[str]]:
        """Index the registry; return it and a list of ambiguity complaints."""
        registry = cls(by_id={})
        complaints: list[str] = []
        for inst in institutions:
            if inst.id in registry.by_id:
                complaints.append(f"institution id {inst.id!r} is defined twice")
                continue
            registry.by_id[inst.id] = inst
        for inst in registry.by_id.values():
            for name in (inst.id, inst.en, inst.zh, *inst.aliases):
                if not name:
                    continue
                key = normalize_name(name)
                owner = registry._names.get(key)
                if owner is not None and owner != inst.id:
                    complaints.append(
                        f"the name {name!r} of {inst.id!r} also names {owner!r}; make it unique"
                    )
                    continue
                registry._names[key] = inst.id
        return registry, complaints

    def resolve(self, name: str) -> Institution | None:
        """Return the institution a name refers to, or None."""
        inst_id = self._names.get(normalize_name(name))
        return self.by_id.get(inst_id) if inst_id else None

    def suggest(self, name: str, n: int = 3) -> list[str]:
        """Return up to n known names close to `name`."""
        choices: dict[str, str] = {}
        for inst in self.by_id.values():
            for known in (inst.en, inst.zh, *inst.aliases):
                if known:
                    choices.setdefault(normalize_name(known), known)
        from rapidfuzz import fuzz, process

        # token_set_ratio on readable names catches reordered or abbreviated words ("Hong Kong Univ")
        readable = {known: known.casefold() for known in choices.values()}
        found = process.extract(
            name.casefold(), readable, scorer=fuzz.token_set_ratio, limit=n, score_cutoff=60
        )
        close = difflib.get_close_matches(normalize_name(name), list(choices), n=n, cutoff=0.6)
        result = [key for _, _, key in found]
        result += [choices[c] for c in close if choices[c] not in result]
        return result[:n]


def suggest_technique(tech_id: str, techniques: Iterable[Technique], n: int = 3) -> list[str]:
    """Return up to n technique ids close to `tech_id` (by id, labels and aliases)."""
    names: dict[str, str] = {}
    for tech in techniques:
        for label in (tech.id, tech.en.lower(), tech.zh, *(a.lower() for a in tech.aliases)):
            names.setdefault(label, tech.id)
    close = difflib.get_close_matches(tech_id.lower(), list(names), n=n * 2, cutoff=0.6)
    result: list[str] = []
    for label in close:
        if names[label] not in result:
            result.append(names[label])
    return result[:n]
