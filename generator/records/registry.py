"""Resolve institution names and technique names against the curated registries."""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.records.models import UNKNOWN_INSTITUTIONS, Institution, Technique

_PUNCT = re.compile(r"[\s,.;:()\[\]'\"’&/\\-]+")
# Words that most institution names share: a suggestion must be close on the other words, or
# "Princeton University" is offered "Peking University".
# fmt: off
_GENERIC_WORDS = frozenset((
    "university", "univ", "universite", "universitat", "universidad", "universita", "of", "the",
    "and", "for", "at", "de", "du", "des", "la", "le", "di", "del", "der", "und", "institute",
    "institut", "inst", "technology", "technological", "tech", "science", "sciences", "college",
    "school", "national", "state", "research", "lab", "labs", "laboratory", "laboratories",
    "center", "centre", "academy", "department", "dept", "faculty", "graduate", "polytechnic",
    "inc", "co", "ltd", "llc", "corp", "corporation", "company", "group", "foundation",
))
# fmt: on
_GENERIC_CJK = re.compile("大学|學|学院|研究院|研究所|研究中心|实验室|實驗室|公司|集团|中心|分校")
# How alike the distinctive parts (or, failing that, the whole names) must be to be suggested.
_CLOSE_DISTINCT = 80
_CLOSE_WHOLE = 88


@functools.lru_cache(maxsize=1 << 16)
def normalize_name(name: str) -> str:
    """Fold an institution name for matching: NFKC, case, accents, punctuation, 'the'.

    Remembered: 10,000 papers name a few hundred institutions some 20,000 times.
    """
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
                if key == UNKNOWN_INSTITUTIONS:
                    complaints.append(
                        f"{inst.id!r} is named {name!r}, the word a paper uses when its"
                        " institutions cannot be found; use another name"
                    )
                    continue
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
        """Return up to n registered names close to `name`, closest first (often none)."""
        from rapidfuzz.fuzz import ratio

        wanted_distinct, wanted_whole = _distinctive(name), normalize_name(name)
        scored: dict[str, float] = {}
        for inst in self.by_id.values():
            for known in (inst.en, inst.zh, *inst.aliases):
                if not known:
                    continue
                distinct = _distinctive(known)
                score = ratio(normalize_name(known), wanted_whole)
                if distinct and wanted_distinct:
                    close = ratio(distinct, wanted_distinct)
                    if close >= _CLOSE_DISTINCT:
                        score = max(score, close + 10)
                    elif len(distinct) >= 2 and (
                        distinct in wanted_distinct or wanted_distinct in distinct
                    ):
                        # "清华大学深圳研究院" is about 清华; "Tsinghua" about Tsinghua University
                        score = max(score, _CLOSE_WHOLE)
                if score >= _CLOSE_WHOLE or (
                    distinct
                    and wanted_distinct
                    and ratio(distinct, wanted_distinct) >= _CLOSE_DISTINCT
                ):
                    scored[known] = max(score, scored.get(known, 0.0))
        best = sorted(scored, key=lambda k: (-scored[k], k))
        result: list[str] = []
        for known in best:
            owner = self.resolve(known)
            if owner is not None and all(self.resolve(r) != owner for r in result):
                result.append(known)
        return result[:n]


def _distinctive(name: str) -> str:
    """Return a name folded, without the words most institution names share."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )
    text = _GENERIC_CJK.sub(" ", text)
    words = [w for w in _PUNCT.sub(" ", text).split() if w not in _GENERIC_WORDS]
    return "".join(words)


@dataclass
class TechniqueRegistry:
    """Every technique with a lookup from its id, labels and aliases."""

    by_id: dict[str, Technique]
    _names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, techniques: Iterable[Technique]) -> tuple[TechniqueRegistry, list[str]]:
        """Index the techniques; return the registry and a list of ambiguity complaints."""
        registry = cls(by_id={t.id: t for t in techniques})
        complaints: list[str] = []
        for tech in registry.by_id.values():
            for name in (tech.id, tech.zh, tech.en, *tech.aliases):
                key = normalize_name(name)
                owner = registry._names.get(key)
                if owner is not None and owner != tech.id:
                    complaints.append(
                        f"the name {name!r} of technique {tech.id!r} also names {owner!r};"
                        " make it unique"
                    )
                    continue
                registry._names[key] = tech.id
        return registry, complaints

    def resolve(self, name: str) -> Technique | None:
        """Return the technique an id, label or alias refers to, or None."""
        found = self.by_id.get(name)
        if found is not None:
            return found
        tech_id = self._names.get(normalize_name(name))
        return self.by_id.get(tech_id) if tech_id else None

    def suggest(self, name: str, n: int = 3) -> list[Technique]:
        """Return up to n techniques whose id, labels or aliases are close to `name`."""
        return [self.by_id[t] for t in suggest_technique(name, self.by_id.values(), n)]


def suggest_technique(tech_id: str, techniques: Iterable[Technique], n: int = 3) -> list[str]:
    """Return up to n technique ids close to `tech_id` (by id, labels and aliases)."""
    names: dict[str, str] = {}
    for tech in techniques:
        for label in (tech.id, tech.en, tech.zh, *tech.aliases):
            names.setdefault(normalize_name(label), tech.id)
    close = difflib.get_close_matches(normalize_name(tech_id), list(names), n=n * 2, cutoff=0.6)
    result: list[str] = []
    for label in close:
        if names[label] not in result:
            result.append(names[label])
    return result[:n]
