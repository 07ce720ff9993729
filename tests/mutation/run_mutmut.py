"""Mutation-test one part of paperbrief with mutmut 3, on a copy of the tree, within a time cap.

Usage (from the repository root, after `pip install -e '.[test,mutation]'`):

    python tests/mutation/run_mutmut.py TARGET [TARGET ...] [--minutes 40] [--jobs 1] [--only NAME]

TARGET is one of the names in TARGETS below: the files whose functions are mutated and the fast
unit tests that cover them (never the browser or whole-site build tests: the machine is shared).
Each target runs in its own temporary copy of the working tree with its own [tool.mutmut]
settings, so nothing is written into the repository. Prints per target the killed, surviving and
untested mutants and the score (killed and timed out over all mutants), then every survivor;
`--show` adds each survivor's diff; `--only` tests only the named mutants (fnmatch patterns too:
the survivors of an earlier run, or a sample). docs/testing.md lists the scores and the survivors
kept.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a copy of the tree leaves out: caches and environments anywhere, built output at the top.
SKIP_ANYWHERE = ("__pycache__", "*.egg-info", ".*_cache")
SKIP_AT_TOP = {".git", ".venv", "site", "test-artifacts", "mutants"}


@dataclass(frozen=True)
class Target:
    """Files to mutate and the unit tests that are run against each mutant."""

    mutate: tuple[str, ...]
    tests: tuple[str, ...]
    # mutant names (fnmatch patterns) to test when only some functions of the files are meant
    only: tuple[str, ...] = ()


TARGETS = {
    "loader": Target(
        mutate=(
            "generator/records/load.py",
            "generator/records/parse.py",
            "generator/records/collection.py",
        ),
        tests=(
            "tests/records/test_validate_cli.py",
            "tests/records/test_hostile_yaml.py",
            "tests/records/test_keys.py",
            "tests/records/test_bibliographic_fields.py",
            "tests/records/test_publishing_rules.py",
            "tests/records/test_load_rules.py",
            "tests/records/test_load_details.py",
            "tests/hostile/test_hostile_validation.py",
            "tests/hostile/test_hostile_characters.py",
            "tests/hostile/test_hostile_dates.py",
        ),
    ),
    "grounding": Target(
        mutate=("generator/enrich/briefs/grounding.py",),
        tests=(
            "tests/briefs/test_briefs_grounding.py",
            "tests/briefs/test_grounding_rules.py",
        ),
    ),
    "writer": Target(
        mutate=("generator/site/write.py", "generator/records/store.py"),
        tests=(
            "tests/site/test_site_write.py",
            "tests/records/test_store.py",
            "tests/hostile/test_hostile_paths.py",
            "tests/site/test_write_rules.py",
        ),
        # store.py also holds the YAML dumper and enrichment files; the writer is atomic_write
        only=(
            "generator.site.write.*",
            "generator.records.store.x_atomic_write__mutmut_*",
            "generator.records.store.x__naming__mutmut_*",
        ),
    ),
    "escaping": Target(
        mutate=(
            "generator/site/render/html.py",
            "generator/site/render/bibtex.py",
            "generator/site/render/frontmatter.py",
        ),
        tests=(
            "tests/site/test_site_escape.py",
            "tests/site/test_escape_rules.py",
            "tests/readers/test_bibtex.py",
            "tests/readers/test_bibtex_status.py",
            "tests/hostile/test_hostile_bibtex.py",
        ),
    ),
}


def _toml_list(values: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def prepare(target: Target, work: Path) -> Path:
    """Copy the working tree to work/tree and give it this target's mutmut settings."""
    tree = work / "tree"
    anywhere = shutil.ignore_patterns(*SKIP_ANYWHERE)

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(anywhere(folder, names))
        return skipped | (SKIP_AT_TOP & set(names)) if Path(folder) == ROOT else skipped

    shutil.copytree(ROOT, tree, ignore=ignore, symlinks=True)
    missing = [t for t in (*target.mutate, *target.tests) if not (tree / t).is_file()]
    if missing:
        sys.exit(f"not in the copied tree: {', '.join(missing)}")
    tests = list(target.tests)
    settings = f"""
[tool.mutmut]
source_paths = ["generator"]
only_mutate = {_toml_list(target.mutate)}
pytest_add_cli_args_test_selection = {_toml_list(tests)}
pytest_add_cli_args = ["-p", "no:cacheprovider", "-m", "not slow and not browser and not node"]
also_copy = ["data", "docs", "mkdocs.yml", "overrides", "benchmarks"]
"""
    with (tree / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(settings)
    return tree


def _module(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def run_target(
    name: str, target: Target, minutes: float, jobs: int, show: bool, only: tuple[str, ...] = ()
) -> dict:
    """Mutation-test one target; return every mutant's status, counts per file, survivors."""
    if only:  # e.g. the survivors of an earlier run, after tests were added
        target = Target(target.mutate, target.tests, only)
    with tempfile.TemporaryDirectory(prefix=f"mutmut-{name}-") as scratch:
        tree = prepare(target, Path(scratch))
        mutmut = [sys.executable, "-m", "mutmut"]
        log = Path(scratch) / "mutmut.log"
        started = time.monotonic()
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [*mutmut, "run", "--max-children", str(jobs), *target.only],
                cwd=tree,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the cap ends mutmut and every child it forked
            )
            try:
                proc.wait(timeout=minutes * 60)
                capped = False
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
                capped = True
        if proc.returncode != 0 and not capped:
            tail = log.read_text("utf-8", "replace")[-3000:]
            sys.exit(f"{name}: mutmut failed (exit {proc.returncode}):\n{tail}")
        listed = subprocess.run(
            [*mutmut, "results", "--all", "true"], cwd=tree, capture_output=True, text=True
        )
        status = {}
        for line in listed.stdout.splitlines():
            mutant, _, verdict = line.strip().rpartition(": ")
            if mutant and (not target.only or any(fnmatch(mutant, p) for p in target.only)):
                status[mutant] = verdict
        survivors = sorted(m for m, v in status.items() if v in ("survived", "no tests"))
        diffs = {}
        if show:
            for mutant in survivors:
                shown = subprocess.run(
                    [*mutmut, "show", mutant], cwd=tree, capture_output=True, text=True
                )
                diffs[mutant] = shown.stdout
    per_file = {}
    for path in target.mutate:
        mine = [v for m, v in status.items() if m.startswith(_module(path) + ".")]
        per_file[path] = _score(mine)
    return {
        "target": name,
        "tests": list(target.tests),
        "minutes": round((time.monotonic() - started) / 60, 1),
        "capped": capped,
        "all": _score(list(status.values())),
        "files": per_file,
        "survivors": survivors,
        "diffs": diffs,
    }


def _score(verdicts: list[str]) -> dict:
    """Count verdicts; the score is caught (killed, timed out) over all mutants tested."""
    counts = {v: verdicts.count(v) for v in sorted(set(verdicts))}
    tested = len(verdicts) - counts.get("not checked", 0)
    caught = counts.get("killed", 0) + counts.get("timeout", 0)
    return {
        "mutants": len(verdicts),
        "counts": counts,
        "score": round(100 * caught / tested, 1) if tested else None,
    }


def main() -> None:
    """Run each named target and print its score and survivors."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="+", choices=sorted(TARGETS))
    parser.add_argument(
        "--minutes", type=float, default=40, help="time cap per target (default 40)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at once (default 1)")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="MUTANT",
        help="test only these mutants (names or fnmatch patterns; repeatable), e.g. survivors",
    )
    args = parser.parse_args()
    results = []
    for name in args.targets:
        result = run_target(
            name, TARGETS[name], args.minutes, args.jobs, args.show, tuple(args.only)
        )
        results.append(result)
        capped = " (stopped at the time cap)" if result["capped"] else ""
        print(f"{name}: {_line(result['all'])} in {result['minutes']} min{capped}")
        for path, score in result["files"].items():
            print(f"  {path}: {_line(score)}")
        for mutant in result["survivors"]:
            print(f"  survivor {mutant}")
            if mutant in result["diffs"]:
                print("    " + result["diffs"][mutant].replace("\n", "\n    "))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")


def _line(score: dict) -> str:
    counts = ", ".join(f"{n} {verdict}" for verdict, n in score["counts"].items())
    return f"{score['score']}% caught of {score['mutants']} mutants ({counts})"


if __name__ == "__main__":
    main()
