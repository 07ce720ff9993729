"""One exception hierarchy; the CLI maps it to exit codes at the edge."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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


class PaperbriefError(Exception):
    """Base of every error paperbrief reports to a user."""

    exit_code = 1


class ValidationFailed(PaperbriefError):
    """The data directory holds invalid records; every problem is listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(set(problems))
        super().__init__(f"{len(self.problems)} problem(s) in the data")


class ConfigError(PaperbriefError):
    """A setting, option or environment variable is missing or wrong."""

    exit_code = 2


class ImportFailed(PaperbriefError):
    """A report could not be imported; nothing was written."""


class BuildFailed(PaperbriefError):
    """The site could not be generated or built."""


class EnrichmentError(PaperbriefError):
    """An enrichment run could not start or finished with failures."""
