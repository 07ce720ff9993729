"""One exception hierarchy: click prints each error and exits with the code of its kind."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file, at a 1-based line and column."""

    path: str
    line: int
    col: int
    message: str

    def format(self) -> str:
        """Render as `path:line:col: message`, the form editors and CI understand."""
        return f"{self.path}:{self.line}:{self.col}: {self.message}"


class PaperbriefError(click.ClickException):
    """Base of every error paperbrief reports to a user; exit code 1 unless a kind says otherwise."""

    exit_code = 1

    def show(self, file: IO[Any] | None = None) -> None:
        """Print `error: message` on standard error."""
        click.echo(f"error: {self.format_message()}", file=file, err=True)


def show_warnings(warnings: Iterable[Problem], file: IO[Any] | None = None) -> None:
    """Print warnings as path:line:col: warning: message, plus GitHub annotations in Actions."""
    from generator.records.annotations import github_annotation

    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in warnings:
        click.echo(
            f"{problem.path}:{problem.line}:{problem.col}: warning: {problem.message}",
            file=file,
            err=True,
        )
        if annotate:
            click.echo(github_annotation(problem, level="warning"))


class ValidationFailed(PaperbriefError):
    """The data directory holds invalid records; every problem is listed (warnings too)."""

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()) -> None:
        self.problems = sorted(set(problems))
        self.warnings = sorted(set(warnings))
        super().__init__(f"{len(self.problems)} problem(s) in the data")

    def show(self, file: IO[Any] | None = None) -> None:
        """Print every problem as path:line:col: message, plus GitHub annotations in Actions."""
        from generator.records.annotations import github_annotation

        show_warnings(self.warnings, file)
        annotate = os.environ.get("GITHUB_ACTIONS") == "true"
        for problem in self.problems:
            click.echo(problem.format(), file=file, err=True)
            if annotate:
                # workflow commands are read from standard output
                click.echo(github_annotation(problem))
        click.echo(
            f"{len(self.problems)} problem(s) found; fix them and run `paperbrief validate` again.",
            file=file,
            err=True,
        )


class ConfigError(PaperbriefError):
    """A setting, option or environment variable is missing or wrong (a usage error: exit 2)."""

    exit_code = 2


class ImportFailed(PaperbriefError):
    """A report could not be imported; nothing was written."""


class BuildFailed(PaperbriefError):
    """The site could not be generated or built."""


class EnrichmentError(PaperbriefError):
    """An enrichment run could not start or finished with failures."""


class FileSystemFailed(PaperbriefError):
    """A file could not be written or read: the disk is full, read-only, or over a limit."""

    @classmethod
    def from_os_error(cls, exc: OSError) -> FileSystemFailed:
        """Say which file failed, why, and what to do; every write is atomic, so none is half-written."""
        import errno

        name = exc.filename if exc.filename is not None else exc.filename2
        where = f"{name}" if name is not None else "a file"
        kept = "files written before it are complete and nothing was left half-written"
        steps = {
            errno.ENOSPC: f"no space left on the device holding {where}; free some space (or"
            " write elsewhere: --data, --site-dir, -o) and run the command again",
            errno.EROFS: f"{where} is on a read-only file system; run the command where it can"
            " write (a writable checkout, or --data/--site-dir/-o elsewhere)",
            errno.EFBIG: f"{where} is over the file-size limit of this process (ulimit -f); raise"
            " the limit and run the command again",
            errno.EDQUOT: f"the disk quota is used up writing {where}; free some space or ask for"
            " a larger quota, then run the command again",
            errno.EACCES: f"permission denied for {where}; make it writable by you (or write"
            " elsewhere) and run the command again",
            errno.EPERM: f"not permitted to change {where}; make it writable by you (or write"
            " elsewhere) and run the command again",
            errno.ENOENT: f"{where} does not exist (moved or deleted while the command ran?);"
            " check the path and run the command again",
        }
        reason = exc.strerror or str(exc) or type(exc).__name__
        step = steps.get(exc.errno or -1)
        if step is None:
            about = f" for {name}" if name is not None else ""
            step = f"{reason}{about}; fix that and run the command again"
        return cls(f"{step} ({reason}; {kept})")
