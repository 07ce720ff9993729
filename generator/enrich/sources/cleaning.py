"""Turn text and links from an outside service into values a record may hold, or None."""

from __future__ import annotations

import unicodedata

from pydantic import TypeAdapter, ValidationError

from generator.records.characters import FORBIDDEN_IN_PROSE
from generator.records.models import Line, Prose, Url

_LINE: TypeAdapter[str] = TypeAdapter(Line)
_PROSE: TypeAdapter[str] = TypeAdapter(Prose)
_URL: TypeAdapter[str] = TypeAdapter(Url)


def _visible(text: str) -> str:
    # controls, format characters (bidi overrides, zero-width) and lone surrogates go;
    # line breaks and tabs become spaces when the whitespace is collapsed
    kept = "".join(
        ch for ch in text if unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} or ch in "\t\n\r"
    )
    # non-characters and Hangul fillers too: whatever record validation refuses
    return FORBIDDEN_IN_PROSE.sub("", kept)


def one_line(text: object, limit: int = 500) -> str | None:
    """Collapse untrusted text to one line (wrapped titles, names); None when nothing is left."""
    if not isinstance(text, str):
        return None
    collapsed = " ".join(_visible(text).split())
    if len(collapsed) > limit:
        # a value cut short is wrong, not shorter: leave it out
        return None
    try:
        return _LINE.validate_python(collapsed)
    except ValidationError:
        return None


def paragraph(text: object, limit: int = 20000) -> str | None:
    """Collapse untrusted prose (a line-wrapped abstract) into one paragraph, or None."""
    if not isinstance(text, str):
        return None
    collapsed = " ".join(_visible(text).split())
    if not collapsed or len(collapsed) > limit:
        return None
    try:
        return _PROSE.validate_python(collapsed)
    except ValidationError:
        return None


def http_url(url: object) -> str | None:
    """Keep an http(s) link a record may hold; http://arxiv.org links become https."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if url.startswith("http://arxiv.org/"):
        url = "https://" + url.removeprefix("http://")
    try:
        return _URL.validate_python(url)
    except ValidationError:
        return None
