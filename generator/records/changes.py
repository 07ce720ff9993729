"""Which record files the change under review touches, as git tells it (when it can)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ConfigError

# git answers in milliseconds; a hung git (a lock, a network file system) must not hang validate.
_GIT_TIMEOUT = 30.0


@dataclass
class ChangedRecords:
    """The record files a change touches: uncommitted ones, or those changed since a revision.

    `since` (a git revision, e.g. the base of a pull request) makes the set exact and limits the
    publishing rules of `validate --strict` to those files. Without it the set is what
    `git status` lists, and every record is held to the rules. Outside a git checkout the set is
    empty: nothing is "new", and duplicates fall back on the later file name.
    """

    data_dir: Path
    since: str | None = None
    _paths: set[Path] | None = field(default=None, repr=False)

    @classmethod
    def from_git(cls, data_dir: Path, since: str | None = None) -> ChangedRecords:
        """Return the changes of a data directory; git is asked only when needed."""
        changes = cls(Path(data_dir), since)
        if since is not None:
            changes.paths()  # a wrong revision is a usage error, reported before anything else
        return changes

    def paths(self) -> set[Path]:
        """Return the absolute paths of the touched files under the data directory."""
        if self._paths is None:
            self._paths = _ask_git(self.data_dir, self.since)
        return self._paths

    def touches(self, path: Path) -> bool:
        """Tell whether the change touches this file."""
        return Path(os.path.abspath(path)) in self.paths()

    def holds(self, path: Path) -> bool:
        """Tell whether the publishing rules apply to this file (all files unless `since`)."""
        return self.since is None or self.touches(path)


def _git(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=_GIT_TIMEOUT,
        check=False,
    )


def _ask_git(data_dir: Path, since: str | None) -> set[Path]:
    try:
        top = _git(data_dir, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            if since is not None:
                raise ConfigError(
                    f"--changed-since {since}: {data_dir} is not in a git checkout; leave the"
                    " option out to check every record"
                )
            return set()
        root = Path(top.stdout.strip())
        if since is None:
            done = _git(
                data_dir, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "."
            )
            names = _status_paths(done.stdout)
        else:
            done = _git(data_dir, "diff", "--name-only", "-z", since, "--", ".")
            if done.returncode != 0:
                raise ConfigError(
                    f"--changed-since {since}: git cannot compare with it"
                    f" ({done.stderr.strip() or 'unknown revision'}); fetch it first (in Actions,"
                    " check out with fetch-depth: 2 and pass HEAD^1)"
                )
            names = [name for name in done.stdout.split("\0") if name]
            # a new file not yet added to git is part of the change too
            new = _git(data_dir, "ls-files", "--others", "--exclude-standard", "--full-name", "-z")
            names += [name for name in new.stdout.split("\0") if name]
    except (OSError, subprocess.TimeoutExpired):
        if since is not None:
            raise ConfigError(f"--changed-since {since}: git did not answer") from None
        return set()
    return {Path(os.path.abspath(root / name)) for name in names}


def _status_paths(porcelain: str) -> list[str]:
    """Return the paths of `git status --porcelain=v1 -z` (entries "XY path"; renames add the old path)."""
    names: list[str] = []
    entries = iter(porcelain.split("\0"))
    for entry in entries:
        if len(entry) < 4:
            continue
        names.append(entry[3:])
        if "R" in entry[:2] or "C" in entry[:2]:
            next(entries, None)  # the path it was renamed or copied from
    return names
