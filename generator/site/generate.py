"""Generate the docs from the data: load -> index -> render -> write (before MkDocs runs)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from generator.records.collection import Collection
from generator.records.filecache import GeneratorCache
from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.render import RenderSettings, render_site
from generator.site.write import WriteResult, write_pages


def data_epoch(collection: Collection) -> int:
    """Return a build timestamp taken from the data: the newest report or paper date."""
    moments = [r.record.generated for r in collection.reports.values()]
    moments += [
        datetime.combine(p.record.added, datetime.min.time()) for p in collection.papers.values()
    ]
    if not moments:
        return 0
    newest = max(m.replace(tzinfo=UTC) if m.tzinfo is None else m for m in moments)
    return int(newest.timestamp())


def generate_docs(
    data_dir: Path, docs_dir: Path, settings: RenderSettings, *, clean: bool = False
) -> tuple[Collection, WriteResult, int, dict[str, float]]:
    """Run load, index, render and write; return what was loaded and written.

    Unless `clean`, record files read by an earlier build are taken from the generator cache
    (generator/records/filecache.py).
    """
    timings: dict[str, float] = {}
    cache = None if clean else GeneratorCache.open()
    with _no_cyclic_gc():
        start = time.perf_counter()
        collection = load_collection(data_dir, cache=cache)
        timings["load"] = time.perf_counter() - start
        start = time.perf_counter()
        model: SiteModel = index_site(collection)
        timings["index"] = time.perf_counter() - start
        start = time.perf_counter()
        pages = render_site(model, settings)
        timings["render"] = time.perf_counter() - start
        start = time.perf_counter()
        written = write_pages(pages, docs_dir)
        if cache is not None:
            cache.save()
            cache.close()
        timings["write"] = time.perf_counter() - start
    return collection, written, len(pages), timings


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees memory).

    Generating a site allocates millions of objects that live until the end of the stage
    and form almost no cycles; the collector rescanned them again and again as the heap
    grew (at 10,000 papers about a quarter of load and half of write). Cycles left behind
    are collected once when it resumes.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
