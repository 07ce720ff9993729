"""Build the fixture site for the reader-facing tests, in Chinese or in English with TL;DRs."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site"))

from sitebuild import FIXTURE_DATA, BuiltSite

from generator.site.build import build_site
from generator.site.write import copy_handwritten_docs

ROOT = Path(__file__).resolve().parents[2]


HOSTILE_TLDR = "TLDR <script>alert('tldr')</script> {{ 7*7 }} [x](javascript:alert(1))"


def data_with_tldrs(target: Path) -> Path:
    """Copy the fixture data and give two papers an English TL;DR (one of them hostile)."""
    shutil.copytree(FIXTURE_DATA, target)
    for paper_id, tldr in (
        ("quant-llm", "QuantLLM stores LLM weights in 4 bits and cuts memory by 70%."),
        ("hostile", HOSTILE_TLDR),
    ):
        path = target / "papers" / f"{paper_id}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8") + f"tldr: {json.dumps(tldr)}\n", encoding="utf-8"
        )
    return target


def build_fixture(base: Path, data: Path = FIXTURE_DATA, language: str | None = None) -> BuiltSite:
    """Build data with the repository's mkdocs.yml, optionally in another language."""
    docs = copy_handwritten_docs(ROOT / "docs", base / "docs")
    report = build_site(
        data, docs, base / "site", config_file=ROOT / "mkdocs.yml", language=language
    )
    return BuiltSite(data=data, docs=docs, site=base / "site", report=report)
