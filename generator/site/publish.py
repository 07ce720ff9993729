"""Build into a sibling folder and swap it in for site/, so a reader never sees a half site.

MkDocs empties its site directory before writing: a build killed half-way left a published
`site/` with nothing or with half the pages. The build writes into `.<site>.new` beside it
instead, and only a finished build is swapped in, in one step (`renameat2(RENAME_EXCHANGE)` on
Linux; elsewhere two renames, with a moment in between where `site/` is missing). A reader
being served `site/` sees the old site or the new one.

The replaced site is not deleted on the build's way out: at 10,000 papers that is 16,000
entries to unlink (most of its files live on as hard links in the new site) and cost about an
eighth of a one-change rebuild. It is renamed into `.<site>.trash/` and deleted there by a
detached process (`paperbrief build`, which then exits) or a thread (`paperbrief serve`, which
keeps running). The deleter holds an exclusive `flock` on the folder it deletes from before it
starts until it ends, so the next build can tell a tree still being deleted from one a killed
deleter (or a killed build) left: it deletes the latter the same way. What a killed build
leaves beside the site (its staging folder, a site parked between two renames, a search bundle
being made, `.<site>.search`) goes there too. Nothing under `.<site>.trash/` is ever read.

A preview (`paperbrief serve`) publishes a build's pages before Pagefind has indexed them, with
the last build's search bundle; the new bundle is made in `.<site>.search/` and then swapped in
for `site/pagefind/` the same way (`swap_folder`).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Literal

from generator.errors import BuildFailed

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# errno values meaning "this system or file system cannot exchange": fall back to two renames.
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}

# How a replaced tree is deleted: by a detached process (the build's process is about to end),
# by a daemon thread (a long-running preview), or before returning.
Removal = Literal["process", "thread", "now"]

# The detached deleter: it inherits the locked folder's descriptor (argv[2]), so the lock is
# held from before it starts; it needs nothing but the standard library (-I -S: no site).
_DELETER = """\
import os, shutil, sys
path = sys.argv[1]
shutil.rmtree(path, ignore_errors=True)
try:
    os.rmdir(os.path.dirname(path))
except OSError:
    pass
"""


def staging_path(site: Path) -> Path:
    """Return the folder a build writes before it becomes `site`."""
    return site.parent / f".{site.name}.new"


def _parked_path(site: Path) -> Path:
    """Return where the old site waits during a swap done with two renames."""
    return site.parent / f".{site.name}.old"


def trash_path(site: Path) -> Path:
    """Return the folder where replaced sites and leftovers wait to be deleted."""
    return site.parent / f".{site.name}.trash"


def search_side_path(site: Path) -> Path:
    """Return the folder where a preview's search bundle is made after its pages are published."""
    return site.parent / f".{site.name}.search"


def published_site(site_dir: Path) -> Path:
    """Return the real folder behind `site_dir` (a symlink's target), where the swap happens."""
    site = Path(os.path.abspath(site_dir))
    return site.resolve() if site.is_symlink() else site


def remove_tree(path: Path) -> None:
    """Delete a folder a build no longer needs, now."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _lock(path: Path) -> int | None:
    """Open a folder and lock it for its deleter; None when another deleter holds it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _delete_locked(path: Path, fd: int) -> None:
    """Delete a locked folder (and the trash folder once it is empty); then release it."""
    try:
        shutil.rmtree(path, ignore_errors=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()
    finally:
        os.close(fd)


def _remove_in_background(path: Path, fd: int, removal: Removal) -> None:
    """Delete a locked folder off the build's path, in the way `removal` says."""
    if removal == "thread":
        threading.Thread(
            target=_delete_locked, args=(path, fd), name="paperbrief-remove", daemon=True
        ).start()
        return
    if removal == "process":
        try:
            subprocess.Popen(
                [sys.executable, "-I", "-S", "-c", _DELETER, str(path), str(fd)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(fd,),
                start_new_session=True,  # a Ctrl-C in the terminal does not stop it
            )
        except OSError:
            pass  # no process to be had: delete it here
        else:
            os.close(fd)  # the deleter holds the lock now
            return
    _delete_locked(path, fd)


def discard(tree: Path, site: Path, removal: Removal = "process") -> None:
    """Move a folder into the site's trash and delete it there, off the build's path."""
    trash = trash_path(site)
    target = trash / secrets.token_hex(8)
    for attempt in range(3):
        trash.mkdir(exist_ok=True)
        try:
            os.rename(tree, target)
            break
        except FileNotFoundError:
            # A deleter finishing meanwhile removes the trash folder once it is empty.
            if attempt == 2 or not tree.exists():
                raise
    fd = _lock(target)
    if fd is not None:
        _remove_in_background(target, fd, removal)


def sweep_trash(site: Path, removal: Removal = "process") -> int:
    """Delete what no deleter is working on in the site's trash (a killed one left it).

    Returns how many trees were handed to a deleter.
    """
    trash = trash_path(site)
    try:
        entries = list(os.scandir(trash))
    except OSError:
        return 0
    found = 0
    for entry in entries:
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            fd = _lock(path)
            if fd is not None:
                _remove_in_background(path, fd, removal)
                found += 1
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    return found


def fresh_staging(site: Path, removal: Removal = "process") -> Path:
    """Return an empty staging folder beside `site`, after clearing what a killed build left."""
    parked = _parked_path(site)
    if parked.is_dir() and not site.exists():
        # A build was killed between the two renames of a swap: the old site comes back.
        os.rename(parked, site)
    staging = staging_path(site)
    try:
        sweep_trash(site, removal)
        for leftover in (parked, staging, search_side_path(site)):
            if leftover.is_symlink() or leftover.is_file():
                leftover.unlink()
            elif leftover.exists():
                discard(leftover, site, removal)
        staging.mkdir(parents=True)
    except OSError as exc:
        raise BuildFailed(
            f"cannot prepare {staging} beside {site}: {exc.strerror or exc}; "
            "check the permissions of that folder"
        ) from exc
    return staging


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step; return False where the system cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if done == 0:
        return True
    code = ctypes.get_errno()
    if code in _NO_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_folder(new: Path, target: Path) -> None:
    """Put folder `new` in place of `target` in one step where the system can.

    The replaced folder is left at `new`'s place (elsewhere beside it, `new`.old); a missing
    `target` is simply created by the rename.
    """
    if not target.exists():
        os.rename(new, target)
    elif not _exchange(new, target):
        os.rename(target, new.with_name(new.name + ".old"))
        os.rename(new, target)


def publish(staging: Path, site: Path, removal: Removal = "process") -> None:
    """Put the finished staging folder in place of `site` in one step; discard the old site.

    The old site is renamed into the trash and deleted there in the background (`removal`).
    """
    try:
        if not site.exists():
            os.rename(staging, site)
            return
        if not site.is_dir():
            raise BuildFailed(f"{site} is not a folder; move it away and build again")
        if _exchange(staging, site):
            old = staging
        else:
            old = _parked_path(site)
            os.rename(site, old)
            os.rename(staging, site)
    except OSError as exc:
        raise BuildFailed(
            f"cannot put the new site in place of {site}: {exc.strerror or exc}; "
            f"the finished build is in {staging}"
        ) from exc
    # The new site is published; a failure to delete the old one only costs disk space (the
    # next build deletes it).
    with contextlib.suppress(OSError):
        discard(old, site, removal)
