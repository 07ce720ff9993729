"""What Pagefind alone costs for a site's paper pages: adding them, then making the bundle.

Usage: python benchmarks/pagefind_floor.py SITE [--pages N ...]

SITE is a site `paperbrief build` made (it reads the articles the build gave Pagefind from the
site's manifest and search input pack, as a build does ahead of the generator). For each N
(default: every page), a fresh Pagefind service process gets the first N articles, then is asked
for the bundle (GetFiles, kept in memory, not written), as `paperbrief build` does after one
change. Prints wall and CPU seconds of the Pagefind process for each phase and its peak memory.

Pagefind has no incremental mode: after any change it indexes every page again, and its service
builds the whole index for each bundle request. So the bundle's CPU time is a floor under the
time of any build that changed one indexed article, whatever else gets faster.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

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
        stream._wait(stream._write_id)
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
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", type=int, action="append", help="first N pages (repeatable)")
    args = parser.parse_args()
    articles = list(last_articles(args.site))
    if not articles:
        sys.exit(f"{args.site}: no search input pack from a paperbrief build")
    sizes = sorted({min(n, len(articles)) for n in (args.pages or [len(articles)])})
    print(f"{len(articles)} paper pages in {args.site}; load average {os.getloadavg()[0]:.1f}")
    print("pages | add: wall s / CPU s | bundle: wall s / CPU s | bundle CPU ms a page | peak MiB")
    for n in sizes:
        with tempfile.TemporaryDirectory() as out:
            m = measure(articles[:n], Path(out))
        print(
            f"{n} | {m['add_s']:.1f} / {m['add_cpu_s']:.1f} | {m['bundle_s']:.1f} / "
            f"{m['bundle_cpu_s']:.1f} | {1000 * m['bundle_cpu_s'] / n:.2f} | {m['peak_mib']:.0f}"
        )


if __name__ == "__main__":
    main()
