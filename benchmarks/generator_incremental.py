"""Time the generator stage (load, index, render, write) after one record changes.

Usage: python benchmarks/generator_incremental.py N [--seed S] [--keep DIR] [--clean]

Writes N synthetic records (benchmarks/synthetic_papers.py), then runs `generate_docs` into one
docs folder four times, each in a fresh Python process as `paperbrief build` would: a first
build (no cache), a rebuild with unchanged data, a rebuild after one record's title changed,
and a rebuild after a registry entry was renamed. Prints each stage's seconds for every run and
the files written. `--clean` passes clean=True (no generator cache) to every run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from synthetic_papers import generate_data

ROOT = Path(__file__).resolve().parent.parent

_STEP = """
import json, sys, time
from pathlib import Path
from generator.site.generate import generate_docs
from generator.site.render import RenderSettings
start = time.perf_counter()
_, written, pages, timings = generate_docs(
    Path(sys.argv[1]), Path(sys.argv[2]), RenderSettings(), clean=sys.argv[3] == "1"
)
timings["total"] = time.perf_counter() - start
print(json.dumps({"timings": timings, "pages": pages, "written": len(written.written)}))
"""


def run_step(data: Path, docs: Path, clean: bool, cache: Path) -> dict[str, object]:
    """Run generate_docs in a fresh process; return its timings and counts."""
    subprocess.run(["sync"], check=False)
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    out = subprocess.run(
        [sys.executable, "-c", _STEP, str(data), str(docs), "1" if clean else "0"],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def retitle(data: Path) -> None:
    """Change the title of one paper record (the middle one)."""
    papers = sorted((data / "papers").glob("*.yaml"))
    path = papers[len(papers) // 2]
    record = yaml.safe_load(path.read_text("utf-8"))
    record["title"] = "Revised " + record["title"]
    path.write_text(
        yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=10**6), "utf-8"
    )


def rename_institution(data: Path) -> None:
    """Change the English name of the last institution of the registry."""
    path = data / "institutions.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines[-1] = lines[-1].replace("en: ", "en: Renamed ", 1)
    path.write_text("".join(lines), "utf-8")


def main() -> None:
    """Write the data, run the four generator runs, print their stages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="pb-gen-"))
    data, docs, cache = base / "data", base / "docs", base / "cache"
    if not data.exists():
        generate_data(data, args.n, args.seed)
    steps = [
        ("first", lambda: None),
        ("unchanged", lambda: None),
        ("one title", lambda: retitle(data)),
        ("institution renamed", lambda: rename_institution(data)),
    ]
    print(f"{args.n} papers, {'clean' if args.clean else 'cached'} runs, in {base}")
    print(f"{'run':<20} {'load':>6} {'index':>6} {'render':>6} {'write':>6} {'total':>6}  written")
    rows = []
    for name, change in steps:
        change()
        started = time.perf_counter()
        result = run_step(data, docs, args.clean, cache)
        timings = result["timings"]
        assert isinstance(timings, dict)
        rows.append({"run": name, **result, "wall": time.perf_counter() - started})
        print(
            f"{name:<20} "
            + " ".join(f"{timings.get(k, 0.0):6.2f}" for k in ("load", "index", "render", "write"))
            + f" {timings['total']:6.2f}  {result['written']} of {result['pages']}"
        )
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
