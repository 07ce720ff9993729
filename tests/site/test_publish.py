"""The site swap: the finished build takes the place of site/ in one step; leftovers go.

The replaced site is deleted in the background (a detached process or a thread); the next build
deletes whatever a killed deleter or a killed build left.
"""

from __future__ import annotations

import fcntl
import os
import signal
from pathlib import Path

import pytest
from buildproject import wait_for

from generator.errors import BuildFailed
from generator.site import publish as publish_module
from generator.site.publish import (
    Removal,
    fresh_staging,
    publish,
    published_site,
    staging_path,
    sweep_trash,
    trash_path,
)


def _site(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(text, encoding="utf-8")
    (root / "papers").mkdir(exist_ok=True)
    (root / "papers" / "x.html").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_the_new_site_takes_the_old_ones_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(publish_module, "_exchange", lambda first, second: False)
    site = _site(tmp_path / "site", "old")
    staging = fresh_staging(site)
    assert staging == staging_path(site) and list(staging.iterdir()) == []
    _site(staging, "new")
    publish(staging, site, "now")
    assert (site / "index.html").read_text("utf-8") == "new"
    assert (site / "papers" / "x.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize("removal", ["process", "thread", "now"])
def test_the_old_site_is_deleted_after_the_swap(tmp_path: Path, removal: Removal) -> None:
    site = _site(tmp_path / "site", "old")
    old_inode = (site / "index.html").stat().st_ino
    staging = _site(fresh_staging(site), "new")
    publish(staging, site, removal)
    # Published whole at once, whatever happens to the old tree afterwards.
    assert (site / "index.html").read_text("utf-8") == "new"
    assert (site / "papers" / "x.html").read_text("utf-8") == "new"
    wait_for(lambda: not trash_path(site).exists(), "the old site to be deleted")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (site / "index.html").stat().st_ino != old_inode


# The detached deleter, made to wait for a release file first and to say its process id.
def _paused_deleter(tmp_path: Path) -> str:
    return (
        "import os, pathlib, time\n"
        f"pathlib.Path({str(tmp_path / 'deleter.pid')!r}).write_text(str(os.getpid()))\n"
        f"while not os.path.exists({str(tmp_path / 'release')!r}):\n"
        "    time.sleep(0.05)\n" + publish_module._DELETER
    )


def _locked(path: Path) -> bool:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_the_build_does_not_wait_for_the_detached_deleter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish_module, "_DELETER", _paused_deleter(tmp_path))
    site = _site(tmp_path / "site", "old")
    publish(_site(fresh_staging(site), "new"), site)
    wait_for(lambda: (tmp_path / "deleter.pid").exists(), "the deleter to start")
    # publish returned while the old tree still waits in the trash, locked by its deleter...
    (old,) = trash_path(site).iterdir()
    assert (old / "index.html").read_text("utf-8") == "old"
    assert _locked(old)
    # ...so the next build leaves it to that deleter, and builds meanwhile.
    assert sweep_trash(site, "now") == 0
    publish(_site(fresh_staging(site, "now"), "newer"), site, "now")
    assert (site / "index.html").read_text("utf-8") == "newer"
    assert old.exists()
    deleter = int((tmp_path / "deleter.pid").read_text("utf-8"))
    assert os.getsid(deleter) == deleter  # its own session: a Ctrl-C of the build spares it
    (tmp_path / "release").write_text("go", encoding="utf-8")
    wait_for(lambda: not trash_path(site).exists(), "the deleter to finish")
    assert (site / "index.html").read_text("utf-8") == "newer"


def test_what_a_killed_deleter_left_is_deleted_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publish_module, "_DELETER", _paused_deleter(tmp_path))
    site = _site(tmp_path / "site", "old")
    publish(_site(fresh_staging(site), "new"), site)
    wait_for(lambda: (tmp_path / "deleter.pid").exists(), "the deleter to start")
    (old,) = trash_path(site).iterdir()
    # Killed with half the tree deleted.
    (old / "index.html").unlink()
    os.kill(int((tmp_path / "deleter.pid").read_text("utf-8")), signal.SIGKILL)
    wait_for(lambda: not _locked(old), "the killed deleter's lock to go")
    assert old.is_dir()

    monkeypatch.undo()
    staging = fresh_staging(site)
    assert list(staging.iterdir()) == []
    wait_for(lambda: not trash_path(site).exists(), "the next build to delete the leftover")
    assert (site / "index.html").read_text("utf-8") == "new"


def test_a_first_build_is_renamed_into_place(tmp_path: Path) -> None:
    site = tmp_path / "site"
    staging = _site(fresh_staging(site), "first")
    publish(staging, site)
    assert (site / "index.html").read_text("utf-8") == "first"
    assert not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_leftovers_of_a_killed_build_are_removed_and_a_parked_site_comes_back(
    tmp_path: Path,
) -> None:
    # Killed between the two renames of the fallback swap: site/ is missing, the old one parked.
    _site(tmp_path / ".site.old", "old")
    _site(tmp_path / ".site.new", "half")
    # And a tree a deleter never got to (the build was killed right after the swap).
    _site(tmp_path / ".site.trash" / "0123456789abcdef", "older")
    site = tmp_path / "site"
    staging = fresh_staging(site)
    assert (site / "index.html").read_text("utf-8") == "old"
    assert list(staging.iterdir()) == []
    assert not (tmp_path / ".site.old").exists()
    wait_for(lambda: not trash_path(site).exists(), "the leftovers to be deleted")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.new", "site"]


def test_a_symlinked_site_is_swapped_where_it_points(tmp_path: Path) -> None:
    real = _site(tmp_path / "www" / "site", "old")
    link = tmp_path / "site"
    link.symlink_to(real)
    site = published_site(link)
    assert site == real
    staging = _site(fresh_staging(site), "new")
    publish(staging, site)
    assert link.is_symlink() and (link / "index.html").read_text("utf-8") == "new"


def test_a_file_in_the_sites_place_is_refused_clearly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.write_text("not a folder", encoding="utf-8")
    staging = _site(fresh_staging(site), "new")
    with pytest.raises(BuildFailed, match="is not a folder"):
        publish(staging, site)


def test_a_trash_folder_emptied_by_a_finishing_deleter_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = _site(tmp_path / "site", "old")
    staging = _site(fresh_staging(site), "new")
    real_rename = os.rename
    raced: list[str] = []

    def rename(source: object, target: object) -> None:
        if trash_path(site) in Path(str(target)).parents and not raced:
            # The last deleter removes the empty trash folder just before the rename.
            raced.append(str(target))
            trash_path(site).rmdir()
        real_rename(source, target)  # type: ignore[arg-type]

    monkeypatch.setattr(publish_module.os, "rename", rename)
    publish(staging, site, "now")
    assert raced
    assert (site / "index.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
