"""Typed, frozen models for every file paperbrief reads or writes."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
ID_MAX_LENGTH = 80
# Device names Windows refuses as file names, whatever the extension.
WINDOWS_RESERVED = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"com{i}" for i in range(1, 10)]
    + [f"lpt{i}" for i in range(1, 10)]
)
# Ids the site itself uses: a paper `index` would be written to papers/index.md, the listing page.
SITE_RESERVED = frozenset(["index"])
ARXIV_PATTERN = r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
DOI_PATTERN = r"^10\.\d{4,9}/[^\s]+$"

# Characters that must never appear in ids or titles: C0/C1 controls (tab and newline are
# refused in titles too), bidi overrides/isolates, zero-width characters and BOM.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
# Multi-line prose may keep newlines and tabs; every other control or bidi character is refused.
_FORBIDDEN_IN_PROSE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def describe_char(ch: str) -> str:
    """Name a character for an error message: U+202E RIGHT-TO-LEFT OVERRIDE."""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'control character')}"


def _check_line(value: str) -> str:
    match = _FORBIDDEN_CHARS.search(value) or _SURROGATES.search(value)
    if match:
        raise ValueError(
            f"contains the invisible or control character {describe_char(match.group())};"
            " delete it (retype the text if you cannot see it)"
        )
    if value != value.strip():
        raise ValueError("has leading or trailing whitespace; remove it")
    if not value:
        raise ValueError("is empty; remove the field if the value is unknown")
    return value


def _check_prose(value: str) -> str:
    match = _FORBIDDEN_IN_PROSE.search(value) or _SURROGATES.search(value)
    if match:
        raise ValueError(
            f"contains the invisible or control character {describe_char(match.group())};"
            " delete it (retype the text if you cannot see it)"
        )
    if not value.strip():
        raise ValueError("is empty; remove the field if the value is unknown")
    return value


def check_id(value: str) -> str:
    """Validate a record id: lowercase ascii, digits and single hyphens, not reserved."""
    match = _FORBIDDEN_CHARS.search(value) or _SURROGATES.search(value)
    if match:
        raise ValueError(
            f"contains the invisible or control character {describe_char(match.group())}"
        )
    if not re.fullmatch(ID_PATTERN, value):
        raise ValueError(
            f"{value!r} is not a valid id: use lowercase ascii letters, digits and single"
            " hyphens, e.g. 'adaptcache' or 'fast-dllm-v2'"
        )
    if len(value) > ID_MAX_LENGTH:
        raise ValueError(f"is longer than {ID_MAX_LENGTH} characters; shorten it")
    if value in WINDOWS_RESERVED:
        raise ValueError(f"{value!r} is a reserved file name on Windows; choose another id")
    if value in SITE_RESERVED:
        raise ValueError(f"{value!r} is the name of a site listing page; choose another id")
    return value


def _check_url(value: str) -> str:
    _check_line(value)
    if not re.match(r"^https?://[^\s/?#]+", value, re.IGNORECASE):
        raise ValueError(
            f"{value!r} is not an http(s) URL; only http:// and https:// links are allowed"
        )
    if re.search(r"[\s<>\"'`]", value):
        raise ValueError("contains spaces, quotes or angle brackets; percent-encode them")
    return value


Line = Annotated[str, AfterValidator(_check_line)]
Prose = Annotated[str, AfterValidator(_check_prose)]
Id = Annotated[str, AfterValidator(check_id)]
Url = Annotated[str, AfterValidator(_check_url)]
ArxivId = Annotated[
    str,
    StringConstraints(pattern=ARXIV_PATTERN),
]
Doi = Annotated[str, StringConstraints(pattern=DOI_PATTERN, max_length=300)]
LaxDate = Annotated[date, Field(strict=False)]
LaxDateTime = Annotated[datetime, Field(strict=False)]


class _Frozen(BaseModel):
    # strict: YAML's implicit typing (no -> False, 3.10 -> 3.1) must not pass as a string.
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class Links(_Frozen):
    """Where to read the paper."""

    arxiv: ArxivId | None = Field(
        None, description="arXiv identifier without prefix, e.g. 2510.01234 (no URL)"
    )
    doi: Doi | None = Field(None, description="DOI without prefix, e.g. 10.1145/3600006.3613165")
    pdf: Url | None = Field(None, description="Direct link to the PDF (http/https)")
    code: Url | None = Field(None, description="Source code repository (http/https)")
    project: Url | None = Field(None, description="Project or demo page (http/https)")


class PaperRecord(_Frozen):
    """One paper: the contents of data/papers/<id>.yaml (the id is the file stem)."""

    title: Line | None = Field(
        None,
        max_length=500,
        description="Readable title; omit only if unknown (then list it in review)",
    )
    institutions: list[Line] = Field(
        default_factory=list,
        max_length=30,
        description="Institutions as written (English, Chinese or an alias); resolved via data/institutions.yaml",
    )
    author_count: int | None = Field(None, ge=1, le=5000, description="Number of authors")
    authors: list[Line] | None = Field(None, max_length=5000, description="Author names in order")
    abstract: Prose | None = Field(None, max_length=20000, description="The paper's abstract")
    venue: Line | None = Field(
        None, max_length=300, description="Where it appeared, e.g. 'ICLR 2026 (under review)'"
    )
    year: int | None = Field(None, ge=1900, le=2100, description="Publication year")
    links: Links = Field(default_factory=Links)
    techniques: list[Id] = Field(
        default_factory=list,
        max_length=6,
        description="Technique ids from data/techniques.yaml (1 to 4 is typical)",
    )
    added: LaxDate = Field(description="Date the paper was added to the collection (YYYY-MM-DD)")
    brief: Prose | None = Field(
        None,
        max_length=2000,
        description="Human-written one-sentence Chinese brief; wins over a generated one",
    )
    tldr: Line | None = Field(
        None, max_length=600, description="Optional one-sentence English summary"
    )
    notes: Prose | None = Field(
        None, max_length=5000, description="Maintainer notes (shown on the paper page)"
    )
    review: list[Line] = Field(
        default_factory=list,
        description="Open questions for a maintainer, e.g. 'title: missing in the source report'",
    )


class ReportRecord(_Frozen):
    """One report: the contents of data/reports/<id>.yaml."""

    title: Line = Field(max_length=300)
    generated: LaxDateTime = Field(
        description="When the report was generated (YYYY-MM-DD HH:MM:SS)"
    )
    papers: list[Id] = Field(min_length=1, description="Paper ids in report order")
    intro: Prose | None = Field(
        None, max_length=10000, description="Optional introduction (Markdown is not interpreted)"
    )


class Institution(_Frozen):
    """One entry of data/institutions.yaml."""

    id: Id
    en: Line = Field(description="English name")
    zh: Line | None = Field(None, description="Chinese name")
    aliases: list[Line] = Field(
        default_factory=list, description="Other names, abbreviations, both languages"
    )
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO 3166-1 alpha-2 country code"
    )
    url: Url | None = None


class Technique(_Frozen):
    """One entry of data/techniques.yaml."""

    id: Id
    zh: Line
    en: Line
    description: Line = Field(description="One line: what the technique does")
    aliases: list[Line] = Field(default_factory=list)
    parent: Id | None = None


class InstitutionsFile(_Frozen):
    institutions: list[Institution]


class TechniquesFile(_Frozen):
    techniques: list[Technique]


# ---- enrichment (machine-written, committed) -------------------------------------------------


class BriefFields(_Frozen):
    """What the LLM returns, from which the Chinese brief is rendered."""

    institution: Line
    technique: Line
    problem: Line
    result: Line
    technique_ids: list[Id] = Field(default_factory=list, max_length=4)
    tldr_en: Line | None = None


class BriefEnrichment(_Frozen):
    status: Literal["ok", "failed"]
    fields: BriefFields | None = None
    text: Prose | None = Field(None, description="The rendered Chinese brief (status ok only)")
    error: Prose | None = Field(None, description="Why the brief was rejected (status failed only)")
    model: Line
    prompt_version: Line
    input_hash: Line
    generated: LaxDateTime


class ScholarEnrichment(_Frozen):
    status: Literal["match", "no-match", "error"]
    query: Line | None = Field(
        None, description="The title searched for; a changed title means a new lookup"
    )
    citations: int | None = Field(None, ge=0)
    venue: Line | None = None
    year: int | None = None
    pub_url: Url | None = None
    eprint_url: Url | None = None
    scholar_url: Url | None = None
    authors: list[Line] = Field(default_factory=list)
    matched_title: Line | None = None
    similarity: float | None = None
    error: Prose | None = None
    fetched: LaxDateTime


class EnrichmentRecord(_Frozen):
    """data/enrichment/<id>.yaml: what Scholar and the LLM returned, with provenance."""

    brief: BriefEnrichment | None = None
    scholar: ScholarEnrichment | None = None


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "paper": PaperRecord,
    "report": ReportRecord,
    "institutions": InstitutionsFile,
    "techniques": TechniquesFile,
    "enrichment": EnrichmentRecord,
}
