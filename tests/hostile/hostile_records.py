"""A valid record of every kind with every field filled, and the text fields a payload can go in.

Each kind names its file, the model that reads it, and a base record. `text_leaves` lists every
free-text value in a base record (ids, links, dates, enums and patterned values are left out: they
refuse payloads by their own form), so a test can put a payload into each in turn.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.records.models import (
    EnrichmentRecord,
    InstitutionsFile,
    PaperRecord,
    ReportRecord,
    TechniquesFile,
)

Loc = tuple[str | int, ...]

PAPER: dict[str, Any] = {
    "title": "A paper on quantization",
    "authors": ["Ada Lovelace", "Alan Turing"],
    "author_count": 2,
    "institutions": ["HKU", "Peking University"],
    "abstract": "An abstract.\n\nIts second paragraph.",
    "published": "2025-09-30",
    "venue": "ICLR 2026",
    "venue_status": "under-review",
    "year": 2025,
    "links": {
        "arxiv": "2509.26328",
        "doi": "10.1145/3600006.3613165",
        "pdf": "https://arxiv.org/pdf/2509.26328",
        "code": "https://github.com/example/code",
        "project": "https://example.org/project",
    },
    "arxiv_category": "cs.CL",
    "techniques": ["quantization"],
    "added": "2025-10-15",
    "brief": "一句话简报。",
    "tldr": "A summary.",
    "notes": "Notes.\n\nMore notes.",
    "sources": {
        "title": "the PDF",
        "authors": "the PDF",
        "institutions": "the PDF",
        "published": "arXiv listing",
        "venue": "OpenReview",
        "arxiv_category": "arXiv listing",
        "doi": "ACM page",
        "pdf": "arXiv",
        "code": "the paper",
        "project": "the paper",
    },
    "review": ["check the venue"],
}
REPORT: dict[str, Any] = {
    "title": "AI推理加速技术论文分析报告",
    "generated": "2025-10-15 19:44:32",
    "papers": ["p"],
    "intro": "An introduction.\n\nSecond paragraph.",
}
INSTITUTIONS: dict[str, Any] = {
    "institutions": [
        {
            "id": "hku",
            "en": "The University of Hong Kong",
            "zh": "香港大学",
            "aliases": ["HKU", "港大"],
            "country": "HK",
            "url": "https://www.hku.hk/",
        },
        {"id": "pku", "en": "Peking University", "zh": "北京大学", "aliases": ["PKU"]},
    ]
}
TECHNIQUES: dict[str, Any] = {
    "techniques": [
        {
            "id": "quantization",
            "zh": "量化",
            "en": "Quantization",
            "description": "Store and compute with fewer bits.",
            "aliases": ["PTQ", "低比特量化"],
        },
        {
            "id": "ptq",
            "zh": "训练后量化",
            "en": "Post-training quantization",
            "description": "Quantize a trained model.",
            "parent": "quantization",
        },
    ]
}
_LOOKUP = {
    "status": "found",
    "input": "2509.26328",
    "input_hash": "sha256:0123456789abcdef",
    "source": "https://export.arxiv.org/api/query",
    "fetched": "2025-11-01 08:00:00+00:00",
}
ENRICHMENT: dict[str, Any] = {
    "brief": {
        "status": "ok",
        "fields": {
            "institution": "香港大学",
            "technique": "量化",
            "problem": "问题",
            "result": "结果",
            "technique_ids": ["quantization"],
            "tldr_en": "An English summary.",
        },
        "text": "生成的简报。",
        "error": "none",
        "model": "mistral-small-2506",
        "prompt_version": "v3",
        "input_hash": "sha256:0",
        "generated": "2025-11-02 09:00:00+00:00",
    },
    "scholar": {
        "status": "match",
        "query": "A paper on quantization",
        "citations": 12,
        "venue": "ICLR",
        "year": 2025,
        "pub_url": "https://openreview.net/forum?id=x",
        "eprint_url": "https://arxiv.org/pdf/2509.26328",
        "scholar_url": "https://scholar.google.com/scholar?cluster=1",
        "authors": ["A Lovelace", "A Turing"],
        "matched_title": "A paper on quantization",
        "similarity": 100.0,
        "error": "none",
        "fetched": "2025-11-01 08:00:00+00:00",
    },
    "metadata": {
        "arxiv": {
            **_LOOKUP,
            "error": "none",
            "by": "id",
            "arxiv_id": "2509.26328v2",
            "title": "A paper on quantization",
            "authors": ["Ada Lovelace", "Alan Turing"],
            "abstract": "An abstract.",
            "published": "2025-09-30",
            "updated": "2025-10-30",
            "primary_category": "cs.CL",
            "categories": ["cs.CL", "cs.LG"],
            "comment": "12 pages",
            "journal_ref": "ICLR 2026",
            "doi": "10.1145/3600006.3613165",
            "pdf_url": "https://arxiv.org/pdf/2509.26328v2",
        },
        "semantic_scholar": {
            **_LOOKUP,
            "source": "https://api.semanticscholar.org/graph/v1/paper/batch",
            "error": "none",
            "paper_id": "abc123",
            "title": "A paper on quantization",
            "authors": ["Ada Lovelace"],
            "venue": "ICLR",
            "publication_venue": "International Conference on Learning Representations",
            "venue_type": "conference",
            "publication_date": "2025-09-30",
            "year": 2025,
            "citations": 3,
            "doi": "10.1145/3600006.3613165",
            "dblp": "conf/iclr/X25",
            "arxiv": "2509.26328",
            "open_access_pdf": "https://arxiv.org/pdf/2509.26328",
        },
        "filled": [{"name": "authors", "source": "arXiv", "when": "2025-11-01"}],
        "flags": ["title differs from arXiv"],
    },
}


@dataclass(frozen=True)
class Kind:
    """One kind of record file: where it lives in data/, its model and a full valid record."""

    name: str
    file: str
    model: type[BaseModel]
    base: dict[str, Any]


KINDS = {
    kind.name: kind
    for kind in (
        Kind("paper", "papers/p.yaml", PaperRecord, PAPER),
        Kind("report", "reports/r.yaml", ReportRecord, REPORT),
        Kind("institutions", "institutions.yaml", InstitutionsFile, INSTITUTIONS),
        Kind("techniques", "techniques.yaml", TechniquesFile, TECHNIQUES),
        Kind("enrichment", "enrichment/p.yaml", EnrichmentRecord, ENRICHMENT),
    )
}
# Values whose form is fixed (ids, links, patterns, enums): not free text.
_NOT_TEXT = {
    "id",
    "parent",
    "technique_ids",
    "techniques",
    "papers",
    "status",
    "by",
    "country",
    "arxiv",
    "arxiv_id",
    "doi",
    "arxiv_category",
    "venue_status",
    "url",
    "pdf",
    "code",
    "project",
    "pub_url",
    "eprint_url",
    "scholar_url",
    "pdf_url",
    "open_access_pdf",
    "input_hash",
    "source",
}


def text_leaves(value: Any, loc: Loc = ()) -> Iterator[Loc]:
    """Yield the location of every free-text string in a record."""
    if isinstance(value, dict):
        for key, item in value.items():
            # every field of `sources:` is free text, whatever its name
            fixed_form = isinstance(item, str) or (
                isinstance(item, list) and all(isinstance(i, str) for i in item)
            )
            if key in _NOT_TEXT and fixed_form and "sources" not in loc:
                continue
            yield from text_leaves(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from text_leaves(item, (*loc, i))
    elif isinstance(value, str) and not _looks_like_date(value):
        yield loc


def _looks_like_date(text: str) -> bool:
    return len(text) >= 10 and text[:4].isdigit() and text[4] == "-" and text[7] == "-"


def with_value(base: dict[str, Any], loc: Loc, value: Any) -> dict[str, Any]:
    """Return a copy of a record with the value at `loc` replaced."""
    record = copy.deepcopy(base)
    target: Any = record
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value
    return record


def get_value(record: dict[str, Any], loc: Loc) -> Any:
    """Return the value at `loc`."""
    target: Any = record
    for part in loc:
        target = target[part]
    return target


def _typed(value: Any) -> Any:
    """Turn date strings into dates, so YAML writes them as a person would: unquoted."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, str) and _looks_like_date(value):
        return date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    return value


def to_yaml(record: dict[str, Any]) -> str:
    """Write a record as YAML: block style, anything unusual as an escape in double quotes."""
    return yaml.safe_dump(_typed(record), allow_unicode=False, sort_keys=False, width=10**9)


def write_kind(data: Path, kind: Kind, record: dict[str, Any]) -> Path:
    """Write a record of a kind into a data directory; return its path."""
    path = data / kind.file
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_yaml(record), encoding="utf-8")
    return path


def write_full_data(data: Path, **replace: dict[str, Any]) -> Path:
    """Write one record of every kind (paper p, report r, registries, p's enrichment)."""
    for name, kind in KINDS.items():
        write_kind(data, kind, replace.get(name, kind.base))
    return data
