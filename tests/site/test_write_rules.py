"""The writer rule by rule: paths, markers, temporary files, stale pages, and atomic_write's edges.

Written against the mutants tests/site/test_site_write.py and tests/records/test_store.py let live
(docs/testing.md).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from generator.errors import BuildFailed
from generator.records import store
from generator.records.store import atomic_write
from generator.site.render import GENERATED_MARKER, PageText
from generator.site.write import (
    check_pages,
    copy_handwritten_docs,
    scan_generated,
    sweep_temporary_files,
    write_pages,
)

MARKED = f"---\n{GENERATED_MARKER}\ntitle: x\n---\n\nbody\n"


def _page(path: str, text: str = MARKED) -> PageText:
    return PageText(path, text)


# ---- which paths a page may have ------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "",
        "papers/./a.md",
        "papers/a\x00.md",
        "papers/a\x01.md",
        "papers/a\x1f.md",
        "papers/a\x7f.md",
        "papers/a\n.md",
        "./index.md",
    ],
)
def test_odd_paths_are_refused_as_not_plain(path: str) -> None:
    with pytest.raises(BuildFailed, match="not a plain relative path"):
        check_pages([_page(path)])


@pytest.mark.parametrize("path", ["about.md", "papers", "docs/papers/a.md"])
def test_paths_outside_the_subtrees_say_where_pages_live(path: str) -> None:
    with pytest.raises(BuildFailed) as caught:
        check_pages([_page(path)])
    assert str(caught.value) == (
        f"refusing to write {path!r}: generated pages live only in papers/, institutions/,"
        " techniques/, reports/, feeds/, exports/ and index.md, statistics.md"
    )


def test_every_subtree_and_owned_file_is_accepted() -> None:
    paths = [
        "index.md",
        "statistics.md",
        "papers/a.md",
        "institutions/b/index.md",
        "techniques/c.md",
        "reports/d.md",
        "feeds/e.xml",
        "exports/f.bib",
    ]
    assert [p.path for p in check_pages([_page(p) for p in paths])] == paths


def test_names_that_differ_only_in_unicode_form_or_case_are_one_path() -> None:
    composed, decomposed = "papers/caf\u00e9.md", "papers/Cafe\u0301.md"
    with pytest.raises(BuildFailed) as caught:
        check_pages([_page(composed), _page(decomposed)])
    assert str(caught.value) == (
        f"two generated pages on one path: {composed!r} and {decomposed!r}; "
        "two records probably share an id or a name that maps to the same URL"
    )


# ---- markers: what is ours to replace or remove ---------------------------------------------------


def test_a_page_in_a_subtree_written_by_hand_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    mine = tmp_path / "papers" / "a.md"
    mine.write_text("---\ntitle: mine\n---\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match=r"a\.md was written by hand \(no paperbrief marker\)"):
        write_pages([_page("papers/a.md")], tmp_path)
    assert mine.read_text(encoding="utf-8") == "---\ntitle: mine\n---\n"


def test_the_marker_must_open_the_file(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    late = tmp_path / "papers" / "a.md"
    late.write_text(f"# notes\n---\n{GENERATED_MARKER}\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="written by hand"):
        write_pages([_page("papers/a.md")], tmp_path)


def test_feeds_and_exports_carry_no_marker_and_are_ours(tmp_path: Path) -> None:
    for rel in ("feeds/old.xml", "exports/old.csv", "papers/hand.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("no marker\n", encoding="utf-8")
    result = write_pages([_page("feeds/old.xml", "<rss/>\n"), _page("papers/a.md")], tmp_path)
    assert result.written == ["feeds/old.xml", "papers/a.md"]
    assert result.removed == ["exports/old.csv"]  # stale, and ours without a marker
    assert (tmp_path / "papers" / "hand.md").is_file()  # no marker: never removed
    assert (tmp_path / "feeds" / "old.xml").read_text(encoding="utf-8") == "<rss/>\n"


def test_a_stale_home_page_is_removed_and_a_hand_written_one_kept(tmp_path: Path) -> None:
    write_pages([_page("index.md"), _page("statistics.md"), _page("papers/a.md")], tmp_path)
    result = write_pages([_page("papers/a.md")], tmp_path)
    assert result.removed == ["index.md", "statistics.md"]
    (tmp_path / "index.md").write_text("# home\n", encoding="utf-8")
    assert write_pages([_page("papers/a.md")], tmp_path).removed == []
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "# home\n"


def test_stale_pages_go_in_order_and_only_emptied_folders_with_them(tmp_path: Path) -> None:
    pages = ["papers/b.md", "papers/a.md", "techniques/q/x/deep.md", "techniques/q/keep.md"]
    write_pages([_page(p) for p in pages], tmp_path)
    (tmp_path / "techniques" / "empty-by-hand").mkdir()
    result = write_pages([_page("techniques/q/keep.md")], tmp_path)
    assert result.removed == ["papers/a.md", "papers/b.md", "techniques/q/x/deep.md"]
    assert not (tmp_path / "techniques" / "q" / "x").exists()
    assert not (tmp_path / "techniques" / "empty-by-hand").exists()
    assert (tmp_path / "papers").is_dir()  # a subtree's own folder stays, even empty
    assert (tmp_path / "techniques" / "q" / "keep.md").is_file()


def test_a_symlink_inside_a_subtree_is_neither_written_through_nor_removed(
    tmp_path: Path,
) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(MARKED, encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    (docs / "papers" / "link.md").symlink_to(outside)
    assert write_pages([_page("papers/a.md")], docs).removed == []
    assert (docs / "papers" / "link.md").is_symlink()
    with pytest.raises(BuildFailed, match="it is a symlink; remove it"):
        write_pages([_page("papers/link.md", "changed")], docs)
    assert outside.read_text(encoding="utf-8") == MARKED


def test_a_new_folder_under_a_symlinked_folder_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    docs = tmp_path / "docs"
    (docs / "techniques").mkdir(parents=True)
    (docs / "techniques" / "q").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildFailed, match="resolves outside"):
        write_pages([_page("techniques/q/new/index.md")], docs)
    assert list(outside.iterdir()) == []


# ---- temporary files a killed write left -----------------------------------------------------------


def test_the_temporary_files_of_a_killed_write_are_swept(tmp_path: Path) -> None:
    (tmp_path / "papers" / "sub").mkdir(parents=True)
    leftovers = [".index.md.k3j.tmp", "papers/.a.md.x1.tmp", "papers/sub/.b.md.y2.tmp"]
    kept = [
        ".about.md.z9.tmp",  # beside index.md, but not the temporary of a page of ours
        "papers/.a.tmp",  # too few dots to be atomic_write's
        "papers/a.md.tmp",  # not hidden
        "papers/.a.md.x1.bak",
        ".statistics.md",
    ]
    for rel in leftovers + kept:
        (tmp_path / rel).write_text("partial", encoding="utf-8")
    assert sweep_temporary_files(tmp_path) == sorted(leftovers)
    assert sorted(p for p in kept if (tmp_path / p).exists()) == sorted(kept)
    result = write_pages([_page("papers/a.md")], tmp_path)
    assert result.swept == []
    assert sweep_temporary_files(tmp_path / "missing") == []


def test_write_pages_reports_what_it_swept(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / ".x.xml.abc.tmp").write_text("partial", encoding="utf-8")
    assert write_pages([_page("papers/a.md")], tmp_path).swept == ["feeds/.x.xml.abc.tmp"]


def test_sweeping_never_follows_a_symlinked_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ".a.md.x.tmp").write_text("not ours", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "papers").mkdir(parents=True)
    (docs / "papers" / "linked").symlink_to(outside, target_is_directory=True)
    (docs / "reports").symlink_to(outside, target_is_directory=True)
    assert sweep_temporary_files(docs) == []
    assert (outside / ".a.md.x.tmp").exists()


# ---- copying the hand-written docs ----------------------------------------------------------------


def test_only_hand_written_docs_are_copied(tmp_path: Path) -> None:
    source = tmp_path / "docs"
    (source / "papers").mkdir(parents=True)
    (source / "papers" / "a.md").write_text(MARKED, encoding="utf-8")
    (source / "assets").mkdir()
    (source / "assets" / "pb.css").write_text("a {}\n", encoding="utf-8")
    (source / "about.md").write_text("# about\n", encoding="utf-8")
    (source / "index.md").write_text(MARKED, encoding="utf-8")
    target = copy_handwritten_docs(source, tmp_path / "copy")
    assert target == tmp_path / "copy"
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*"))
    assert copied == ["about.md", "assets", "assets/pb.css"]


# ---- atomic_write ----------------------------------------------------------------------------------


def test_durable_writes_sync_the_data_and_page_writes_do_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    atomic_write(tmp_path / "a.yaml", "data")
    assert len(synced) == 1
    atomic_write(tmp_path / "b.md", "page", durable=False)
    assert len(synced) == 1
    write_pages([_page("papers/a.md")], tmp_path / "docs")
    assert len(synced) == 1


def test_a_failed_write_names_the_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(src))

    monkeypatch.setattr(os, "replace", refuse)
    target = tmp_path / "page.md"
    with pytest.raises(PermissionError) as caught:
        atomic_write(target, "x")
    assert caught.value.filename == str(target) and caught.value.errno == errno.EACCES
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_write_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "page.md", "x")
    assert list(tmp_path.iterdir()) == []


def test_a_parent_that_is_a_file_is_named_in_the_error(tmp_path: Path) -> None:
    (tmp_path / "papers").write_text("a file", encoding="utf-8")
    target = tmp_path / "papers" / "a.md"
    with pytest.raises(OSError) as caught:
        atomic_write(target, "x")
    assert caught.value.filename == str(target)
    assert caught.value.errno in (errno.EEXIST, errno.ENOTDIR)


def test_create_only_reports_the_existing_file_by_its_name(tmp_path: Path) -> None:
    target = tmp_path / "a.yaml"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(FileExistsError) as caught:
        atomic_write(target, "new", create_only=True)
    assert caught.value.filename == str(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.yaml"]


def test_errors_already_naming_the_file_or_without_errno_are_kept() -> None:
    path = Path("/x/a.md")
    named = OSError(errno.EACCES, "Permission denied", "/x/a.md")
    assert store._naming(named, path) is named
    bare = OSError("something odd")
    assert store._naming(bare, path) is bare
    renamed = store._naming(FileExistsError(errno.EEXIST, "File exists", "/x/.a.md.1.tmp"), path)
    assert isinstance(renamed, FileExistsError)
    assert (renamed.errno, renamed.strerror, renamed.filename) == (
        errno.EEXIST,
        "File exists",
        "/x/a.md",
    )


# ---- what the first mutation run left alive ------------------------------------------------------


def test_a_backslash_inside_a_subtree_path_is_refused_and_a_space_is_not() -> None:
    with pytest.raises(BuildFailed, match="not a plain relative path"):
        check_pages([_page("papers/a\\b.md")])
    assert [p.path for p in check_pages([_page("papers/a b.md")])] == ["papers/a b.md"]


def test_the_message_for_a_hand_written_page_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("# mine\n", encoding="utf-8")
    with pytest.raises(BuildFailed) as caught:
        write_pages([_page("index.md")], tmp_path)
    assert str(caught.value) == (
        f"{tmp_path.resolve() / 'index.md'} was written by hand (no paperbrief marker); move its"
        " text to another page (for instance docs/about.md) so the generated page can take its"
        " place"
    )


def test_a_stale_page_that_cannot_be_read_is_not_taken_for_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pages([_page("papers/a.md"), _page("papers/old.md")], tmp_path)
    real_open = Path.open

    def refuse(self: Path, mode: str = "r", *args: object, **kw: object) -> object:
        if self.name == "old.md":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, mode, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    assert write_pages([_page("papers/a.md")], tmp_path).removed == []
    assert (tmp_path / "papers" / "old.md").is_file()


def test_each_folder_is_resolved_once_per_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolved: list[str] = []
    real_resolve = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        resolved.append(self.name)
        return real_resolve(self, strict=strict)

    monkeypatch.setattr(Path, "resolve", counting)
    write_pages([_page(f"papers/p{i}.md") for i in range(30)], tmp_path)
    assert resolved.count("papers") <= 2  # not once per page: 10,000 pages share papers/


def test_a_temporary_of_a_page_without_extension_is_swept(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / ".a.k2.tmp").write_text("partial", encoding="utf-8")
    assert sweep_temporary_files(tmp_path) == ["feeds/.a.k2.tmp"]


def test_a_folder_or_symlink_named_like_a_temporary_is_left_alone(tmp_path: Path) -> None:
    (tmp_path / ".index.md.abc.tmp").mkdir()
    (tmp_path / "target.md").write_text("kept", encoding="utf-8")
    (tmp_path / ".index.md.def.tmp").symlink_to(tmp_path / "target.md")
    assert sweep_temporary_files(tmp_path) == []
    assert (tmp_path / ".index.md.abc.tmp").is_dir()
    assert (tmp_path / ".index.md.def.tmp").is_symlink()


def test_empty_folders_go_from_the_deepest_up(tmp_path: Path) -> None:
    write_pages([_page("techniques/a/b/c/page.md"), _page("papers/x.md")], tmp_path)
    write_pages([_page("papers/x.md")], tmp_path)
    assert sorted(p.name for p in (tmp_path / "techniques").iterdir()) == []


def test_no_folder_is_removed_through_a_symlinked_subtree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "empty").mkdir(parents=True)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "reports").symlink_to(outside, target_is_directory=True)
    write_pages([_page("papers/a.md")], docs)
    assert (outside / "empty").is_dir()


def test_the_docs_folder_and_its_parents_are_made_when_missing(tmp_path: Path) -> None:
    docs = tmp_path / "new" / "docs"
    assert write_pages([_page("papers/a.md")], docs).written == ["papers/a.md"]


def test_copying_docs_makes_the_target_or_fills_an_empty_one(tmp_path: Path) -> None:
    source = tmp_path / "docs"
    source.mkdir()
    for name in ("about.md", "papers", "zz-last.md"):
        if name == "papers":
            (source / name).mkdir()
            (source / name / "p.md").write_text(MARKED, encoding="utf-8")
        else:
            (source / name).write_text("# hand\n", encoding="utf-8")
    nested = copy_handwritten_docs(source, tmp_path / "a" / "b" / "copy")
    assert sorted(p.name for p in nested.iterdir()) == ["about.md", "zz-last.md"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert sorted(p.name for p in copy_handwritten_docs(source, empty).iterdir()) == [
        "about.md",
        "zz-last.md",
    ]


def test_the_temporary_file_sits_beside_the_target_under_a_hidden_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    renamed: list[tuple[str, str]] = []
    real_replace = os.replace

    def watch(src: str, dst: str) -> None:
        renamed.append((str(src), str(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watch)
    target = tmp_path / "papers" / "a.md"
    atomic_write(target, "x")
    ((src, dst),) = renamed
    assert dst == str(target)
    assert Path(src).parent == target.parent
    assert Path(src).name.startswith(".a.md.") and Path(src).name.endswith(".tmp")


@pytest.mark.parametrize("raised", [OSError(errno.EIO, "I/O error"), KeyboardInterrupt()])
def test_an_error_reported_after_the_rename_is_the_one_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, raised: BaseException
) -> None:
    # the rename happened, then the call failed (a network file system, a signal): the temporary
    # is gone, and cleaning up must not replace the error with FileNotFoundError
    real_replace = os.replace

    def replace_then_fail(src: str, dst: str) -> None:
        real_replace(src, dst)
        raise raised

    monkeypatch.setattr(os, "replace", replace_then_fail)
    target = tmp_path / "a.md"
    with pytest.raises(type(raised)) as caught:
        atomic_write(target, "x")
    if isinstance(raised, OSError):
        assert caught.value.errno == errno.EIO and caught.value.filename == str(target)
    assert target.read_text(encoding="utf-8") == "x"


def test_printable_characters_are_plain() -> None:
    # the first and last characters next to the refused control characters
    assert check_pages([_page("papers/a b~é\x80.md")])


def test_a_folder_emptied_by_the_sweep_goes_and_its_parent_with_it(tmp_path: Path) -> None:
    deep = tmp_path / "techniques" / "q" / "x"
    deep.mkdir(parents=True)
    (deep / ".deep.md.a1.tmp").write_text("partial", encoding="utf-8")
    (tmp_path / "institutions" / "kept").mkdir(parents=True)
    (tmp_path / "institutions" / "kept" / "notes.txt").write_text("by hand\n", encoding="utf-8")
    result = write_pages([_page("papers/a.md")], tmp_path)
    assert result.swept == ["techniques/q/x/.deep.md.a1.tmp"]
    assert not (tmp_path / "techniques" / "q").exists()  # emptied, then its parent
    assert (tmp_path / "techniques").is_dir()
    assert (tmp_path / "institutions" / "kept" / "notes.txt").is_file()  # no marker: stays


def test_a_walk_made_before_the_write_is_used_for_the_sweep_and_the_stale_pages(
    tmp_path: Path,
) -> None:
    write_pages([_page("papers/a.md"), _page("papers/b.md")], tmp_path)
    (tmp_path / "papers" / ".a.md.q1.tmp").write_text("partial", encoding="utf-8")
    found = scan_generated(tmp_path.resolve())
    assert sorted(found.files) == ["papers/a.md", "papers/b.md"]
    assert found.temporary == ["papers/.a.md.q1.tmp"]
    assert found.files["papers/a.md"][0] == (tmp_path / "papers" / "a.md").stat().st_size
    result = write_pages([_page("papers/a.md")], tmp_path, found=found)
    assert result.swept == ["papers/.a.md.q1.tmp"] and result.removed == ["papers/b.md"]
