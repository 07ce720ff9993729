"""Measure the statistics page and the export files at N papers: time and bytes.

    python benchmarks/reader_pages.py 1000 10000

Synthetic records come from benchmarks/synthetic_papers.py (same generator, same seed); only the
load -> index -> statistics / exports stages run, no MkDocs. Prints one row per N.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_papers import generate_data

from generator.records.load import load_collection
from generator.site.index import index_site
from generator.site.render.context import RenderContext, RenderSettings
from generator.site.render.exports import render_exports
from generator.site.render.paper import cite_block
from generator.site.render.stats import render_statistics


def measure(n: int) -> dict[str, float]:
    """Generate n records, then time the statistics page and each export."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        generate_data(data, n, seed=1)
        collection = load_collection(data)
        start = time.perf_counter()
        model = index_site(collection)
        index_s = time.perf_counter() - start
        context = RenderContext(model, RenderSettings())
        start = time.perf_counter()
        stats = render_statistics(model, context).text
        stats_s = time.perf_counter() - start
        start = time.perf_counter()
        exports = render_exports(context)
        exports_s = time.perf_counter() - start
        start = time.perf_counter()
        cites = sum(len(cite_block(context, p)) for p in model.papers)
        cite_s = time.perf_counter() - start
    sizes = {p.path: len(p.text.encode()) for p in exports}
    return {
        "index_s": index_s,
        "stats_s": stats_s,
        "stats_kb": len(stats.encode()) / 1024,
        "exports_s": exports_s,
        "json_mb": sizes["exports/papers.json"] / 2**20,
        "csv_mb": sizes["exports/papers.csv"] / 2**20,
        "bib_mb": sizes["exports/papers.bib"] / 2**20,
        "cite_s": cite_s,
        "cite_b_per_paper": cites / max(n, 1),
    }


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000]
    print("N       index s  stats s  stats KB  exports s  json MB  csv MB  bib MB  cite s  cite B/paper")
    for n in sizes:
        m = measure(n)
        print(
            f"{n:<7} {m['index_s']:7.2f}  {m['stats_s']:7.3f}  {m['stats_kb']:8.1f}  "
            f"{m['exports_s']:9.2f}  {m['json_mb']:7.2f}  {m['csv_mb']:6.2f}  {m['bib_mb']:6.2f}  "
            f"{m['cite_s']:6.2f}  {m['cite_b_per_paper']:12.0f}"
        )


if __name__ == "__main__":
    main()
