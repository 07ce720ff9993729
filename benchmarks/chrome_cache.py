"""A/B: MkDocs with and without ChromeCache (generator/site/mkdocs_hooks.py) on the same docs.

Usage: nice -n 5 python benchmarks/chrome_cache.py MKDOCS_YML OUT_DIR [ROUNDS]

Builds the docs of MKDOCS_YML (its docs_dir, left as it is) into OUT_DIR/site-A and
OUT_DIR/site-B, ROUNDS times each (default 2), alternating, each build in a fresh process:
A with the plugins `paperbrief build` registers around MkDocs' templates (NavCache, ThemeFiles),
B with ChromeCache as well. Prints each build's CPU and wall time, the medians, how many parts
B took from its cache, and whether the two sites' HTML pages are byte for byte the same.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def one_build(config_file: str, site_dir: str, with_cache: bool) -> None:
    """Build once in this process; print a JSON line of figures."""
    import logging

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from generator.site.mkdocs_hooks import ChromeCache, NavCache, ThemeFiles

    logging.getLogger("mkdocs").setLevel(logging.ERROR)
    config = load_config(config_file, site_dir=site_dir)
    config.plugins["paperbrief-nav-cache"] = NavCache()
    chrome = ChromeCache()
    if with_cache:
        config.plugins["paperbrief-chrome-cache"] = chrome
    config.plugins["paperbrief-theme-files"] = ThemeFiles()
    config.plugins.on_startup(command="build", dirty=False)
    cpu, wall = time.process_time(), time.perf_counter()
    build(config)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    config.plugins.on_shutdown()
    parts = chrome.parts
    figures = {
        "cpu": cpu,
        "wall": wall,
        "hits": parts.hits if parts else 0,
        "renders": parts.renders if parts else 0,
    }
    print(json.dumps(figures))


def different_pages(a: Path, b: Path) -> list[str]:
    """Return the HTML pages that are not the same in both sites (or only in one)."""
    pages_a = {p.relative_to(a) for p in a.rglob("*.html")}
    pages_b = {p.relative_to(b) for p in b.rglob("*.html")}
    differ = sorted(str(p) for p in pages_a ^ pages_b)
    differ += sorted(
        str(p) for p in pages_a & pages_b if (a / p).read_bytes() != (b / p).read_bytes()
    )
    return differ


def main() -> None:
    if len(sys.argv) >= 2 and sys.argv[1] == "--one":
        one_build(sys.argv[2], sys.argv[3], sys.argv[4] == "B")
        return
    config_file, out = sys.argv[1], Path(sys.argv[2])
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    results: dict[str, list[dict[str, float]]] = {"A": [], "B": []}
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    for n in range(rounds):
        for variant in ("A", "B") if n % 2 == 0 else ("B", "A"):
            site = out / f"site-{variant}"
            line = (
                subprocess.run(
                    [sys.executable, __file__, "--one", config_file, str(site), variant],
                    check=True,
                    capture_output=True,
                    text=True,
                    env=env,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            figures = json.loads(line)
            results[variant].append(figures)
            print(
                f"round {n + 1} {variant}: cpu {figures['cpu']:.1f} s, wall {figures['wall']:.1f} s"
                + (
                    f", parts cached {figures['hits']:.0f}, rendered {figures['renders']:.0f}"
                    if variant == "B"
                    else ""
                ),
                flush=True,
            )
    for variant, label in (("A", "without ChromeCache"), ("B", "with ChromeCache")):
        cpu = statistics.median(f["cpu"] for f in results[variant])
        wall = statistics.median(f["wall"] for f in results[variant])
        print(f"{variant} {label}: median cpu {cpu:.1f} s, wall {wall:.1f} s")
    differ = different_pages(out / "site-A", out / "site-B")
    print(f"pages that differ between A and B: {len(differ)} {differ[:5]}")


if __name__ == "__main__":
    main()
