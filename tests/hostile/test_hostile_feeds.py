"""Feeds stay well-formed XML whatever text reaches them, validated or not.

Validation refuses non-characters and other invisible characters in records, but text also comes
from Scholar, arXiv and the LLM; escaping drops the same characters, so every feed, sitemap and
SVG parses with expat even when a record got past validation.
"""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hostile_payloads import write_hostile_data

from generator.records.collection import Collection, Paper, Report
from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

# Every character XML 1.0 refuses or a reader cannot see, except tab, newline and CR (and lone
# surrogates, which no UTF-8 file and no cleaned answer can hold).
POISON = (
    "\x00\x01\x08\x0b\x0c\x1f\x7f\x85\ufffe\uffff\ufdd0\ufdef\U0001fffe\U0010ffff"
    "\U000e0001\U000e0041\u3164\u115f\u1160\uffa0\u00ad\u200b\u202e\u2066\ufeff"
)


def _poisoned(text: str | None) -> str | None:
    return None if text is None else f"{text[:1]}{POISON}{text[1:]}{POISON}"


def _poison_model(model: Any) -> Any:
    """Return a copy of a record with every string poisoned, bypassing validation."""
    update: dict[str, Any] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str) and name not in {"id", "input_hash", "status", "prompt_version"}:
            update[name] = _poisoned(value)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            if name not in {"techniques", "papers", "technique_ids", "institutions"}:
                update[name] = [_poisoned(v) for v in value]
        elif hasattr(value, "model_fields"):
            update[name] = _poison_model(value)
    return model.model_copy(update=update)


def _poison(collection: Collection) -> Collection:
    papers = {}
    for paper_id, paper in collection.papers.items():
        papers[paper_id] = dataclasses.replace(
            paper,
            record=_poison_model(paper.record),
            institutions=tuple(_poison_model(i) for i in paper.institutions),
            techniques=tuple(_poison_model(t) for t in paper.techniques),
            enrichment=_poison_model(paper.enrichment) if paper.enrichment else None,
        )
    reports = {
        rid: Report(id=r.id, record=_poison_model(r.record), source=r.source)
        for rid, r in collection.reports.items()
    }
    return dataclasses.replace(collection, papers=papers, reports=reports)


@pytest.fixture(scope="module")
def poisoned_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = write_hostile_data(tmp_path_factory.mktemp("feeds"))
    collection = _poison(load_collection(data))
    assert any(POISON in (p.record.title or "") for p in collection.papers.values())
    return {p.path: p.text for p in render_site(index_site(collection), RenderSettings())}


def test_every_xml_file_parses_strictly(poisoned_pages: dict[str, str]) -> None:
    xml_files = {k: v for k, v in poisoned_pages.items() if k.endswith((".xml", ".svg"))}
    assert len(xml_files) >= 8
    failures = []
    for path, text in xml_files.items():
        try:
            ET.fromstring(text.encode("utf-8"))
        except ET.ParseError as exc:
            failures.append(f"{path}: {exc}")
    assert not failures, failures


def test_no_page_or_feed_holds_an_invisible_or_refused_character(
    poisoned_pages: dict[str, str],
) -> None:
    refused = set(POISON)
    found = {
        path: sorted(f"U+{ord(ch):04X}" for ch in set(text) & refused)
        for path, text in poisoned_pages.items()
        if set(text) & refused and not path.endswith((".json", ".csv", ".bib"))
    }
    assert not found, found


def test_the_feeds_still_carry_the_visible_text(poisoned_pages: dict[str, str]) -> None:
    feed = ET.fromstring(poisoned_pages["feeds/reports.xml"].encode("utf-8"))
    titles = [t.text or "" for t in feed.iter("title")]
    # controls became spaces, invisible characters went: "R\x00...eport" reads "R eport"
    assert any("eport" in t and "pbx01" in t for t in titles), titles
    assert any("econd" in t for t in titles), titles


def test_poisoning_reached_every_record_kind(poisoned_pages: dict[str, str]) -> None:
    # the JSON export keeps text as data (JSON may hold any character): the poison is there
    assert (
        "\\ufffe" in poisoned_pages["exports/papers.json"]
        or "\ufffe" in (poisoned_pages["exports/papers.json"])
    )


def test_poison_helpers_cover_papers(tmp_path: Path) -> None:
    data = write_hostile_data(tmp_path)
    collection = _poison(load_collection(data))
    paper: Paper = next(iter(collection.papers.values()))
    assert POISON in (paper.record.abstract or "")
    assert all(POISON in i.en for i in paper.institutions)
