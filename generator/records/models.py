"""Typed, frozen models for every file paperbrief reads or writes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from generator.records.characters import (
    describe_char,
    forbidden_char,
    has_visible_char,
    mixed_script_word,
)
from generator.records.dates import (
    as_utc_naive,
    check_published_date,
    check_timestamp,
    check_timestamp_date,
    refuse_number,
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
# arXiv ids: YYMM.NNNN from April 2007 to December 2014, YYMM.NNNNN since January 2015, and the
# old archive/YYMMNNN form (1991 to March 2007); an optional version v1, v2, ...
ARXIV_PATTERN = (
    r"^(?:(?:0[7-9]|1[0-4])(?:0[1-9]|1[0-2])\.\d{4}"
    r"|(?:1[5-9]|[2-9]\d)(?:0[1-9]|1[0-2])\.\d{5}"
    r"|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/(?:9[1-9]|0[0-7])(?:0[1-9]|1[0-2])\d{3})"
    r"(?:v[1-9]\d*)?$"
)
# DOIs: 10.<registrant>[.<sub>]/<suffix>; the suffix may hold almost anything, but not spaces,
# quotes, braces or backslashes, which no registered DOI needs and which break BibTeX and HTML.
DOI_PATTERN = r"^10\.\d{4,9}(?:\.\d+)*/[^\s\"'{}\\]+$"
# arXiv category names: cs.CL, math.IT, hep-th, astro-ph.GA, cond-mat.mes-hall, q-bio.NC ...
ARXIV_CATEGORY_PATTERN = r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]+(?:-[a-z]+)*)?$"
VenueStatus = Literal["published", "accepted", "under-review", "withdrawn", "preprint"]
# A status written into the venue name, as PDF headers and old records do: "ICLR 2026 (under review)".
_STATUS_IN_VENUE = re.compile(
    r"\((?:under[ \-]review|withdrawn|accepted|submitted|submission[^)]*|preprint|to appear)\)\s*$",
    re.IGNORECASE,
)
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

# Which characters text may hold lives in generator/records/characters.py: ids and one-line
# fields refuse every control, format, bidi, tag and non-character and Hangul fillers; prose
# keeps newlines and tabs. Text must also show something (not only invisible characters).
_NOTHING_VISIBLE = (
    "shows nothing: it holds only invisible characters, spaces or marks; write the text,"
    " or remove the field if the value is unknown"
)


def _refuse_invisible(value: str, *, prose: bool) -> None:
    bad = forbidden_char(value, prose=prose)
    if bad is not None:
        raise ValueError(
            f"contains the invisible or control character {describe_char(bad)};"
            " delete it (retype the text if you cannot see it)"
        )


def _check_line(value: str) -> str:
    _refuse_invisible(value, prose=False)
    if value != value.strip():
        raise ValueError("has leading or trailing whitespace; remove it")
    if not value:
        raise ValueError("is empty; remove the field if the value is unknown")
    if not has_visible_char(value):
        raise ValueError(_NOTHING_VISIBLE)
    return value


def _check_prose(value: str) -> str:
    _refuse_invisible(value, prose=True)
    if not value.strip():
        raise ValueError("is empty; remove the field if the value is unknown")
    if not has_visible_char(value):
        raise ValueError(_NOTHING_VISIBLE)
    return value


def _check_institution_name(value: str) -> str:
    # look-alike letters (Cyrillic а in "Hаrvard") would pass for a registered institution
    problem = mixed_script_word(value)
    if problem:
        raise ValueError(problem)
    return value


def check_id(value: str) -> str:
    """Validate a record id: lowercase ascii, digits and single hyphens, not reserved."""
    bad = forbidden_char(value)
    if bad is not None:
        raise ValueError(f"contains the invisible or control character {describe_char(bad)}")
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


def check_arxiv_id(value: str) -> str:
    """Validate a bare arXiv id, saying what is wrong with a malformed one."""
    if re.fullmatch(ARXIV_PATTERN, value):
        return value
    example = "write the bare arXiv id, e.g. 2509.26328 or hep-th/9901001"
    if value != value.strip():
        raise ValueError(f"{value!r} has leading or trailing whitespace; remove it")
    if re.match(r"^\s*arxiv\s*:", value, re.IGNORECASE):
        raise ValueError(f"{value!r} has an 'arXiv:' prefix; {example}")
    if re.match(r"^\s*(?:https?://|www\.|arxiv\.org)", value, re.IGNORECASE):
        raise ValueError(f"{value!r} is a URL, not an id; {example}")
    new_style = re.fullmatch(r"(\d{2})(\d{2})\.(\d+)(v\d+)?", value)
    if new_style:
        yy, mm, number, version = new_style.groups()
        if not 1 <= int(mm) <= 12:
            raise ValueError(
                f"{value!r} has month {mm}; an arXiv id starts with the year and month (YYMM)"
            )
        if int(yy) < 7:
            raise ValueError(f"{value!r}: ids of the form YYMM.NNNNN start in April 2007")
        digits = 4 if int(yy) <= 14 else 5
        if len(number) != digits:
            raise ValueError(
                f"{value!r} has {len(number)} digits after the dot; ids from"
                f" {'2007 to 2014' if digits == 4 else '2015 on'} have {digits}"
            )
        if version and not re.fullmatch(r"v[1-9]\d*", version):
            raise ValueError(f"{value!r}: versions start at v1")
    raise ValueError(f"{value!r} is not an arXiv id; {example}")


def check_doi(value: str) -> str:
    """Validate a bare DOI, saying what is wrong with a malformed one."""
    if re.fullmatch(DOI_PATTERN, value):
        return value
    example = "write the bare DOI, e.g. 10.1145/3600006.3613165"
    if re.match(r"^\s*doi\s*:", value, re.IGNORECASE):
        raise ValueError(f"{value!r} has a 'doi:' prefix; {example}")
    if re.match(r"^\s*(?:https?://|www\.|(?:dx\.)?doi\.org)", value, re.IGNORECASE):
        raise ValueError(f"{value!r} is a URL, not a DOI; {example}")
    if re.search(r"[\s\"'{}\\]", value):
        raise ValueError(f"{value!r} contains spaces, quotes, braces or backslashes; {example}")
    if not re.match(r"^10\.\d{4,9}(?:\.\d+)*/", value):
        raise ValueError(f"{value!r} is not of the form 10.<registrant digits>/<suffix>; {example}")
    raise ValueError(f"{value!r} has nothing after the prefix; {example}")


def _check_venue(value: str) -> str:
    _check_line(value)
    if _STATUS_IN_VENUE.search(value):
        name = _STATUS_IN_VENUE.sub("", value).strip()
        raise ValueError(
            f"{value!r} has the status in the name; write venue: {name!r} and say the status"
            " in venue_status (published, accepted, under-review, withdrawn or preprint)"
        )
    return value


def _date_only(value: object) -> object:
    # a bare year (2025) would pass lax date parsing as a Unix timestamp, or fail obscurely
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(
            f"{value!r} is not a date; write YYYY-MM-DD (if only the year is known, use year:)"
        )
    return value


Line = Annotated[str, AfterValidator(_check_line)]
Prose = Annotated[str, AfterValidator(_check_prose)]
InstitutionName = Annotated[
    str, AfterValidator(_check_line), AfterValidator(_check_institution_name)
]
Id = Annotated[str, AfterValidator(check_id)]
# What a paper's `institutions:` says when no institution can be found: the page shows it as
# unknown, and validation no longer asks for one.
UNKNOWN_INSTITUTIONS = "unknown"


def _unknown_as_list(value: object) -> object:
    # `institutions: unknown` reads better than a list holding the word; both mean the same
    if value == UNKNOWN_INSTITUTIONS:
        return [UNKNOWN_INSTITUTIONS]
    if isinstance(value, str):
        raise ValueError(
            f"{value!r} is a single name, not a list; write institutions: [{value!r}] (one name"
            f" per item), or institutions: {UNKNOWN_INSTITUTIONS} when none can be found"
        )
    return value


InstitutionNames = Annotated[
    list[InstitutionName],
    BeforeValidator(_unknown_as_list),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": 30},
                {"const": UNKNOWN_INSTITUTIONS},
            ]
        }
    ),
]
# A technique as a record names it: its id, or any of its labels and aliases (resolved on load).
TechniqueName = Annotated[str, StringConstraints(max_length=200), AfterValidator(_check_line)]
Url = Annotated[str, AfterValidator(_check_url)]
ArxivId = Annotated[
    str,
    AfterValidator(check_arxiv_id),
    WithJsonSchema({"type": "string", "pattern": ARXIV_PATTERN}),
]
Doi = Annotated[
    str,
    StringConstraints(max_length=300),
    AfterValidator(check_doi),
    WithJsonSchema({"type": "string", "pattern": DOI_PATTERN, "maxLength": 300}),
]
VenueName = Annotated[str, AfterValidator(_check_venue)]
ArxivCategory = Annotated[str, StringConstraints(pattern=ARXIV_CATEGORY_PATTERN, max_length=40)]
# Date ranges (generator/records/dates.py): publication dates 1900 to 2099; dates and times the
# site is built from, and enrichment times, 1970 to 2099.
LaxDate = Annotated[
    date, BeforeValidator(refuse_number), Field(strict=False), AfterValidator(check_published_date)
]
FirstVersionDate = Annotated[
    date, BeforeValidator(_date_only), Field(strict=False), AfterValidator(check_published_date)
]
RecordDate = Annotated[
    date, BeforeValidator(refuse_number), Field(strict=False), AfterValidator(check_timestamp_date)
]
LaxDateTime = Annotated[
    datetime, BeforeValidator(refuse_number), Field(strict=False), AfterValidator(check_timestamp)
]
# A report's time: one without a UTC offset is UTC; one with an offset is converted to UTC.
UtcDateTime = Annotated[
    datetime, BeforeValidator(refuse_number), Field(strict=False), AfterValidator(as_utc_naive)
]


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


class Sources(_Frozen):
    """Where a record's facts come from when not from the paper's arXiv abstract page."""

    title: Line | None = None
    authors: Line | None = None
    institutions: Line | None = None
    published: Line | None = Field(None, description="Where the first-version date was seen")
    venue: Line | None = Field(None, description="The page that states the venue and its status")
    arxiv_category: Line | None = None
    doi: Line | None = None
    pdf: Line | None = None
    code: Line | None = None
    project: Line | None = None


class PaperRecord(_Frozen):
    """One paper: the contents of data/papers/<id>.yaml (the id is the file stem)."""

    title: Line | None = Field(
        None,
        max_length=500,
        description="Readable title; omit only if unknown (then list it in review)",
    )
    authors: list[Line] | None = Field(
        None,
        max_length=5000,
        description="Author names in order, as printed on the paper (arXiv's v1 list)",
    )
    author_count: int | None = Field(
        None,
        ge=1,
        le=5000,
        description="Number of authors; may be omitted when authors are listed, must match them",
    )
    institutions: InstitutionNames = Field(
        default_factory=list,
        max_length=30,
        description=(
            "Institutions as written (English, Chinese or an alias); resolved via"
            f" data/institutions.yaml. `{UNKNOWN_INSTITUTIONS}` when none can be found"
        ),
    )
    abstract: Prose | None = Field(None, max_length=20000, description="The paper's abstract")
    published: FirstVersionDate | None = Field(
        None, description="Date of the first public version, e.g. arXiv v1 (YYYY-MM-DD)"
    )
    venue: VenueName | None = Field(
        None,
        max_length=300,
        description="Venue name only, e.g. 'ICLR 2026'; its status goes in venue_status",
    )
    venue_status: VenueStatus | None = Field(
        None,
        description=(
            "published: in the proceedings or journal; accepted: accepted, not yet out;"
            " under-review: submitted to the venue; withdrawn: submission withdrawn;"
            " preprint: no venue (arXiv only)"
        ),
    )
    year: int | None = Field(
        None,
        ge=1900,
        le=2100,
        description=(
            "Year to cite: the venue's year when published or accepted, else the year of"
            " the first version"
        ),
    )
    links: Links = Field(default_factory=Links)
    arxiv_category: ArxivCategory | None = Field(
        None, description="arXiv primary category, e.g. cs.CL (needs links.arxiv)"
    )
    techniques: list[TechniqueName] = Field(
        default_factory=list,
        max_length=6,
        description=(
            "Technique ids from data/techniques.yaml (1 to 4 is typical); a label or alias"
            " listed there is read as its technique"
        ),
    )
    added: RecordDate = Field(description="Date the paper was added to the collection (YYYY-MM-DD)")
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
    sources: Sources = Field(
        default_factory=Sources,
        description="Where facts come from when not from arXiv, one line per fact",
    )
    review: list[Line] = Field(
        default_factory=list,
        description="Open questions for a maintainer, e.g. 'title: missing in the source report'",
    )

    @field_validator("title", mode="before")
    @classmethod
    def _title_is_written(cls, title: object) -> object:
        if isinstance(title, str) and not title.strip():
            raise ValueError(
                "is empty: write the paper's title as printed on the paper; a record without"
                " a title is not published (`paperbrief validate --strict` fails on it)"
            )
        return title

    @field_validator("venue_status")
    @classmethod
    def _status_needs_a_venue(cls, status: str | None, info: ValidationInfo) -> str | None:
        if status not in (None, "preprint") and info.data.get("venue") is None:
            raise ValueError(
                f"is {status!r} but no venue is given; add venue: (its name, e.g. 'ICLR 2026')"
            )
        return status

    @field_validator("year")
    @classmethod
    def _year_agrees(cls, year: int | None, info: ValidationInfo) -> int | None:
        if year is None:
            return year
        published: date | None = info.data.get("published")
        venue: str | None = info.data.get("venue")
        status: str | None = info.data.get("venue_status")
        at_venue = status in ("published", "accepted") or (status is None and bool(venue))
        if published is not None and not at_venue and year != published.year:
            raise ValueError(
                f"is {year} but published is {published.isoformat()}: a paper not at a venue"
                f" takes the year of its first version ({published.year})"
            )
        venue_years = set(_YEAR_IN_TEXT.findall(venue or ""))
        if status in ("published", "accepted") and len(venue_years) == 1:
            (named,) = venue_years
            if int(named) != year:
                raise ValueError(f"is {year} but the venue {venue!r} is of {named}")
        return year

    @field_validator("arxiv_category")
    @classmethod
    def _category_needs_an_id(cls, category: str | None, info: ValidationInfo) -> str | None:
        links: Links | None = info.data.get("links")
        if category is not None and links is not None and links.arxiv is None:
            raise ValueError("is set but links.arxiv is not; add the arXiv id")
        return category

    @property
    def institutions_unknown(self) -> bool:
        """Tell whether the record says its institutions cannot be found."""
        return self.institutions == [UNKNOWN_INSTITUTIONS]

    @property
    def author_total(self) -> int | None:
        """Return the number of authors: the listed authors, else author_count."""
        return len(self.authors) if self.authors else self.author_count

    @property
    def citation_year(self) -> int | None:
        """Return the year to cite: year, else the year of the first version."""
        if self.year is not None:
            return self.year
        return self.published.year if self.published else None


class ReportRecord(_Frozen):
    """One report: the contents of data/reports/<id>.yaml."""

    title: Line = Field(max_length=300)
    generated: UtcDateTime = Field(
        description="When the report was generated (YYYY-MM-DD HH:MM:SS, UTC; a time with an"
        " offset is converted to UTC)"
    )
    papers: list[Id] = Field(min_length=1, description="Paper ids in report order")
    intro: Prose | None = Field(
        None, max_length=10000, description="Optional introduction (Markdown is not interpreted)"
    )


class Institution(_Frozen):
    """One entry of data/institutions.yaml."""

    id: Id
    en: InstitutionName = Field(description="English name")
    zh: InstitutionName | None = Field(None, description="Chinese name")
    aliases: list[InstitutionName] = Field(
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
    description: Line = Field(
        description="One line in English: what the technique does (the English site shows it)"
    )
    description_zh: Line | None = Field(
        None,
        description=(
            "The same line in Chinese, shown by the Chinese site; without it that site shows"
            " the English description"
        ),
    )
    aliases: list[Line] = Field(default_factory=list)
    parent: Id | None = None

    def description_in(self, language: str) -> str:
        """Return the description in a site language: Chinese when there is one, else English."""
        if language.lower().startswith("zh") and self.description_zh:
            return self.description_zh
        return self.description


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


class _Lookup(_Frozen):
    """Provenance of one answer: what was asked, where, when, and whether it was answered."""

    status: Literal["found", "not-found", "error"]
    input: Line = Field(description="What was asked: an arXiv id, ARXIV:<id>, DOI:<doi> or a title")
    input_hash: Line = Field(description="Hash of the input; a changed input means a new lookup")
    source: Url = Field(description="The API endpoint that was asked")
    fetched: LaxDateTime
    error: Prose | None = Field(None, description="Why there is no answer (status error)")


class ArxivMetadata(_Lookup):
    """What arXiv's API said about a paper, asked by its id or by an exact-title search."""

    by: Literal["id", "title"] = "id"
    arxiv_id: ArxivId | None = Field(
        None, description="The id arXiv answered with (latest version)"
    )
    title: Line | None = None
    authors: list[Line] = Field(default_factory=list)
    abstract: Prose | None = None
    published: LaxDate | None = Field(None, description="Date of the first version (v1)")
    updated: LaxDate | None = Field(None, description="Date of the latest version")
    primary_category: Line | None = None
    categories: list[Line] = Field(default_factory=list)
    comment: Prose | None = None
    journal_ref: Line | None = None
    doi: Doi | None = None
    pdf_url: Url | None = None


class SemanticScholarMetadata(_Lookup):
    """What Semantic Scholar's Graph API said about a paper, asked by its arXiv id or DOI."""

    paper_id: Line | None = None
    title: Line | None = None
    authors: list[Line] = Field(default_factory=list)
    venue: Line | None = None
    publication_venue: Line | None = None
    venue_type: Line | None = None
    publication_date: LaxDate | None = None
    year: int | None = None
    citations: int | None = Field(None, ge=0)
    doi: Doi | None = None
    dblp: Line | None = None
    arxiv: ArxivId | None = None
    open_access_pdf: Url | None = None


class FilledField(_Frozen):
    """A field of the paper record that `enrich --metadata` filled, and from where."""

    name: Line = Field(description="The record field, e.g. authors or links.pdf")
    source: Literal["arXiv", "Semantic Scholar"]
    when: LaxDate = Field(description="The day it was filled")


class MetadataEnrichment(_Frozen):
    """Bibliographic metadata from arXiv and Semantic Scholar, and what it did to the record."""

    arxiv: ArxivMetadata | None = None
    semantic_scholar: SemanticScholarMetadata | None = None
    # a field filled once is not filled again: if it is missing now, a person removed it
    filled: list[FilledField] = Field(default_factory=list)
    # flags already put under the record's review: (a person may delete them; not re-added)
    flags: list[Line] = Field(default_factory=list)


class EnrichmentRecord(_Frozen):
    """data/enrichment/<id>.yaml: what Scholar, arXiv, Semantic Scholar and the LLM returned."""

    brief: BriefEnrichment | None = None
    scholar: ScholarEnrichment | None = None
    metadata: MetadataEnrichment | None = None


SCHEMA_MODELS: dict[str, type[BaseModel]] = {
    "paper": PaperRecord,
    "report": ReportRecord,
    "institutions": InstitutionsFile,
    "techniques": TechniquesFile,
    "enrichment": EnrichmentRecord,
}
