"""GitHub Actions workflow commands, encoded so no value can forge or split one."""

from __future__ import annotations

from generator.errors import Problem


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(problem: Problem, level: str = "error") -> str:
    """Render a problem as a `::error file=…,line=…,col=…::message` line."""
    props = ",".join(
        [
            f"file={_escape_property(problem.path)}",
            f"line={problem.line}",
            f"col={problem.col}",
            f"title={_escape_property('paperbrief validate')}",
        ]
    )
    return f"::{level} {props}::{_escape_data(problem.message)}"
