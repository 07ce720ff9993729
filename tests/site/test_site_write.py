"""The writer: only its subtrees, one page per path, no needless rewrites, stale pages removed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import BuildFailed
from generator.site.render import GENERATED_MARKER, PageText
from generator.site.write import write_pages


def _page(path: str, body: str = "body") -> PageText:
    return PageText(path, f"---\n{GENERATED_MARKER}\ntitle: x\n---\n\n{body}\n")


def test_writes_then_leaves_unchanged_files_alone(tmp_path: Path) -> None:
    pages = [_page("papers/a.md"), _page("index.md"), PageText("feeds/reports.xml", "<rss/>\n")]
    first = write_pages(pages, tmp_path)
    assert sorted(first.written) == ["feeds/reports.xml", "index.md", "papers/a.md"]
    before = {p: os.stat(tmp_path / p).st_mtime_ns for p in first.written}
    inode = os.stat(tmp_path / "papers/a.md").st_ino
    second = write_pages(pages, tmp_path)
    assert second.written == [] and second.unchanged == 3 and second.removed == []
    assert {p: os.stat(tmp_path / p).st_mtime_ns for p in first.written} == before
    assert os.stat(tmp_path / "papers/a.md").st_ino == inode


def test_rewrites_only_the_changed_page(tmp_path: Path) -> None:
    write_pages([_page("papers/a.md"), _page("papers/b.md")], tmp_path)
    result = write_pages([_page("papers/a.md", "new"), _page("papers/b.md")], tmp_path)
    assert result.written == ["papers/a.md"]
    assert "new" in (tmp_path / "papers/a.md").read_text(encoding="utf-8")


def test_removes_stale_generated_pages_and_empty_dirs(tmp_path: Path) -> None:
    write_pages(
        [_page("papers/a.md"), _page("techniques/q/page-2.md"), _page("techniques/q/index.md")],
        tmp_path,
    )
    result = write_pages([_page("papers/a.md"), _page("techniques/q/index.md")], tmp_path)
    assert result.removed == ["techniques/q/page-2.md"]
    assert not (tmp_path / "techniques/q/page-2.md").exists()
    write_pages([_page("papers/a.md")], tmp_path)
    assert not (tmp_path / "techniques" / "q").exists()


def test_keeps_hand_written_files(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "README.md").write_text("# mine\n", encoding="utf-8")
    (tmp_path / "about.md").write_text("# about\n", encoding="utf-8")
    write_pages([_page("papers/a.md")], tmp_path)
    assert (tmp_path / "papers" / "README.md").exists() and (tmp_path / "about.md").exists()


def test_refuses_to_overwrite_a_hand_written_home_page(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("# my own home page\n", encoding="utf-8")
    with pytest.raises(BuildFailed, match="written by hand"):
        write_pages([_page("index.md")], tmp_path)
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == "# my own home page\n"


@pytest.mark.parametrize(
    "path",
    [
        "about.md",
        "../evil.md",
        "papers/../../evil.md",
        "/etc/passwd",
        "papers\\a.md",
        "papers/.hidden.md",
        "overrides/main.html",
        "papers",
        "papers//a.md",
        "mkdocs.yml",
    ],
)
def test_refuses_paths_outside_the_generated_subtrees(tmp_path: Path, path: str) -> None:
    with pytest.raises(BuildFailed, match="refusing"):
        write_pages([_page(path)], tmp_path / "docs")
    assert not (tmp_path / "evil.md").exists()


@pytest.mark.parametrize(
    ("one", "two"),
    [
        ("papers/a.md", "papers/a.md"),
        ("papers/a.md", "papers/a/index.md"),
        ("papers/A.md", "papers/a.md"),
    ],
)
def test_refuses_two_pages_on_one_path(tmp_path: Path, one: str, two: str) -> None:
    with pytest.raises(BuildFailed, match="two generated pages"):
        write_pages([_page(one), _page(two)], tmp_path)
    assert not (tmp_path / "papers").exists()  # nothing is written before every path is checked


def test_refuses_a_subtree_that_is_a_symlink_out_of_docs(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "papers").symlink_to(outside, target_is_directory=True)
    with pytest.raises(BuildFailed, match="outside"):
        write_pages([_page("papers/a.md")], docs)
    assert list(outside.iterdir()) == []


def test_never_deletes_through_a_symlinked_subtree(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.md").write_text(f"---\n{GENERATED_MARKER}\n---\n", encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "reports").symlink_to(outside, target_is_directory=True)
    write_pages([_page("papers/a.md")], docs)
    assert (outside / "victim.md").exists()
