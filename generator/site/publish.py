"""Build into a sibling folder and swap it in for site/, so a reader never sees a half site.

MkDocs empties its site directory before writing: a build killed half-way left a published
`site/` with nothing or with half the pages. The build writes into `.<site>.new` beside it
instead, and only a finished build is swapped in, in one step (`renameat2(RENAME_EXCHANGE)` on
Linux; elsewhere two renames, with a moment in between where `site/` is missing). A reader
being served `site/` sees the old site or the new one. What a killed build leaves beside it is
removed by the next build.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
from pathlib import Path

from generator.errors import BuildFailed

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
# errno values meaning "this system or file system cannot exchange": fall back to two renames.
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP}


def staging_path(site: Path) -> Path:
    """Return the folder a build writes before it becomes `site`."""
    return site.parent / f".{site.name}.new"


def _parked_path(site: Path) -> Path:
    """Return where the old site waits during a swap done with two renames."""
    return site.parent / f".{site.name}.old"


def published_site(site_dir: Path) -> Path:
    """Return the real folder behind `site_dir` (a symlink's target), where the swap happens."""
    site = Path(os.path.abspath(site_dir))
    return site.resolve() if site.is_symlink() else site


def remove_tree(path: Path) -> None:
    """Delete a folder a build no longer needs (a leftover staging folder, an old site)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def fresh_staging(site: Path) -> Path:
    """Return an empty staging folder beside `site`, after removing what a killed build left."""
    parked = _parked_path(site)
    if parked.is_dir() and not site.exists():
        # A build was killed between the two renames of a swap: the old site comes back.
        os.rename(parked, site)
    staging = staging_path(site)
    try:
        remove_tree(parked)
        remove_tree(staging)
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


def publish(staging: Path, site: Path) -> None:
    """Put the finished staging folder in place of `site` in one step; delete the old site."""
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
    # next build removes it).
    with contextlib.suppress(OSError):
        remove_tree(old)
