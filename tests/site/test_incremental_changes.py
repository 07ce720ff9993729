"""Incremental builds beyond one change from a clean build: chains of changes, package versions,
build options, and a published site something else wrote into.

Every test compares the whole incremental site, hidden manifest included, with a clean build of
the same inputs in another folder (buildproject.differences: nothing left out).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from buildproject import ROOT, Project, differences
from test_incremental_build import (
    _deleted_paper,
    _edit,
    _institution_renamed,
    _new_paper,
    _report_changed,
    _technique_added,
    _technique_removed,
    _title_edit,
)

import generator.site.manifest as manifest
from generator.site.build import build_site
from generator.site.write import copy_handwritten_docs

pytestmark = pytest.mark.slow


def _title_reverted(p: Project) -> None:
    _edit(p.data / "papers" / "kv-evict.yaml", "Learned KV Cache (Revised)", "Learned KV Cache")


def test_each_build_of_a_chain_of_changes_matches_a_clean_build(
    built: Project, tmp_path: Path
) -> None:
    # Each build reuses pages the one before reused in turn: what the manifest carries from
    # build to build (titles, anchors, search entries, Pagefind articles) must stay right.
    project = built.copy(tmp_path / "project")
    chain: list[tuple[str, Callable[[Project], None]]] = [
        ("unchanged", lambda p: None),
        # before the title edit: the new record is a copy of the edited one
        ("new paper", _new_paper),
        ("title edit", _title_edit),
        ("technique added", _technique_added),
        ("institution renamed", _institution_renamed),
        ("unchanged again", lambda p: None),
        ("report changed", _report_changed),
        ("technique removed", _technique_removed),
        ("deleted paper", _deleted_paper),
        ("title back as it was", _title_reverted),
    ]
    for step, (name, change) in enumerate(chain):
        change(project)
        report = project.build()
        assert report.full_reason is None and report.reused > 0, name
        clean = project.clean_build_elsewhere(tmp_path / f"clean-{step}")
        assert differences(project.site, clean) == [], name


def _fake_packages(folder: Path, bump: str | None = None) -> types.SimpleNamespace:
    """Stand in for sysconfig in manifest.py: the installed distributions' metadata folder
    names, copied into `folder`, with the version of the one named `bump` moved on."""
    folder.mkdir()
    paths = sysconfig.get_paths()
    bumped = 0
    for entry in sorted({paths["purelib"], paths["platlib"]}):
        for name in os.listdir(entry):
            if not name.endswith((".dist-info", ".egg-info")):
                continue
            if bump is not None and name.lower().startswith(bump + "-"):
                distribution, _, rest = name.partition("-")
                name = f"{distribution}-99.{rest}"
                bumped += 1
            (folder / name).mkdir(exist_ok=True)
    assert bump is None or bumped == 1, (bump, bumped)
    return types.SimpleNamespace(get_paths=lambda: {"purelib": str(folder), "platlib": str(folder)})


def test_a_package_upgrade_rebuilds_every_page(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    # The same distributions as installed: nothing to rebuild (the stand-in is faithful).
    monkeypatch.setattr(manifest, "sysconfig", _fake_packages(tmp_path / "same"))
    same = project.build()
    assert same.full_reason is None and same.reused > 0
    # Material upgraded (its metadata folder carries the version, as pip installs it).
    monkeypatch.setattr(
        manifest, "sysconfig", _fake_packages(tmp_path / "upgraded", bump="mkdocs_material")
    )
    upgraded = project.build()
    assert upgraded.reused == 0
    assert upgraded.full_reason == "changed: packages"
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def _clean_build(project: Project, target: Path, options: dict[str, str]) -> Path:
    docs = copy_handwritten_docs(project.docs, target / "docs")
    build_site(
        project.data,
        docs,
        target / "site",
        config_file=project.config,
        clean=True,
        echo=lambda _: None,
        site_url=options.get("site_url"),
        language=options.get("language"),
    )
    return target / "site"


@pytest.mark.parametrize(
    "options",
    [{"site_url": "https://briefs.example.org/preview/"}, {"language": "en"}],
    ids=["--site-url", "--language"],
)
def test_a_build_option_change_rebuilds_every_page(
    built: Project, tmp_path: Path, options: dict[str, str]
) -> None:
    # Options change the loaded config, not mkdocs.yml: the hand-written pages (whose sources
    # stay the same) must not keep the other address or language.
    project = built.copy(tmp_path / "project")
    report = build_site(
        project.data,
        config_file=project.config,
        echo=lambda _: None,
        site_url=options.get("site_url"),
        language=options.get("language"),
    )
    assert report.reused == 0 and report.full_reason == "changed: config"
    assert differences(project.site, _clean_build(project, tmp_path / "clean", options)) == []


def test_a_published_page_edited_by_hand_is_built_again(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    about = project.site / "about" / "index.html"
    about.write_text(about.read_text("utf-8").replace("</body>", "<p>edited</p></body>"), "utf-8")
    report = project.build()
    assert report.full_reason is None and report.reused > 0
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_a_plain_mkdocs_build_into_the_site_is_not_taken_for_the_last_build(
    built: Project, tmp_path: Path
) -> None:
    # A plain `mkdocs build` of an edited hand-written page writes into site/ and keeps the
    # hidden manifest; with the edit undone, that page's source is the manifest's again.
    project = built.copy(tmp_path / "project")
    about = project.docs / "about.md"
    original = about.read_bytes()
    about.write_bytes(original + b"\nA paragraph tried out and dropped again.\n")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(project.config)],
        cwd=ROOT,
        check=True,
    )
    assert "tried out" in (project.site / "about" / "index.html").read_text("utf-8")
    about.write_bytes(original)
    report = project.build()
    # MkDocs rewrote every page: none is the last build's any more.
    assert report.full_reason is None and report.reused == 0
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_a_search_bundle_written_into_since_is_not_reused(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    fragment = next(iter(sorted((project.site / "pagefind" / "fragment").iterdir())))
    fragment.write_bytes(fragment.read_bytes() + b"\0")
    report = project.build()
    assert report.full_reason is None and report.reused > 0
    assert not report.search_reused
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []
