"""Generate the docs from the data: load -> index -> render -> write (before MkDocs runs)."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import BuildFailed
from generator.records.collection import Collection
from generator.records.filecache import GeneratorCache
from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.pagecache import (
    CachedRelated,
    Fragments,
    PageKeys,
    PageRecord,
    checked_paths_key,
    page_keys,
    record_of,
    still_written,
    verify_requested,
)
from generator.site.render import PageText, RenderSettings, render_site
from generator.site.render.paths import paper_path
from generator.site.write import GeneratedFiles, WriteResult, scan_generated, write_pages


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
    data_dir: Path,
    docs_dir: Path,
    settings: RenderSettings,
    *,
    clean: bool = False,
    on_model: Callable[[SiteModel], None] | None = None,
) -> tuple[Collection, WriteResult, int, dict[str, float]]:
    """Run load, index, render and write; return what was loaded and written.

    Unless `clean`, the generator cache (generator/records/filecache.py) spares the work an
    earlier build did: record files read before are not parsed again, and paper pages whose
    inputs did not change, with their file still as written, are not rendered, written or read
    (pagecache.py). The pages count is of every generated page, rendered or kept. `on_model` is
    handed the site model once it is indexed (the preview keeps it: quickpreview.py).
    """
    timings: dict[str, float] = {}
    cache = None if clean else GeneratorCache.open()
    try:
        with _no_cyclic_gc():
            start = time.perf_counter()
            collection = load_collection(data_dir, cache=cache)
            timings["load"] = time.perf_counter() - start
            start = time.perf_counter()
            verify = verify_requested()
            model: SiteModel = (
                index_site(collection)
                if cache is None
                else index_site(collection, CachedRelated(cache, verify=verify))
            )
            timings["index"] = time.perf_counter() - start
            if on_model is not None:
                on_model(model)
            start = time.perf_counter()
            docs_dir.mkdir(parents=True, exist_ok=True)
            docs = docs_dir.resolve()
            plan = _plan(cache, model, settings, docs)
            chosen = [p for p in model.papers if verify or paper_path(p.id) not in plan.kept]
            produced: dict[str, list[str]] = {}
            pieces = (
                None if cache is None else Fragments(cache, plan.keys, str(docs), verify=verify)
            )
            pages = render_site(
                model,
                settings,
                chosen,
                skip_groups=() if verify else plan.kept_groups,
                produced=produced,
                pieces=pieces,
            )
            if verify:
                pages = _verified(pages, plan.kept, docs)
            timings["render"] = time.perf_counter() - start
            start = time.perf_counter()
            checked = b""
            if cache is not None:
                checked = checked_paths_key([*(page.path for page in pages), *plan.kept])
                cache.prefetch([checked])
            paths_checked = cache is not None and not verify and cache.get(checked) is True
            written = write_pages(
                pages, docs_dir, plan.kept, found=plan.found, paths_checked=paths_checked
            )
            if cache is not None and pieces is not None:
                if paths_checked:
                    cache.touch(checked)
                else:
                    cache.put(checked, True)
                pieces.save()
                cache.save(str(docs), plan.records(docs, produced, cache), plan.previous)
            timings["write"] = time.perf_counter() - start
    finally:
        if cache is not None:
            cache.close()
    return collection, written, len(pages) + len(plan.kept), timings


@dataclass
class _Plan:
    """What the cache lets this build keep (pagecache.py), and what it knew of the last build."""

    keys: PageKeys = field(default_factory=PageKeys)
    previous: dict[str, PageRecord] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    kept_groups: set[str] = field(default_factory=set)
    # the walk of the generated subtrees, made before anything is written (write.py)
    found: GeneratedFiles | None = None

    def records(
        self, docs: Path, produced: dict[str, list[str]], cache: GeneratorCache
    ) -> dict[str, PageRecord]:
        """Return the page records to keep for the next build; note each group's paths."""
        found: dict[str, PageRecord | None] = {}
        for path, key in self.keys.papers.items():
            found[path] = self.previous[path] if path in self.kept else record_of(docs, path, key)
        for unit, key in self.keys.groups.items():
            if unit in self.kept_groups:
                kept = cache.get(key)
                assert isinstance(kept, tuple)  # _plan kept the group for this value
                found.update((path, self.previous[path]) for path in kept)
            elif unit in produced:
                cache.put(key, tuple(produced[unit]))
                found.update((path, record_of(docs, path, key)) for path in produced[unit])
        return {path: record for path, record in found.items() if record is not None}


def _plan(
    cache: GeneratorCache | None, model: SiteModel, settings: RenderSettings, docs: Path
) -> _Plan:
    """Work out which pages are still as the last build wrote them, for the same inputs."""
    if cache is None:
        return _Plan()
    plan = _Plan(keys=page_keys(model, settings), previous=cache.pages(str(docs)))
    plan.found = scan_generated(docs)
    files = plan.found.files
    previous = plan.previous
    plan.kept = {
        path
        for path, key in plan.keys.papers.items()
        if still_written(files, path, previous.get(path), key)
    }
    cache.prefetch(plan.keys.groups.values())
    for unit, key in plan.keys.groups.items():
        paths = cache.get(key)
        if (
            isinstance(paths, tuple)
            and paths
            and all(still_written(files, path, previous.get(path), key) for path in paths)
        ):
            plan.kept_groups.add(unit)
            plan.kept.update(paths)
    return plan


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
    grew (at 10,000 papers about a quarter of load and half of write). When it resumes, what
    the stage made is moved into the oldest generation unscanned (freeze, then unfreeze):
    resuming alone scanned all of it at once in the young generation (0.3 to 1.2 s at 10,000
    papers); cycles left behind are collected with the oldest generation.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
