"""An incremental build publishes exactly what a clean build of the same inputs publishes.

Each test starts from a built project, changes one kind of input, builds again into the same
site (reusing what the manifest allows) and compares every file of the result, hidden manifest
included, with a clean build of the changed project in another folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from buildproject import Project, differences, make_project

from generator.site.manifest import MANIFEST_DIR, MANIFEST_FILE

pytestmark = pytest.mark.slow


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _edit_yaml(path: Path, change: Callable[[dict], None]) -> None:
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def _edit_manifest(project: Project, change: Callable[[dict], None]) -> None:
    path = project.site / MANIFEST_DIR / MANIFEST_FILE
    data = json.loads(path.read_text("utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def _title_edit(p: Project) -> None:
    _edit(p.data / "papers" / "kv-evict.yaml", "Learned KV Cache", "Learned KV Cache (Revised)")


def _technique_added(p: Project) -> None:
    _edit(
        p.data / "papers" / "kv-evict.yaml",
        "techniques: [kv-cache]",
        "techniques: [kv-cache, pruning]",
    )


def _technique_removed(p: Project) -> None:
    _edit(p.data / "papers" / "hostile.yaml", "[pruning, quantization]", "[quantization]")


def _new_paper(p: Project) -> None:
    # Newer than every record: the build's date (SOURCE_DATE_EPOCH, the sitemap) moves too.
    text = (p.data / "papers" / "kv-evict.yaml").read_text("utf-8")
    text = text.replace("Learned KV Cache Eviction", "Streaming Sparse Attention for Long Prompts")
    text = text.replace("https://example.org/kv-evict", "https://example.org/sparse-attn")
    text = text.replace("added: 2025-10-15", "added: 2026-01-20")
    (p.data / "papers" / "sparse-attn.yaml").write_text(text, encoding="utf-8")


def _deleted_paper(p: Project) -> None:
    (p.data / "papers" / "untitled-sparse.yaml").unlink()
    _edit_yaml(
        p.data / "reports" / "report-2025-10-15.yaml",
        lambda r: r["papers"].remove("untitled-sparse"),
    )


def _institution_renamed(p: Project) -> None:
    _edit(p.data / "institutions.yaml", "zh: 芝加哥大学", "zh: 美国芝加哥大学")


def _report_changed(p: Project) -> None:
    _edit(
        p.data / "reports" / "report-2025-10-15.yaml",
        "title: AI推理加速",
        "title: 第一期 AI推理加速",
    )


def _handwritten_doc(p: Project) -> None:
    with (p.docs / "about.md").open("a", encoding="utf-8") as handle:
        handle.write("\nOne more paragraph written by hand.\n")


def _template(p: Project) -> None:
    _edit(
        p.root / "overrides" / "main.html",
        "{% block extrahead %}",
        "{% block extrahead %}<!-- v2 -->",
    )


def _config(p: Project) -> None:
    _edit_yaml(p.config, lambda c: c.update(site_description="Another description"))


def _package_upgrade(p: Project) -> None:
    # What the manifest of a build made with other package versions looks like.
    _edit_manifest(p, lambda m: m["inputs"].update(packages="0" * 64))


def _navigation(p: Project) -> None:
    # As if a page in the navigation had another title last time: caught only once every page
    # is read, after reuse has begun, so the build starts again without reuse.
    _edit_manifest(p, lambda m: m.update(nav="0" * 64))


DATA_CHANGES = {
    "unchanged": lambda p: None,
    "title edit": _title_edit,
    "technique added": _technique_added,
    "technique removed": _technique_removed,
    "new paper": _new_paper,
    "deleted paper": _deleted_paper,
    "institution renamed in the registry": _institution_renamed,
    "report changed": _report_changed,
}

GLOBAL_CHANGES = {
    "hand-written page": (_handwritten_doc, "handwritten"),
    "template override": (_template, "overrides"),
    "mkdocs.yml": (_config, "config"),
    "package upgrade": (_package_upgrade, "packages"),
    "navigation": (_navigation, "navigation"),
}


@pytest.mark.parametrize("change", DATA_CHANGES.values(), ids=DATA_CHANGES.keys())
def test_a_data_change_rebuilds_some_pages_and_matches_a_clean_build(
    built: Project, tmp_path: Path, change: Callable[[Project], None]
) -> None:
    project = built.copy(tmp_path / "project")
    change(project)
    report = project.build()
    assert report.full_reason is None
    assert report.reused > 0
    assert report.rendered < report.rendered + report.reused
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


@pytest.mark.parametrize(("change", "reason"), GLOBAL_CHANGES.values(), ids=GLOBAL_CHANGES.keys())
def test_a_shared_input_change_rebuilds_every_page_and_matches_a_clean_build(
    built: Project, tmp_path: Path, change: Callable[[Project], None], reason: str
) -> None:
    project = built.copy(tmp_path / "project")
    change(project)
    report = project.build()
    assert report.reused == 0
    assert report.full_reason is not None and reason in report.full_reason
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_only_pages_whose_source_changed_are_rendered_again(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    unchanged = project.build()
    _title_edit(project)
    edited = project.build()
    # The pages always rendered (in the navigation, or not prebuilt), plus the ones showing
    # the title: the paper, its technique, institution and report listings, the home page...
    assert unchanged.rendered < edited.rendered < edited.rendered + edited.reused
    assert edited.written > 0
    assert unchanged.written == 0


def test_a_damaged_manifest_means_a_full_build(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    (project.site / MANIFEST_DIR / MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    report = project.build()
    assert report.reused == 0 and report.full_reason == "no earlier build"
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_clean_builds_everything(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    report = project.build(clean=True)
    assert report.reused == 0 and report.full_reason == "--clean"


def test_reused_pages_keep_their_material_search_entries(tmp_path: Path) -> None:
    # Generated pages stay out of Material's search today; a prebuilt page outside the
    # navigation that is in it must still find its entries again when it is reused.
    project = make_project(tmp_path / "project")
    _edit_yaml(project.config, lambda c: c.update(not_in_nav=c["not_in_nav"] + "/extra/\n"))
    (project.docs / "extra").mkdir()
    (project.docs / "extra" / "notes.md").write_text(
        "---\ntitle: Notes\n---\n\n<!-- paperbrief: prebuilt HTML body -->\n"
        '<h1 id="notes">Notes</h1>\n<p>量化 notes kept for the search.</p>\n'
        '<h2 id="more">More</h2>\n<p>Second section.</p>\n',
        encoding="utf-8",
    )
    project.build()
    report = project.build()
    assert report.full_reason is None and report.reused > 0
    index = json.loads((project.site / "search" / "search_index.json").read_text("utf-8"))
    assert any(doc["location"].startswith("extra/notes/") for doc in index["docs"])
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_the_search_bundle_is_reused_only_for_the_same_articles(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    unchanged = project.build()
    assert unchanged.search_reused and unchanged.search_pages == 5
    _title_edit(project)
    edited = project.build()
    assert not edited.search_reused and edited.search_pages == 5
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []
