"""Build the site from a data directory and print what it costs: time per stage and bytes per page.

Usage: python benchmarks/site_build.py [DATA_DIR]   (default: data/)

Builds into a temporary directory with the repository's mkdocs.yml (strict mode), so the
repository's docs/ is left alone. Prints generate and MkDocs times, the size of each kind of page
(paper pages in particular), the search index and the whole site.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.build import build_site  # noqa: E402
from generator.site.write import OWNED_DIRS, _is_generated  # noqa: E402


def _sizes(paths: list[Path]) -> str:
    if not paths:
        return "none"
    sizes = [p.stat().st_size for p in paths]
    return (
        f"{len(sizes)} pages, mean {statistics.mean(sizes) / 1024:.1f} KiB, "
        f"median {statistics.median(sizes) / 1024:.1f} KiB, max {max(sizes) / 1024:.1f} KiB"
    )


def main() -> None:
    """Build once and print the figures."""
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data"
    with tempfile.TemporaryDirectory(prefix="paperbrief-bench-") as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for item in sorted((ROOT / "docs").iterdir()):
            if (
                item.is_file()
                and item.name not in OWNED_DIRS
                and not _is_generated(item, item.name)
            ):
                shutil.copy2(item, docs / item.name)
        start = time.perf_counter()
        report = build_site(data, docs, Path(tmp) / "site", config_file=ROOT / "mkdocs.yml")
        wall = time.perf_counter() - start
        site = Path(tmp) / "site"
        t = report.timings
        print(f"data: {data} ({report.papers} papers, {report.pages} generated files)")
        print(
            f"generate: load {t['load']:.3f} s, index {t['index']:.3f} s, render {t['render']:.3f} s, "
            f"write {t['write']:.3f} s"
        )
        print(f"mkdocs build (strict): {t['mkdocs']:.2f} s; whole build {wall:.2f} s")
        for kind in ("papers", "institutions", "techniques", "reports"):
            print(f"{kind}: {_sizes(sorted((site / kind).rglob('index.html')))}")
        papers = sorted((site / "papers").glob("*/index.html"))
        if papers:
            total = sum(p.stat().st_size for p in papers)
            print(f"bytes per paper page: {total / len(papers):.0f}")
        index = site / "search" / "search_index.json"
        if index.is_file():
            print(f"search index: {index.stat().st_size / 1024:.1f} KiB")
        everything = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        print(f"site: {everything / 1024 / 1024:.2f} MiB in total")


if __name__ == "__main__":
    main()
