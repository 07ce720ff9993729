"""Helpers to build a site into a temporary directory with the repository's mkdocs.yml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import ValidationFailed
from generator.records.load import load_collection
from generator.site.build import BuildReport, build_site
from generator.site.write import copy_handwritten_docs

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
BUNDLED_DATA = ROOT / "data"
CONFIG = ROOT / "mkdocs.yml"


@dataclass
class BuiltSite:
    """A finished build: where its docs and site are, and what it reported."""

    data: Path
    docs: Path
    site: Path
    report: BuildReport


def build_into(base: Path, data: Path, language: str | None = None) -> BuiltSite:
    """Build `data` with the repository's mkdocs.yml into base/docs and base/site."""
    docs = copy_handwritten_docs(ROOT / "docs", base / "docs")
    report = build_site(data, docs, base / "site", config_file=CONFIG, language=language)
    return BuiltSite(data=data, docs=docs, site=base / "site", report=report)


def bundled_or_fixture() -> Path:
    """Return data/ when it validates (it is being curated), else the fixture data."""
    try:
        collection = load_collection(BUNDLED_DATA)
    except ValidationFailed:
        return FIXTURE_DATA
    return BUNDLED_DATA if collection.papers else FIXTURE_DATA
