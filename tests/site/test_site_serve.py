"""The preview: saved changes rebuild the site incrementally; invalid data keeps the last site."""

from __future__ import annotations

import errno
import json
import threading
from pathlib import Path

import pytest
from buildproject import (
    DEADLINE_S,
    Project,
    differences,
    fetch,
    serving,
    tree_digests,
    wait_for,
)

from generator.errors import PaperbriefError
from generator.site import build as build_module
from generator.site.publish import search_side_path, swap_folder, trash_path
from generator.site.serve import ChangeFilter, PreviewBuilder


def _retitle(project: Project, new: str) -> None:
    record = project.data / "papers" / "kv-evict.yaml"
    record.write_text(
        record.read_text("utf-8").replace("Learned KV Cache Eviction", new), encoding="utf-8"
    )


def test_a_changed_record_is_rebuilt_and_invalid_data_keeps_the_last_site(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    errors: list[PaperbriefError] = []
    lines: list[str] = []
    builder = PreviewBuilder(
        project.data, project.config, echo=lines.append, on_error=errors.append
    )
    _retitle(project, "Learned-again KV Cache Eviction")
    assert builder.build()
    page = project.site / "papers" / "kv-evict" / "index.html"
    assert "Learned-again KV" in page.read_text("utf-8")
    assert builder.last is not None and builder.last.reused > 0
    assert any(line.startswith("rebuilt in") for line in lines)
    # The search index follows; the replaced site is deleted by a thread of the preview.
    builder.wait_for_search()
    assert any(line.startswith("search index of") for line in lines), lines
    wait_for(lambda: not trash_path(project.site).exists(), "the old site to be deleted")
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site")) == [
        ".site.lock"
    ]
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []

    (project.data / "papers" / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    assert not builder.build()
    assert len(errors) == 1 and "broken.yaml" in str(getattr(errors[0], "problems", errors[0]))
    assert "Learned-again KV" in page.read_text("utf-8")


class _HeldSwap:
    """Stands in for the swap of the search bundle: waits for `release`, or fails."""

    def __init__(self, *, fail: bool = False) -> None:
        self.release = threading.Event()
        self.fail = fail

    def __call__(self, new: Path, target: Path) -> None:
        assert self.release.wait(DEADLINE_S), "the test never released the search bundle"
        if self.fail:
            raise OSError(errno.EIO, "Input/output error")
        swap_folder(new, target)


_MANIFEST = ".paperbrief/manifest.json"


def _search_bundle(site: Path) -> str:
    return json.loads((site / _MANIFEST).read_text("utf-8"))["search_bundle"]


def test_pages_are_published_before_their_search_index(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    last_bundle = tree_digests(project.site / "pagefind")
    last_digest = _search_bundle(project.site)
    held = _HeldSwap()
    monkeypatch.setattr(build_module, "swap_folder", held)
    searches: list[str] = []
    builder = PreviewBuilder(
        project.data,
        project.config,
        echo=lambda _: None,
        on_error=lambda exc: pytest.fail(str(exc)),
        on_search=lambda: searches.append("reload"),
    )
    _retitle(project, "Learned-again KV Cache Eviction")
    try:
        assert builder.build()
        assert builder.pending is not None
        # The new pages, with the last build's search bundle, which the manifest describes.
        clean = project.clean_build_elsewhere(tmp_path / "clean")
        assert "Learned-again KV" in (project.site / "papers/kv-evict/index.html").read_text(
            "utf-8"
        )
        assert tree_digests(project.site / "pagefind") == last_bundle
        assert _search_bundle(project.site) == last_digest != _search_bundle(clean)
        assert all(
            path.startswith("pagefind/") or path == _MANIFEST
            for path in differences(project.site, clean)
        )
        assert searches == []
    finally:
        held.release.set()
    builder.wait_for_search()
    assert searches == ["reload"]
    assert differences(project.site, clean) == []
    assert not search_side_path(project.site).exists()


def test_a_search_index_that_fails_to_publish_leaves_a_true_manifest(
    built: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built.copy(tmp_path / "project")
    last_bundle = tree_digests(project.site / "pagefind")
    held = _HeldSwap(fail=True)
    held.release.set()
    monkeypatch.setattr(build_module, "swap_folder", held)
    errors: list[PaperbriefError] = []
    builder = PreviewBuilder(
        project.data, project.config, echo=lambda _: None, on_error=errors.append
    )
    _retitle(project, "Learned-again KV Cache Eviction")
    assert builder.build()
    builder.wait_for_search()
    assert len(errors) == 1 and "cannot publish the search index" in str(errors[0])
    assert tree_digests(project.site / "pagefind") == last_bundle
    assert not search_side_path(project.site).exists()
    # The next build makes the bundle the site lacks: the result is a clean build's.
    monkeypatch.undo()
    report = project.build()
    assert not report.search_reused
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_only_source_changes_ask_for_a_rebuild(tmp_path: Path) -> None:
    docs, site = tmp_path / "docs", tmp_path / "site"
    changes = ChangeFilter(tmp_path / "mkdocs.yml", docs, site)
    wanted = [
        tmp_path / "mkdocs.yml",
        tmp_path / "data" / "papers" / "x.yaml",
        tmp_path / "data" / "institutions.yaml",
        docs / "about.md",
        docs / "assets" / "stylesheets" / "paperbrief.css",
        tmp_path / "overrides" / "main.html",
    ]
    ignored = [
        docs / "papers" / "x.md",  # written by the build itself
        docs / "index.md",
        docs / "feeds" / "reports.xml",
        docs / "papers" / ".x.md.k2j4h6g8.tmp",
        site / "papers" / "x" / "index.html",
        tmp_path / ".site.new" / "index.html",
        tmp_path / ".site.trash" / "0123456789abcdef" / "papers" / "x" / "index.html",
        tmp_path / ".site.search" / "pagefind" / "pagefind-entry.json",
        tmp_path / ".site.lock",
        tmp_path / "data" / "papers" / "x.yaml~",
        "",
    ]
    assert [str(p) for p in wanted if not changes.wants(str(p))] == []
    assert [str(p) for p in ignored if changes.wants(str(p))] == []


@pytest.mark.slow
def test_serve_shows_a_saved_change(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    log = tmp_path / "serve.log"
    with serving(project, log) as (server, base):
        wait_for(
            lambda: server.poll() is not None or bool(fetch(base + "papers/kv-evict/")),
            "the preview to serve",
        )
        assert server.poll() is None, log.read_text("utf-8")
        first = fetch(base + "papers/kv-evict/") or ""
        assert "Learned KV Cache Eviction" in first and "livereload" in first
        assert fetch(base + "pagefind/pagefind.js")  # the search works in the preview

        _retitle(project, "Served Again KV Cache Eviction")
        wait_for(
            lambda: (
                "Served Again KV" in (fetch(base + "papers/kv-evict/") or "")
                or server.poll() is not None
            ),
            "the preview to show the change",
        )
        assert server.poll() is None, log.read_text("utf-8")
        assert "pages rendered" in log.read_text("utf-8")
