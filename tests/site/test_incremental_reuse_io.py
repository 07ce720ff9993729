"""The reuse side's shortcuts: source digests kept across builds, pages linked on a thread."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.errors import BuildFailed
from generator.records import filecache
from generator.site import incremental
from generator.site.incremental import PageReuse, SearchInputs, _digest_of, _Linker
from generator.site.manifest import source_digest


class _File:
    """Stands in for MkDocs' File: counts how often its source is read."""

    def __init__(self, path: Path) -> None:
        self.abs_src_path = str(path)
        self.reads = 0

    @property
    def content_string(self) -> str:
        self.reads += 1
        return Path(self.abs_src_path).read_text("utf-8-sig")


def _settled(path: Path) -> None:
    """Date a file an hour back, as one left alone since an earlier build."""
    status = path.stat()
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns - 3600 * 10**9))


def test_an_unchanged_source_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "_DIGESTS", {})
    # Only the change time is recent (utime sets it): count it as settled for this test.
    monkeypatch.setattr(filecache, "_SETTLED_NS", -(10**12))
    path = tmp_path / "page.md"
    path.write_text("# One\n", encoding="utf-8")
    _settled(path)
    file = _File(path)
    assert _digest_of(file) == source_digest(b"# One\n")
    assert _digest_of(file) == source_digest(b"# One\n")
    assert file.reads == 1
    # Replaced by a rename (as the generator writes): another inode, read again.
    other = tmp_path / "other.md"
    other.write_text("# Two\n", encoding="utf-8")
    os.replace(other, path)
    assert _digest_of(file) == source_digest(b"# Two\n")
    assert file.reads == 2


def test_a_source_written_just_now_is_read_again_even_with_the_same_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental, "_DIGESTS", {})
    path = tmp_path / "page.md"
    path.write_text("# One\n", encoding="utf-8")
    before = path.stat()
    file = _File(path)
    assert _digest_of(file) == source_digest(b"# One\n")
    # Rewritten in place with as many bytes, its modification time put back: a write within
    # the file system's timestamp granularity looks like this.
    with path.open("r+b") as handle:
        handle.write(b"# Two\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _digest_of(file) == source_digest(b"# Two\n")


def test_source_digests_are_kept_between_builds_in_the_generator_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERBRIEF_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("PAPERBRIEF_NO_CACHE", raising=False)
    monkeypatch.setattr(incremental, "_DIGESTS", {})
    monkeypatch.setattr(filecache, "_SETTLED_NS", -(10**12))
    docs = tmp_path / "docs"
    docs.mkdir()
    path = docs / "page.md"
    path.write_text("# One\n", encoding="utf-8")
    _settled(path)
    file = _File(path)

    def build(*, clean: bool = False) -> str:
        incremental._DIGESTS.clear()  # a new process
        with incremental.kept_source_digests(docs, clean=clean):
            return _digest_of(file)

    assert build() == source_digest(b"# One\n") and file.reads == 1
    assert build() == source_digest(b"# One\n") and file.reads == 1  # not read again
    assert build(clean=True) == source_digest(b"# One\n") and file.reads == 2
    # Rewritten in place, same size and modification time: the change time moved, read again.
    status = path.stat()
    path.write_text("# Two\n", encoding="utf-8")
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert build() == source_digest(b"# Two\n") and file.reads == 3
    assert build() == source_digest(b"# Two\n") and file.reads == 3
    # A build that fails keeps nothing new; the cache turned off keeps nothing at all.
    other = docs / "other.md"
    other.write_text("# Other\n", encoding="utf-8")
    _settled(other)
    second = _File(other)
    incremental._DIGESTS.clear()
    with pytest.raises(RuntimeError), incremental.kept_source_digests(docs, clean=False):
        _digest_of(second)
        raise RuntimeError("MkDocs failed")
    assert second.reads == 1
    incremental._DIGESTS.clear()
    with incremental.kept_source_digests(docs, clean=False):
        assert _digest_of(second) == source_digest(b"# Other\n")
    assert second.reads == 2
    monkeypatch.setenv("PAPERBRIEF_NO_CACHE", "1")
    assert build() == source_digest(b"# Two\n") and file.reads == 4


def _reuse(tmp_path: Path) -> PageReuse:
    published, staging = tmp_path / "site", tmp_path / "staging"
    (published / "papers" / "x").mkdir(parents=True)
    (published / "papers" / "x" / "index.html").write_text("<p>x</p>", encoding="utf-8")
    staging.mkdir()
    return PageReuse(None, published, staging, SearchInputs(staging, None))


def test_reused_pages_are_linked_by_the_time_mkdocs_is_done(tmp_path: Path) -> None:
    reuse = _reuse(tmp_path)
    reuse._linker = _Linker(reuse._link)
    reuse._linker.add("papers/x/index.html")
    reuse.on_post_build(config=SimpleNamespace())
    linked = tmp_path / "staging" / "papers" / "x" / "index.html"
    assert linked.stat().st_ino == (tmp_path / "site" / "papers" / "x" / "index.html").stat().st_ino


def test_a_published_page_gone_during_the_build_fails_it(tmp_path: Path) -> None:
    reuse = _reuse(tmp_path)
    reuse._linker = _Linker(reuse._link)
    reuse._linker.add("papers/gone/index.html")
    with pytest.raises(BuildFailed, match="disappeared while this build reused it"):
        reuse.on_post_build(config=SimpleNamespace())


def test_a_failed_build_stops_linking_without_raising(tmp_path: Path) -> None:
    reuse = _reuse(tmp_path)
    linker: Any = _Linker(reuse._link)
    reuse._linker = linker
    linker.add("papers/gone/index.html")
    reuse.on_build_error(error=RuntimeError("mkdocs failed"))
    assert not linker._thread.is_alive()
    reuse.close()  # nothing left to report
