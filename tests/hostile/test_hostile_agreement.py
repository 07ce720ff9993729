"""Whatever `validate` accepts, `build` builds: both run over many random hostile directories.

A directory validate refuses must be refused with positioned problems (never a traceback); a
directory it accepts must generate every page, and every feed, export and BibTeX file must read
back strictly (XML by expat, JSON, BibTeX as BibTeX 0.99 reads it, CSV with any delimiter).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bibtex_reader import bib_problems
from hostile_build import build, clean_env, make_project
from hostile_random import stamp_brief_hashes, write_random_data
from hostile_scan import scan_tree

from generator.records.load import load_collection, validate_data
from generator.site.index import index_site
from generator.site.render import PageText, RenderSettings, render_site
from generator.site.write import write_pages

SEEDS = range(80)
_POSITIONED = re.compile(r"^.+:\d+:\d+: \S")
_FORMULA = re.compile(r"^[\s\"]*[=+\-@＝＋－＠]")


def check_outputs(pages: list[PageText], paper_ids: set[str]) -> list[str]:
    """Read every feed, export and BibTeX file back strictly; return what failed."""
    failures: list[str] = []
    for page in pages:
        if page.path.endswith(".xml"):
            try:
                ET.fromstring(page.text.encode("utf-8"))
            except ET.ParseError as exc:
                failures.append(f"{page.path}: not XML: {exc}")
        elif page.path.endswith(".json"):
            try:
                json.loads(page.text)
            except ValueError as exc:
                failures.append(f"{page.path}: not JSON: {exc}")
        elif page.path.endswith(".bib"):
            failures += [f"{page.path}: {p}" for p in bib_problems(page.text)]
        elif page.path.endswith(".csv"):
            failures += [f"{page.path}: {p}" for p in csv_formulas(page.text)]
    papers_bib = next(p for p in pages if p.path == "exports/papers.bib")
    keys = re.findall(r"^@\w+\{([^,]+),", papers_bib.text, re.MULTILINE)
    if sorted(keys) != sorted(paper_ids):
        failures.append(f"papers.bib holds {keys}, not {sorted(paper_ids)}")
    return failures


def csv_formulas(text: str) -> list[str]:
    """Return cells a spreadsheet would evaluate, read with each delimiter spreadsheets use."""
    import csv
    import io

    found = []
    for delimiter in [",", ";", "\t", "|"]:
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            reader = csv.reader(
                io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, quoting=quoting
            )
            for row_no, row in enumerate(reader, 1):
                found += [
                    f"row {row_no} read with {delimiter!r} (quoting {quoting}): {cell[:60]!r}"
                    for cell in row
                    if _FORMULA.match(cell)
                ]
    return found


def test_validate_and_build_agree_on_random_hostile_data(tmp_path: Path) -> None:
    accepted = refused = 0
    failures: list[str] = []
    for seed in SEEDS:
        data, _bad = write_random_data(tmp_path / f"s{seed}", seed)
        problems = validate_data(data)  # must not raise, whatever the data
        if problems:
            refused += 1
            failures += [
                f"seed {seed}: unpositioned problem {p.format()!r}"
                for p in problems
                if not _POSITIONED.match(p.format())
            ]
            continue
        accepted += 1
        stamp_brief_hashes(data)
        collection = load_collection(data)
        pages = render_site(index_site(collection), RenderSettings())
        write_pages(pages, tmp_path / f"s{seed}" / "docs")
        failures += [f"seed {seed}: {f}" for f in check_outputs(pages, set(collection.papers))]
    assert not failures, failures[:20]
    # both sides of validation were exercised
    assert accepted >= len(SEEDS) // 8 and refused >= len(SEEDS) // 8, (accepted, refused)


def _accepted_seeds(tmp_path: Path, count: int) -> list[Path]:
    found = []
    for seed in SEEDS:
        data, _bad = write_random_data(tmp_path / f"s{seed}", seed)
        if not validate_data(data):
            stamp_brief_hashes(data)
            found.append(data)
        if len(found) == count:
            break
    return found


@pytest.mark.slow
def test_paperbrief_build_builds_what_validate_accepts(tmp_path: Path) -> None:
    for i, data in enumerate(_accepted_seeds(tmp_path / "data", 2)):
        base = tmp_path / f"run{i}"
        project = make_project(base, data)
        run = build(project, base / "site", cwd=project, env=clean_env(base))
        assert run.returncode == 0, run.stderr[-3000:]
        assert "Traceback" not in run.stderr
        findings, _kinds = scan_tree(base / "site")
        assert not findings, [str(f) for f in findings[:10]]
