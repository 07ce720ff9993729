"""Read one data file with a hard size limit: a regular file, never a symlink, FIFO or device.

A size check before reading is not enough: /dev/zero and a FIFO report 0 bytes, then never end
(or never start). So the file is opened without following a symlink and without blocking, its
type is checked on the open descriptor, and at most `cap + 1` bytes are read.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

_CHUNK = 64 * 1024
_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)  # a symlink fails with ELOOP instead of being followed
    | getattr(os, "O_NONBLOCK", 0)  # opening a FIFO with no writer returns at once
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class FileRefused(Exception):
    """A data file that is not read: a symlink, not a regular file, or over the size cap."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _too_big(size: int | str, cap: int) -> FileRefused:
    return FileRefused(
        f"file is {size} bytes, over the {cap:,}-byte cap; shorten it"
        " (abstracts and notes are prose, not full text)"
    )


def read_data_file(path: Path, cap: int, *, follow_symlink: bool = False) -> bytes:
    """Return the bytes of a regular file of at most `cap` bytes; raise FileRefused otherwise.

    A symlink is refused unless `follow_symlink` (a file named on the command line, say).
    OSError (missing file, no permission) passes through for the caller to report.
    """
    if not follow_symlink and os.path.islink(path):
        raise FileRefused("is a symlink; data files must be regular files (copy the file here)")
    flags = _FLAGS & ~getattr(os, "O_NOFOLLOW", 0) if follow_symlink else _FLAGS
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # replaced by a symlink after the check above
            raise FileRefused(
                "is a symlink; data files must be regular files (copy the file here)"
            ) from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            raise FileRefused(f"is {kind}, not a regular file; replace it with a YAML file")
        if info.st_size > cap:
            raise _too_big(f"{info.st_size:,}", cap)
        chunks: list[bytes] = []
        total = 0
        while total <= cap:
            chunk = os.read(fd, min(_CHUNK, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:
            # the file grew while it was read
            raise _too_big(f"over {cap:,}", cap)
        return b"".join(chunks)
    finally:
        os.close(fd)
