"""The preview: saved changes rebuild the site incrementally; invalid data keeps the last site."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from buildproject import ROOT, Project, make_project, wait_for

from generator.errors import PaperbriefError
from generator.site.publish import trash_path
from generator.site.serve import ChangeFilter, PreviewBuilder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Build the fixture project once; tests work on copies of it."""
    project = make_project(tmp_path_factory.mktemp("serve") / "project")
    project.build()
    return project


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
    # The replaced site is deleted by a thread of the preview, after the swap.
    wait_for(lambda: not trash_path(project.site).exists(), "the old site to be deleted")
    assert sorted(p.name for p in project.root.iterdir() if p.name.startswith(".site")) == [
        ".site.lock"
    ]

    (project.data / "papers" / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    assert not builder.build()
    assert len(errors) == 1 and "broken.yaml" in str(getattr(errors[0], "problems", errors[0]))
    assert "Learned-again KV" in page.read_text("utf-8")


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
        tmp_path / ".site.lock",
        tmp_path / "data" / "papers" / "x.yaml~",
        "",
    ]
    assert [str(p) for p in wanted if not changes.wants(str(p))] == []
    assert [str(p) for p in ignored if changes.wants(str(p))] == []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@pytest.mark.slow
def test_serve_shows_a_saved_change(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "serve",
                "--data",
                str(project.data),
                "--config-file",
                str(project.config),
                "-a",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/paperbrief/"
    try:
        wait_for(
            lambda: server.poll() is not None or bool(_fetch(base + "papers/kv-evict/")),
            "the preview to serve",
        )
        assert server.poll() is None, log.read_text("utf-8")
        first = _fetch(base + "papers/kv-evict/") or ""
        assert "Learned KV Cache Eviction" in first and "livereload" in first
        assert _fetch(base + "pagefind/pagefind.js")  # the search works in the preview

        _retitle(project, "Served Again KV Cache Eviction")
        wait_for(
            lambda: (
                "Served Again KV" in (_fetch(base + "papers/kv-evict/") or "")
                or server.poll() is not None
            ),
            "the preview to show the change",
        )
        assert server.poll() is None, log.read_text("utf-8")
        assert "pages rendered" in log.read_text("utf-8")
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
