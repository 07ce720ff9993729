"""Derive record ids from titles: short, readable, valid, and never taken."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container

from generator.records.models import ID_MAX_LENGTH, SITE_RESERVED, WINDOWS_RESERVED, check_id

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "for",
        "and",
        "or",
        "with",
        "via",
        "on",
        "in",
        "to",
        "from",
        "by",
        "at",
        "is",
        "are",
        "towards",
        "toward",
    ]
)


def slugify(text: str) -> str:
    """Reduce text to lowercase ascii words joined by single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def derive_id(title: str, arxiv: str | None = None) -> str:
    """Derive a short, readable id: the name before a colon, else the first key words."""
    head, colon, _rest = title.partition(":")
    slug = ""
    if colon and 1 <= len(head.split()) <= 4:
        slug = slugify(head)
    if not slug:
        words = [w for w in slugify(title).split("-") if w and w not in _STOPWORDS]
        slug = "-".join(words[:6])
    if len(slug) > 60:
        slug = slug[:60].rsplit("-", 1)[0]
    if not slug:
        # a title without latin letters (e.g. Chinese): fall back on something stable
        slug = (
            f"arxiv-{arxiv.replace('.', '-')}"
            if arxiv
            else "paper-" + hashlib.sha256(title.encode()).hexdigest()[:8]
        )
    if slug in WINDOWS_RESERVED or slug in SITE_RESERVED:
        slug += "-paper"
    return check_id(slug)


def free_id(base: str, taken: Container[str]) -> str:
    """Return `base`, or `base-2`, `base-3`… : the first one not taken."""
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base[: ID_MAX_LENGTH - 6]}-{n}"
        n += 1
    return candidate
