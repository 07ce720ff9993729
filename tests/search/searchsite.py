"""Build the fixture site with its Pagefind index; read what Pagefind wrote."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from generator.site.build import BuildReport, build_site
from generator.site.write import copy_handwritten_docs

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
CONFIG = ROOT / "mkdocs.yml"
# The papers the fixture files under quantization, directly or through a narrower technique.
QUANTIZATION_PAPERS = {"quant-llm", "ptq-calib", "hostile"}


@dataclass
class SearchSite:
    """A built fixture site: its directories and what the build reported."""

    docs: Path
    site: Path
    report: BuildReport

    @property
    def bundle(self) -> Path:
        """Return the Pagefind bundle directory."""
        return self.site / "pagefind"

    def fragments(self) -> list[dict]:
        """Return every indexed page's fragment (url, content, filters, meta)."""
        out = []
        for path in sorted((self.bundle / "fragment").glob("*.pf_fragment")):
            raw = gzip.decompress(path.read_bytes())
            assert raw.startswith(b"pagefind_dcd")
            out.append(json.loads(raw[len(b"pagefind_dcd") :]))
        return out


def build_fixture(base: Path, data: Path = FIXTURE_DATA) -> SearchSite:
    """Build `data` with the repository's mkdocs.yml into base/docs and base/site."""
    docs = copy_handwritten_docs(ROOT / "docs", base / "docs")
    report = build_site(data, docs, base / "site", config_file=CONFIG)
    return SearchSite(docs=docs, site=base / "site", report=report)
