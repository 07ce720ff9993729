"""Killed builds and builds at once: the published site stays whole, one build writes at a time."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from buildproject import (
    Project,
    differences,
    run_cli_build,
    run_paused_build,
    tree_digests,
    wait_for,
)

from generator.site.buildlock import build_lock, lock_path
from generator.site.publish import staging_path
from generator.site.write import sweep_temporary_files

pytestmark = pytest.mark.slow

# Stop MkDocs after it has written this many pages into the staging folder.
_PAUSE_IN_MKDOCS = """
import mkdocs.utils
_real_write = mkdocs.utils.write_file
_count = [0]
def _write(content, path):
    _real_write(content, path)
    _count[0] += 1
    if _count[0] == 5:
        pathlib.Path({marker!r}).write_text("paused")
        while True:
            time.sleep(0.05)
mkdocs.utils.write_file = _write
"""

# Stop just before the finished site is swapped in, until a release file appears.
_PAUSE_BEFORE_PUBLISH = """
import generator.site.build as _build
_real_publish = _build.publish
def _publish(*args, **kwargs):
    pathlib.Path({marker!r}).write_text("paused")
    while not pathlib.Path({release!r}).exists():
        time.sleep(0.05)
    _real_publish(*args, **kwargs)
_build.publish = _publish
"""


def _changed(project: Project) -> None:
    record = project.data / "papers" / "kv-evict.yaml"
    record.write_text(
        record.read_text("utf-8").replace("Learned KV", "Learned-again KV"), encoding="utf-8"
    )


@pytest.mark.parametrize("patch", [_PAUSE_IN_MKDOCS, _PAUSE_BEFORE_PUBLISH])
def test_a_killed_build_leaves_the_published_site_whole(
    built: Project, tmp_path: Path, patch: str
) -> None:
    project = built.copy(tmp_path / "project")
    before = tree_digests(project.site)
    _changed(project)
    marker = tmp_path / "paused"
    build = run_paused_build(
        project,
        patch.format(marker=str(marker), release=str(tmp_path / "never")),
        tmp_path / "build.log",
    )
    try:
        wait_for(lambda: marker.exists() or build.poll() is not None, "the build to pause")
        assert build.poll() is None, (tmp_path / "build.log").read_text("utf-8")
        os.kill(build.pid, signal.SIGKILL)
        build.wait()
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
    # What a reader is served is the old site, byte for byte; the half build is beside it.
    assert tree_digests(project.site) == before
    assert staging_path(project.site).is_dir()

    # The next build removes the leftover and publishes the same site as a clean build.
    report = project.build()
    assert not staging_path(project.site).exists()
    assert "Learned-again KV" in (project.site / "papers/kv-evict/index.html").read_text("utf-8")
    assert report.rendered > 0
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_stale_temporary_files_are_swept_by_the_next_build(built: Project, tmp_path: Path) -> None:
    project = built.copy(tmp_path / "project")
    # What atomic_write leaves when a build dies between creating and renaming its file.
    left = [
        project.docs / "papers" / ".kv-evict.md.k2j4h6g8.tmp",
        project.docs / "feeds" / ".reports.xml.a1b2c3d4.tmp",
        project.docs / ".index.md.zz9yy8xx.tmp",
    ]
    for path in left:
        path.write_text("---\npartial", encoding="utf-8")
    kept = [project.docs / ".notes.tmp", project.docs / "assets" / ".draft.css.x1.tmp"]
    for path in kept:
        path.write_text("not a generated page's", encoding="utf-8")
    report = project.build()
    assert report.swept == len(left)
    assert not any(path.exists() for path in left)
    assert all(path.exists() for path in kept)
    assert sweep_temporary_files(project.docs) == []


def test_a_second_build_waits_for_the_first_or_says_it_is_running(
    built: Project, tmp_path: Path
) -> None:
    project = built.copy(tmp_path / "project")
    _changed(project)
    marker, release = tmp_path / "paused", tmp_path / "release"
    first = run_paused_build(
        project,
        _PAUSE_BEFORE_PUBLISH.format(marker=str(marker), release=str(release)),
        tmp_path / "first.log",
    )
    second = waiting = None
    try:
        wait_for(lambda: marker.exists() or first.poll() is not None, "the first build to pause")
        assert first.poll() is None, (tmp_path / "first.log").read_text("utf-8")

        # With a timeout, the second build gives up and names the build that holds the folders.
        second = run_cli_build(project, "--lock-timeout", "0.2", log=tmp_path / "second.log")
        assert second.wait(timeout=300) != 0
        said = (tmp_path / "second.log").read_text("utf-8")
        assert f"another build (pid {first.pid}) is writing" in said
        assert "Traceback" not in said

        # Without one, it waits, says so, and builds once the first has finished.
        waiting = run_cli_build(project, log=tmp_path / "waiting.log")
        wait_for(
            lambda: "waiting for another build" in (tmp_path / "waiting.log").read_text("utf-8"),
            "the second build to say it waits",
        )
        assert f"(pid {first.pid})" in (tmp_path / "waiting.log").read_text("utf-8")
        assert waiting.poll() is None
        release.write_text("go", encoding="utf-8")
        assert first.wait(timeout=300) == 0, (tmp_path / "first.log").read_text("utf-8")
        assert waiting.wait(timeout=300) == 0, (tmp_path / "waiting.log").read_text("utf-8")
    finally:
        for process in (first, second, waiting):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()
    # Two builds one after the other leave exactly what one clean build leaves.
    assert differences(project.site, project.clean_build_elsewhere(tmp_path / "clean")) == []


def test_the_lock_is_per_folder_and_released_after_use(tmp_path: Path) -> None:
    docs, site = tmp_path / "docs", tmp_path / "site"
    messages: list[str] = []
    with build_lock([docs, site], timeout=0, echo=messages.append):
        assert lock_path(site).read_text("utf-8").strip() == str(os.getpid())
        # Another folder is free meanwhile.
        with build_lock([tmp_path / "other-site"], timeout=0, echo=messages.append):
            pass
    with build_lock([site, docs], timeout=0, echo=messages.append):
        pass
    assert messages == []
