"""Generate the docs from the data: load -> index -> render -> write (before MkDocs runs)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import BuildFailed
from generator.records.collection import Collection
from generator.records.filecache import GeneratorCache
from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.pagecache import paper_keys, record_of, still_written, verify_requested
from generator.site.render import PageText, RenderSettings, render_site
from generator.site.render.paths import paper_path
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

    Unless `clean`, the generator cache (generator/records/filecache.py) spares the work an
    earlier build did: record files read before are not parsed again, and paper pages whose
    inputs did not change, with their file still as written, are not rendered, written or read
    (pagecache.py). The pages count is of every generated page, rendered or kept.
    """
    timings: dict[str, float] = {}
    cache = None if clean else GeneratorCache.open()
    try:
        with _no_cyclic_gc():
            start = time.perf_counter()
            collection = load_collection(data_dir, cache=cache)
            timings["load"] = time.perf_counter() - start
            start = time.perf_counter()
            model: SiteModel = index_site(collection)
            timings["index"] = time.perf_counter() - start
            start = time.perf_counter()
            docs_dir.mkdir(parents=True, exist_ok=True)
            docs = docs_dir.resolve()
            keys = paper_keys(model, settings) if cache is not None else {}
            previous = cache.pages(str(docs)) if cache is not None else {}
            kept = {
                path
                for path, key in keys.items()
                if still_written(docs, path, previous.get(path), key)
            }
            verify = verify_requested()
            chosen = (
                model.papers
                if verify
                else [p for p in model.papers if paper_path(p.id) not in kept]
            )
            pages = render_site(model, settings, chosen)
            if verify:
                pages = _verified(pages, kept, docs)
            timings["render"] = time.perf_counter() - start
            start = time.perf_counter()
            written = write_pages(pages, docs_dir, kept)
            if cache is not None:
                records = {
                    path: previous[path] if path in kept else record_of(docs, path, key)
                    for path, key in keys.items()
                }
                cache.save(str(docs), {k: v for k, v in records.items() if v is not None})
            timings["write"] = time.perf_counter() - start
    finally:
        if cache is not None:
            cache.close()
    return collection, written, len(pages) + len(kept), timings


def _verified(pages: list[PageText], kept: set[str], docs: Path) -> list[PageText]:
    """Check every kept page against its render (PAPERBRIEF_VERIFY_PAGE_CACHE); return the rest."""
    for page in pages:
        if page.path in kept and (docs / page.path).read_bytes() != page.text.encode("utf-8"):
            raise BuildFailed(
                f"generator cache: {page.path} was kept but renders differently; the page's"
                " key in generator/site/pagecache.py misses an input"
            )
    return [page for page in pages if page.path not in kept]


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
