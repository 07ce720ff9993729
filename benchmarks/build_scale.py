"""Build a site of N synthetic papers and print what it costs at that scale.

Usage: python benchmarks/build_scale.py N [--repeat R] [--keep DIR] [--seed S] [--no-browser]
       [--no-plain]

Writes N paper records (Chinese briefs, English titles and abstracts, about 40 techniques, about
N/5 institutions, a few reports) into a temporary data directory, builds them once to warm up
(that build also gives the plain MkDocs build its docs), then measures in R rounds (default 3),
each step in a fresh Python process so all pay the same start-up:

- `paperbrief build` from scratch (load, validate, index, render, write; MkDocs strict; Pagefind),
- a plain `mkdocs build` of the very docs paperbrief generated (same mkdocs.yml),
- `paperbrief build` into the existing site after one record's title changed (incremental:
  seconds, files rewritten, pages rendered and reused),

rotating their order from round to round, so none always runs after another on a warm cache;
then R times `paperbrief build` again with unchanged data (how many files it rewrites), and R
saved changes under `paperbrief serve` (seconds from the save to the page served with it, which
the preview publishes first when only a paper record changed (quickpreview.py), to the site built
with it, and to the search index served with it).

Prints, for every figure, the median over the rounds with its spread (min to max) and each run:
generator time (with its share of the build), MkDocs time, search-index time, whole build, plain
MkDocs build and the ratio of the two; then peak memory (largest process: self and children),
site bytes, bytes per paper page, the largest page's search text, and the bytes a browser
downloads for one search query (headless Chromium against a local server, cold cache). The last
line is the same as JSON.

To add a figure (an incremental build, say): write a function that prepares and runs the step and
returns its `Run`, then add it to the steps `main` measures in rounds, or measure it after them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import yaml
from synthetic_papers import generate_data

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# ---- builds -----------------------------------------------------------------------------------


def write_config(base: Path) -> Path:
    """Write a copy of the repository's mkdocs.yml that builds base/docs (absolute paths)."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    config["docs_dir"] = str(base / "docs")
    config["site_dir"] = str(base / "site")
    config["theme"]["custom_dir"] = str(ROOT / "overrides")
    path = base / "mkdocs.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def run(command: list[str]) -> tuple[float, str]:
    """Run a command, return its wall time and its output; fail loudly.

    Dirty pages from the previous step (the synthetic data, the last build) are flushed first,
    so one run does not pay for the writeback of another: on a VM disk that was seconds.
    """
    os.sync()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, done.stdout + done.stderr


def _seconds(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    return float(found.group(1)) if found else float("nan")


class _Text(HTMLParser):
    """Collect the text a search engine would index from a page's article."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.chars = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article" or self.depth:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.chars += len(data.encode("utf-8"))


def largest_page_text(site: Path) -> tuple[int, str]:
    """Return the largest article text in bytes over all pages, and its page."""
    best = (0, "")
    for path in site.rglob("*.html"):
        if path.stat().st_size < 20_000 and best[0]:
            continue  # a page under 20 KB cannot hold more text than the largest so far
        parser = _Text()
        parser.feed(path.read_text("utf-8"))
        if parser.chars > best[0]:
            best = (parser.chars, path.relative_to(site).as_posix())
    return best


def browser_query_bytes(site: Path, query: str) -> tuple[int, int, int] | None:
    """Load search/?q=QUERY in headless Chromium; return (all, pagefind, result count) bytes."""
    if not Path("/usr/bin/chromium").exists():
        return None
    from playwright.sync_api import sync_playwright
    from search_bytes import served

    with served(site) as (base, sizes), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page()
        page.goto(f"{base}search/?q={query}")
        page.wait_for_selector("#pb-search[data-ready] .pb-search__result", timeout=30_000)
        page.wait_for_load_state("networkidle")
        results = page.locator(".pb-search__result").count()
        browser.close()
    total = sum(s for _, s in sizes)
    pagefind = sum(s for u, s in sizes if "/pagefind/" in u)
    return total, pagefind, results


# ---- rounds and statistics --------------------------------------------------------------------


@dataclass
class Run:
    """One timed step: its wall time and the figures read from its output (seconds, counts)."""

    wall: float
    figures: dict[str, float] = field(default_factory=dict)


@dataclass
class Series:
    """Every run of one step, in the order they ran."""

    runs: list[Run] = field(default_factory=list)

    def values(self, figure: str = "wall") -> list[float]:
        """Return one figure of every run (wall time by default)."""
        return [r.wall if figure == "wall" else r.figures.get(figure, math.nan) for r in self.runs]


def spread(values: list[float]) -> str:
    """Describe measurements: median, min to max, and each value."""
    clean = [v for v in values if v == v]
    if not clean:
        return "n/a"
    each = " ".join(f"{v:.2f}" for v in values)
    return (
        f"median {statistics.median(clean):.2f} s (min {min(clean):.2f}, max {max(clean):.2f},"
        f" spread {max(clean) - min(clean):.2f}; runs: {each})"
    )


def median(values: list[float]) -> float:
    """Return the median of the values that are numbers (nan when none is)."""
    clean = [v for v in values if v == v]
    return statistics.median(clean) if clean else math.nan


def measure_rounds(steps: dict[str, Callable[[], Run]], rounds: int) -> dict[str, Series]:
    """Run every step once per round, rotating their order each round; return the runs."""
    series = {name: Series() for name in steps}
    names = list(steps)
    for index in range(rounds):
        shift = index % len(names)
        order = names[shift:] + names[:shift]
        print(f"round {index + 1}/{rounds}: {', then '.join(order)}", file=sys.stderr)
        for name in order:
            series[name].runs.append(steps[name]())
    return series


# ---- the steps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """Where one benchmark keeps its data, docs, configs and sites."""

    data: Path
    docs: Path
    site: Path
    config: Path
    plain_docs: Path
    plain_site: Path
    plain_config: Path
    cache: Path

    @classmethod
    def under(cls, base: Path) -> Layout:
        """Return the layout of a benchmark in base/ (write_config's docs and site)."""
        return cls(
            data=base / "data",
            docs=base / "docs",
            site=base / "site",
            config=base / "mkdocs.yml",
            plain_docs=base / "docs-plain",
            plain_site=base / "site-plain",
            plain_config=base / "mkdocs-plain.yml",
            cache=base / "cache",
        )


def build_command(layout: Layout) -> list[str]:
    """Return the `paperbrief build` command for this layout."""
    return [
        PYTHON,
        "-m",
        "generator",
        "build",
        "--data",
        str(layout.data),
        "--config-file",
        str(layout.config),
    ]


def _build_figures(out: str) -> dict[str, float]:
    rewritten = re.search(r"\((\d+) written, (\d+) removed\)", out)
    reuse = re.search(r"(\d+) pages rendered, (\d+) reused", out)
    return {
        "generator": _seconds(r"in ([\d.]+) s\n", out),
        "mkdocs": _seconds(r"mkdocs build \(strict\) into .* in ([\d.]+) s", out),
        "search": _seconds(r"search index \(Pagefind\) of \d+ paper pages in ([\d.]+) s", out),
        "written": float(rewritten.group(1)) if rewritten else math.nan,
        "rendered": float(reuse.group(1)) if reuse else math.nan,
        "reused": float(reuse.group(2)) if reuse else math.nan,
        "site": _seconds(r"site swapped in after ([\d.]+) s", out),
        "publish": _seconds(r"old site moved aside in ([\d.]+) s", out),
    }


def fresh_build(layout: Layout) -> Run:
    """Run `paperbrief build` from handwritten docs only, an empty site folder and no cache."""
    from generator.site.write import copy_handwritten_docs

    shutil.rmtree(layout.docs, ignore_errors=True)
    shutil.rmtree(layout.site, ignore_errors=True)
    shutil.rmtree(layout.cache, ignore_errors=True)
    copy_handwritten_docs(ROOT / "docs", layout.docs)
    wall, out = run(build_command(layout))
    return Run(wall, _build_figures(out))


def unchanged_rebuild(layout: Layout) -> Run:
    """Run `paperbrief build` again over the data and docs of the last build."""
    wall, out = run(build_command(layout))
    return Run(wall, _build_figures(out))


def plain_build(layout: Layout) -> Run:
    """Run a plain `mkdocs build` of a copy of the docs paperbrief generated."""
    shutil.rmtree(layout.plain_site, ignore_errors=True)
    wall, _ = run([PYTHON, "-m", "mkdocs", "build", "--quiet", "-f", str(layout.plain_config)])
    return Run(wall)


# Each retitled paper gets its own number, so every change is a real one.
_RETITLES = itertools.count()


def retitle_next_paper(layout: Layout) -> tuple[str, str]:
    """Change the title of one paper record (another one each call); return its id and mark."""
    papers = sorted((layout.data / "papers").glob("*.yaml"))
    number = next(_RETITLES)
    path = papers[(number * 7919) % len(papers)]
    mark = f"Revised {number} "
    record = yaml.safe_load(path.read_text("utf-8"))
    record["title"] = mark + record["title"]
    text = yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=10**6)
    path.write_text(text, "utf-8")
    return path.stem, mark


def changed_rebuild(layout: Layout) -> Run:
    """Change one record's title, then run `paperbrief build` into the existing site."""
    retitle_next_paper(layout)
    wall, out = run(build_command(layout))
    return Run(wall, _build_figures(out))


def _get(url: str) -> str:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


@dataclass
class ServeTimes:
    """Seconds from each save under `paperbrief serve` to what it served."""

    page: list[float] = field(default_factory=list)
    # whether the page served first was the preview's (else the full build's)
    previewed: list[bool] = field(default_factory=list)
    built: list[float] = field(default_factory=list)
    search: list[float] = field(default_factory=list)


def serve_latency(layout: Layout, rounds: int) -> ServeTimes:
    """Start `paperbrief serve`, then time saved change to page served with it, `rounds` times.

    The clock starts when the record file is written and stops when the paper's page, fetched
    from the preview server every 0.1 s, shows the new title: the file watcher, the preview of
    the changed page (or the build) and the swap included, the browser's own reload not. The
    preview then builds the site (`built`: until its log says "rebuilt in") and publishes the
    search index after the pages (`search`: until the served pagefind-entry.json changed).
    """
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = yaml.safe_load(layout.config.read_text("utf-8"))
    mount = "/" + str(config.get("site_url", "/")).split("://", 1)[-1].partition("/")[2]
    base = f"http://127.0.0.1:{port}{mount}"
    log = layout.site.parent / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *build_command(layout)[:3],
                "serve",
                *build_command(layout)[4:],
                "-a",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    times = ServeTimes()

    def logged(what: str) -> int:
        return log.read_text("utf-8", errors="replace").count(what)

    try:
        deadline = time.monotonic() + 3600
        while not _get(base) and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        if server.poll() is not None or not _get(base):
            sys.exit(f"paperbrief serve did not start:\n{log.read_text('utf-8')[-3000:]}")
        for _ in range(rounds):
            os.sync()
            entry = _get(f"{base}pagefind/pagefind-entry.json")
            previews, builds = logged("previewed in"), logged("rebuilt in")
            paper, mark = retitle_next_paper(layout)
            start = time.perf_counter()
            while mark not in _get(f"{base}papers/{paper}/"):
                if server.poll() is not None or time.perf_counter() - start > 3600:
                    sys.exit(
                        f"the preview never showed the change:\n{log.read_text('utf-8')[-3000:]}"
                    )
                time.sleep(0.1)
            times.page.append(time.perf_counter() - start)
            times.previewed.append(logged("previewed in") > previews)
            while logged("rebuilt in") <= builds:
                if server.poll() is not None or time.perf_counter() - start > 3600:
                    sys.exit(f"the site was never built:\n{log.read_text('utf-8')[-3000:]}")
                time.sleep(0.1)
            times.built.append(time.perf_counter() - start)
            while _get(f"{base}pagefind/pagefind-entry.json") in (entry, ""):
                if server.poll() is not None or time.perf_counter() - start > 3600:
                    sys.exit(f"the search never changed:\n{log.read_text('utf-8')[-3000:]}")
                time.sleep(0.1)
            times.search.append(time.perf_counter() - start)
            print(
                f"serve: change shown after {times.page[-1]:.2f} s"
                f" ({'previewed' if times.previewed[-1] else 'built'}), site built after"
                f" {times.built[-1]:.2f} s, in the search after {times.search[-1]:.2f} s",
                file=sys.stderr,
            )
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return times


def prepare_plain(layout: Layout) -> None:
    """Keep the generated docs for the plain build, with a config that builds them."""
    shutil.rmtree(layout.plain_docs, ignore_errors=True)
    shutil.copytree(layout.docs, layout.plain_docs)
    config = yaml.safe_load(layout.config.read_text("utf-8"))
    config["docs_dir"] = str(layout.plain_docs)
    config["site_dir"] = str(layout.plain_site)
    layout.plain_config.write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")


def main() -> None:
    """Generate, build, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="R",
        help="rounds of each measured build (default 3; medians need at least 3)",
    )
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp dir)")
    parser.add_argument(
        "--no-browser", action="store_true", help="skip the Chromium download check"
    )
    parser.add_argument("--no-plain", action="store_true", help="skip the plain mkdocs build")
    parser.add_argument(
        "--no-serve", action="store_true", help="skip timing `paperbrief serve` on a saved change"
    )
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    base = args.keep or Path(tempfile.mkdtemp(prefix="paperbrief-scale-"))
    if base.exists() and any(base.iterdir()):
        sys.exit(f"{base} is not empty")
    base.mkdir(parents=True, exist_ok=True)
    layout = Layout.under(base)
    # The generator's cache of this benchmark, for every build it runs (a build from scratch
    # empties it first): not the user's, which may hold these very records from another run.
    os.environ["PAPERBRIEF_CACHE_DIR"] = str(layout.cache)
    try:
        start = time.perf_counter()
        generate_data(layout.data, args.n, args.seed)
        synth = time.perf_counter() - start
        sys.path.insert(0, str(ROOT))
        layout.docs.mkdir()
        write_config(base)

        # A first build warms the caches up for everyone and generates the plain build's docs.
        warm = fresh_build(layout)
        print(f"warm-up build: {warm.wall:.2f} s (not counted)", file=sys.stderr)
        prepare_plain(layout)
        steps: dict[str, Callable[[], Run]] = {"paperbrief": lambda: fresh_build(layout)}
        if not args.no_plain:
            steps["plain"] = lambda: plain_build(layout)
        # In the rounds too, so its ratio to the build from scratch comes from one round.
        steps["changed"] = lambda: changed_rebuild(layout)
        series = measure_rounds(steps, args.repeat)
        peak_kib = max(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
        )
        site_bytes = sum(p.stat().st_size for p in layout.site.rglob("*") if p.is_file())
        papers = list((layout.site / "papers").glob("*/index.html"))
        paper_bytes = sum(p.stat().st_size for p in papers)
        bundle = sum(p.stat().st_size for p in (layout.site / "pagefind").rglob("*") if p.is_file())
        text_bytes, text_page = largest_page_text(layout.site)
        rebuilds = measure_rounds({"rebuild": lambda: unchanged_rebuild(layout)}, args.repeat)
        served = ServeTimes() if args.no_serve else serve_latency(layout, args.repeat)
        latency, search_latency = served.page, served.search
        query = None if args.no_browser else browser_query_bytes(layout.site, "%E9%87%8F%E5%8C%96")

        ours = series["paperbrief"]
        plain = series.get("plain", Series())
        whole = median(ours.values())
        generate = median(ours.values("generator"))
        ratios = [a / b for a, b in zip(ours.values(), plain.values(), strict=False)]
        print(f"papers: {args.n} ({len(papers)} paper pages), seed {args.seed}, in {base}")
        print(f"rounds: {args.repeat}, the builds' order rotating")
        print(f"synthetic data: {synth:.2f} s")
        print(
            f"generator (load, validate, index, render, write): {spread(ours.values('generator'))}"
            f" = {100 * generate / whole:.1f}% of the build (medians)"
        )
        print(f"mkdocs build (strict): {spread(ours.values('mkdocs'))}")
        print(f"search index (Pagefind): {spread(ours.values('search'))}")
        print(f"paperbrief build, whole process: {spread(ours.values())}")
        if plain.runs:
            print(f"plain mkdocs build of the same docs: {spread(plain.values())}")
            print(
                f"paperbrief / plain, per round: median {median(ratios):.2f}"
                f" (min {min(ratios):.2f}, max {max(ratios):.2f})"
            )
        written = rebuilds["rebuild"].values("written")
        print(
            f"rebuild, unchanged data: {spread(rebuilds['rebuild'].values())};"
            f" files rewritten: {', '.join(f'{w:.0f}' for w in written)}"
        )
        print(
            "rebuild, unchanged data, pages rendered / reused: "
            + ", ".join(
                f"{a:.0f} / {b:.0f}"
                for a, b in zip(
                    rebuilds["rebuild"].values("rendered"),
                    rebuilds["rebuild"].values("reused"),
                    strict=True,
                )
            )
        )
        changed = series["changed"]
        print(f"rebuild, one record changed: {spread(changed.values())}")
        fractions = [a / b for a, b in zip(changed.values(), ours.values(), strict=True)]
        print("  / build from scratch, per round: " + ", ".join(f"{f:.2f}" for f in fractions))
        for figure, label in (
            ("generator", "generator"),
            ("mkdocs", "MkDocs"),
            ("search", "Pagefind after MkDocs"),
            ("publish", "old site moved aside"),
        ):
            print(f"  {label}: {spread(changed.values(figure))}")
        print(
            "  files rewritten / pages rendered / pages reused: "
            + ", ".join(
                f"{w:.0f} / {r:.0f} / {u:.0f}"
                for w, r, u in zip(
                    changed.values("written"),
                    changed.values("rendered"),
                    changed.values("reused"),
                    strict=True,
                )
            )
        )
        if latency:
            print(
                f"serve, saved change to page served: {spread(latency)}"
                f" ({sum(served.previewed)} of {len(latency)} previewed before the build)"
            )
            print(f"serve, saved change to site built: {spread(served.built)}")
            print(f"serve, saved change to search index served: {spread(search_latency)}")
        print(f"peak memory (largest process): {peak_kib / 1024:.0f} MiB")
        print(f"site: {site_bytes / 2**20:.1f} MiB; Pagefind bundle {bundle / 2**20:.1f} MiB")
        print(f"bytes per paper page: {paper_bytes / max(1, len(papers)):.0f}")
        print(f"largest page text: {text_bytes / 1024:.1f} KiB ({text_page})")
        if query:
            print(
                f"search for 量化, cold cache: {query[1] / 1024:.0f} KiB from pagefind/ "
                f"({query[0] / 1024:.0f} KiB with page and theme), {query[2]} results shown"
            )

        def rounded(values: list[float]) -> list[float | None]:
            return [round(v, 2) if v == v else None for v in values]

        def mid(values: list[float]) -> float | None:
            value = median(values)
            return round(value, 2) if value == value else None

        print(
            json.dumps(
                {
                    "n": args.n,
                    "rounds": args.repeat,
                    "synthetic_s": round(synth, 2),
                    "generator_s": mid(ours.values("generator")),
                    "mkdocs_s": mid(ours.values("mkdocs")),
                    "search_index_s": mid(ours.values("search")),
                    "whole_s": mid(ours.values()),
                    "plain_mkdocs_s": mid(plain.values()),
                    "rebuild_s": mid(rebuilds["rebuild"].values()),
                    "changed_s": mid(changed.values()),
                    "changed_rendered": mid(changed.values("rendered")),
                    "changed_written": mid(changed.values("written")),
                    "serve_latency_s": mid(latency),
                    "serve_search_latency_s": mid(search_latency),
                    "serve_built_latency_s": mid(served.built),
                    "serve_previewed": sum(served.previewed),
                    "runs": {
                        "whole_s": rounded(ours.values()),
                        "plain_mkdocs_s": rounded(plain.values()),
                        "rebuild_s": rounded(rebuilds["rebuild"].values()),
                        "changed_s": rounded(changed.values()),
                        "serve_latency_s": rounded(latency),
                        "serve_search_latency_s": rounded(search_latency),
                        "serve_built_latency_s": rounded(served.built),
                    },
                    "peak_mib": round(peak_kib / 1024),
                    "site_bytes": site_bytes,
                    "paper_page_bytes": round(paper_bytes / max(1, len(papers))),
                    "largest_text_bytes": text_bytes,
                    "query_pagefind_bytes": query[1] if query else None,
                    "query_total_bytes": query[0] if query else None,
                }
            )
        )
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
