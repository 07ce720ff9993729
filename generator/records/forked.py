"""Share a long list of independent work with one forked process (the machine's second core).

The generator's first build parses every record file and renders every paper page, each item
on its own; `shared_map` hands the list to a forked process in chunks, front to back, while
this process does its own other work and then takes the chunks nobody started, back to front.
Neither side waits while the other has work left: the split follows the machine and the data
(a fixed share left one core idle for 1 to 2 s at 10,000 papers).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")
E = TypeVar("E")

# The forked process takes its chunks from this copy of the parent's memory: only the chunk's
# bounds are sent to it, and only its results come back (pickled).
_WORK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
# Chunks per list: small enough that the side left last has little to finish alone.
CHUNKS = 32


def fork_pool() -> ProcessPoolExecutor | None:
    """Return a one-process pool forked from this one, when that is safe and worth it."""
    if (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        return None  # forking a process with threads can deadlock the child
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))


def _run_chunk(start: int, stop: int) -> list[Any]:
    assert _WORK is not None
    work, items = _WORK
    return [work(item) for item in items[start:stop]]


def _nothing() -> None:
    return None


def shared_map(
    work: Callable[[T], R],
    items: Sequence[T],
    *,
    minimum: int,
    meanwhile: Callable[[], E] = _nothing,  # type: ignore[assignment]
    pool: Callable[[], ProcessPoolExecutor | None] | None = None,
) -> tuple[list[R], E]:
    """Return `[work(item) for item in items]` and what `meanwhile()` returned.

    From `minimum` items on, a forked process (`pool`) works through the items in chunks from
    the front while this one runs `meanwhile`, then works through the chunks not yet started
    from the back (`pool` makes the process: `fork_pool` unless given). `work` must be pure and its results picklable: the results are the same,
    in the same order, either way. An exception in `work` is raised here.
    """
    global _WORK
    forked = (pool or fork_pool)() if len(items) >= minimum and items else None
    if forked is None:
        extra = meanwhile()
        return [work(item) for item in items], extra
    size = max(1, -(-len(items) // CHUNKS))
    bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
    _WORK = (work, items)
    try:
        futures: list[Future[list[R]]] = [forked.submit(_run_chunk, a, b) for a, b in bounds]
        extra = meanwhile()
        mine: dict[int, list[R]] = {}
        for n in range(len(bounds) - 1, -1, -1):
            if not futures[n].cancel():
                break  # the forked process has this one: it has every earlier one too
            start, stop = bounds[n]
            mine[n] = [work(item) for item in items[start:stop]]
        results: list[R] = []
        for n, future in enumerate(futures):
            results += mine[n] if n in mine else future.result()
    finally:
        _WORK = None
        forked.shutdown(cancel_futures=True)
    return results, extra
