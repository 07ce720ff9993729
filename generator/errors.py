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


class ValidationFailed(PaperbriefError):
    """The data directory holds invalid records; every problem is listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the data")

    def show(self, file: IO[Any] | None = None) -> None:
        """Print every problem as path:line:col: message, plus GitHub annotations in Actions."""
        from generator.records.annotations import github_annotation

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
