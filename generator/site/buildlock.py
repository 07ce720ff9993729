"""One build at a time per folder: an advisory lock file beside each folder a build writes.

Two builds writing the same docs/ or site/ at once removed each other's files (a stale page
deleted while the other wrote it, a Pagefind filter file gone). `build_lock` takes an exclusive
`flock` on `.<folder>.lock` beside each folder; a second build waits for the first, or gives up
after a timeout with a message naming the process that holds the lock. The lock files stay in
place: deleting one while another process waits on it would let a third lock a new file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from generator.errors import BuildFailed

# How often a build with a timeout asks again for a lock another build holds.
POLL_S = 0.05


def lock_path(folder: Path) -> Path:
    """Return the lock file of a folder: a hidden file beside it."""
    return folder.parent / f".{folder.name}.lock"


def _holder(handle: IO[str]) -> str:
    """Return what the lock file says about its holder ("pid N"), or "pid unknown"."""
    handle.seek(0)
    text = handle.read(64).strip()
    return f"pid {text}" if text.isdigit() else "pid unknown"


def _acquire(folder: Path, timeout: float | None, echo: Callable[[str], None]) -> IO[str]:
    """Lock one folder's lock file; wait (reporting once) or fail after `timeout` seconds."""
    path = lock_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            if timeout is not None and timeout <= 0:
                raise _busy(folder, holder, timeout) from None
            echo(f"waiting for another build ({holder}) writing {folder}…")
            if timeout is None:
                fcntl.flock(handle, fcntl.LOCK_EX)
            else:
                deadline = time.monotonic() + timeout
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            raise _busy(folder, _holder(handle), timeout) from None
                        time.sleep(POLL_S)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        return handle
    except BaseException:
        handle.close()
        raise


def _busy(folder: Path, holder: str, timeout: float) -> BuildFailed:
    return BuildFailed(
        f"another build ({holder}) is writing {folder}; gave up after {timeout:g} s. "
        "Wait for it to finish and build again (or leave out --lock-timeout to wait)"
    )


@contextlib.contextmanager
def build_lock(
    folders: Sequence[Path],
    *,
    timeout: float | None = None,
    echo: Callable[[str], None] = print,
) -> Iterator[None]:
    """Hold the lock of every folder (waiting for another build, or failing after `timeout`)."""
    # One order for every process, so two builds never hold one lock each and wait for the other.
    unique = sorted({Path(os.path.abspath(f)) for f in folders}, key=str)
    deadline = None if timeout is None else time.monotonic() + timeout
    held: list[IO[str]] = []
    try:
        for folder in unique:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            held.append(_acquire(folder, left, echo))
        yield
    finally:
        for handle in reversed(held):
            # Closing the file releases the lock; the pid stays as a hint for nobody.
            handle.close()
