"""Paper identity: the one answer to "is this paper already here?" (arXiv id, DOI, title)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from generator.records.models import PaperRecord

KeyKind = Literal["arxiv", "doi", "title"]

_LABELS: dict[str, str] = {"arxiv": "arXiv id", "doi": "DOI", "title": "title"}
_FIELDS: dict[str, tuple[str, ...]] = {
    "arxiv": ("links", "arxiv"),
    "doi": ("links", "doi"),
    "title": ("title",),
}
_ARXIV_VERSION = re.compile(r"v\d+$")


def normalize_title(title: str) -> str:
    """Fold a title for duplicate detection: case, accents, punctuation and spacing."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", title).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", "", text)


@dataclass(frozen=True)
class PaperKey:
    """One value that identifies a paper: two records sharing one hold the same paper."""

    kind: KeyKind
    value: str

    @property
    def label(self) -> str:
        """Name the kind for a message: 'arXiv id', 'DOI' or 'title'."""
        return _LABELS[self.kind]

    @property
    def field(self) -> tuple[str, ...]:
        """Return where in a paper record the value comes from."""
        return _FIELDS[self.kind]


def paper_keys(
    *, title: str | None, arxiv: str | None = None, doi: str | None = None
) -> tuple[PaperKey, ...]:
    """Return a paper's identity keys: arXiv id without version, DOI lowercased, folded title."""
    keys: list[PaperKey] = []
    if arxiv:
        keys.append(PaperKey("arxiv", _ARXIV_VERSION.sub("", arxiv)))
    if doi:
        keys.append(PaperKey("doi", doi.lower()))
    folded = normalize_title(title) if title else ""
    if folded:
        keys.append(PaperKey("title", folded))
    return tuple(keys)


def record_keys(record: PaperRecord) -> tuple[PaperKey, ...]:
    """Return the identity keys of a validated paper record."""
    return paper_keys(title=record.title, arxiv=record.links.arxiv, doi=record.links.doi)


class PaperIndex:
    """Paper ids by identity key; the first paper to claim a key keeps it."""

    def __init__(self) -> None:
        self._owner: dict[PaperKey, str] = {}

    def find(self, keys: Iterable[PaperKey]) -> tuple[str, PaperKey] | None:
        """Return (paper id, shared key) for the first key another paper already holds."""
        for key in keys:
            owner = self._owner.get(key)
            if owner is not None:
                return owner, key
        return None

    def add(self, paper_id: str, keys: Iterable[PaperKey]) -> list[tuple[PaperKey, str]]:
        """Claim the free keys for a paper; return each key some other paper already held."""
        clashes: list[tuple[PaperKey, str]] = []
        for key in keys:
            owner = self._owner.setdefault(key, paper_id)
            if owner != paper_id:
                clashes.append((key, owner))
        return clashes
