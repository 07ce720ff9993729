"""What Pagefind alone costs for a site's paper pages: adding them, then making the bundle.

Usage: python benchmarks/pagefind_floor.py SITE [--pages N ...] [--shards K]

SITE is a site `paperbrief build` made (it reads the articles the build gave Pagefind from the
site's manifest and search input pack, as a build does ahead of the generator). For each N
(default: every page), a fresh Pagefind service process gets the first N articles, then is asked
for the bundle (GetFiles, kept in memory, not written), as `paperbrief build` does after one
change. Prints wall and CPU seconds of the Pagefind process for each phase and its peak memory.

With `--shards K`, the pages are also split into K indexes of consecutive pages (as a site
could, merging them in the browser with Pagefind's mergeIndex, so that one change rebuilds
one shard), and it prints what every query would then download before its first word: each
index's entry file, metadata and filter files (the search page shows every filter's counts).

Pagefind has no incremental mode: after any change it indexes every page again, and its service
builds the whole index for each bundle request. So the bundle's CPU time is a floor under the
time of any build that changed one indexed article, whatever else gets faster.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from generator.site.search import PagefindStream, last_articles

_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a running process (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _fixed_bytes(reply: dict[str, Any]) -> int:
    """Bytes of a bundle that every query loads: entry file, metadata, filter files."""
    return sum(
        len(base64.b64decode(f["content"]))
        for f in reply.get("files", [])
        if f["path"].endswith(("pagefind-entry.json", ".pf_meta", ".pf_filter"))
    )


def measure(articles: list[tuple[str, str]], out: Path) -> dict[str, float]:
    """Add `articles` to a fresh Pagefind, then make the bundle; return the phases' figures."""
    stream = PagefindStream("zh")
    pid = stream.pid
    assert pid is not None
    try:
        start, cpu0 = time.perf_counter(), _cpu_seconds(pid)
        for url, article in articles:
            stream.add(article, url)
        stream.wait_for_pages()
        added, cpu1 = time.perf_counter(), _cpu_seconds(pid)
        stream.write(out, hold=True)  # asks for the bundle; finish() waits and writes it
        # The request alone is timed: finish() would also write the files.
        assert stream._write_id is not None
        reply = stream._wait(stream._write_id)
        bundled, cpu2 = time.perf_counter(), _cpu_seconds(pid)
        peak = _peak_mib(pid)
    finally:
        stream.discard()
    return {
        "add_s": added - start,
        "add_cpu_s": cpu1 - cpu0,
        "bundle_s": bundled - added,
        "bundle_cpu_s": cpu2 - cpu1,
        "peak_mib": peak,
        "fixed_bytes": _fixed_bytes(reply),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", type=int, action="append", help="first N pages (repeatable)")
    parser.add_argument("--shards", type=int, default=0, help="also split all pages K ways")
    args = parser.parse_args()
    articles = list(last_articles(args.site))
    if not articles:
        sys.exit(f"{args.site}: no search input pack from a paperbrief build")
    sizes = sorted({min(n, len(articles)) for n in (args.pages or [len(articles)])})
    print(f"{len(articles)} paper pages in {args.site}; load average {os.getloadavg()[0]:.1f}")
    print(
        "pages | add: wall s / CPU s | bundle: wall s / CPU s | bundle CPU ms a page"
        " | peak MiB | fixed KiB a query"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as out:
            m = measure(articles[:n], Path(out))
        print(
            f"{n} | {m['add_s']:.1f} / {m['add_cpu_s']:.1f} | {m['bundle_s']:.1f} / "
            f"{m['bundle_cpu_s']:.1f} | {1000 * m['bundle_cpu_s'] / n:.2f} | {m['peak_mib']:.0f}"
            f" | {m['fixed_bytes'] / 1024:.0f}"
        )
    if args.shards > 1:
        k = args.shards
        share = -(-len(articles) // k)
        shards = [articles[i : i + share] for i in range(0, len(articles), share)]
        print(f"{len(shards)} shards of about {share} pages:")
        fixed = 0
        for number, shard in enumerate(shards, 1):
            with tempfile.TemporaryDirectory() as out:
                m = measure(shard, Path(out))
            fixed += int(m["fixed_bytes"])
            print(
                f"shard {number}: bundle {m['bundle_s']:.1f} s / {m['bundle_cpu_s']:.1f} s CPU,"
                f" fixed {m['fixed_bytes'] / 1024:.0f} KiB"
            )
        print(f"every query loads {fixed / 1024:.0f} KiB of entry, metadata and filter files")


if __name__ == "__main__":
    main()
