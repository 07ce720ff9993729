"""Errors reach the user through click: one message, printed once, and the exit code of its kind."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.errors import (
    BuildFailed,
    ConfigError,
    EnrichmentError,
    ImportFailed,
    PaperbriefError,
    Problem,
    ValidationFailed,
)


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (ValidationFailed([Problem("a.yaml", 1, 1, "x")]), 1),
        (ConfigError("x"), 2),
        (ImportFailed("x"), 1),
        (BuildFailed("x"), 1),
        (EnrichmentError("x"), 1),
    ],
)
def test_every_error_is_a_click_exception_with_its_exit_code(
    error: PaperbriefError, code: int
) -> None:
    assert isinstance(error, click.ClickException) and error.exit_code == code


def test_a_usage_error_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["enrich", "--data", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == "error: say what to enrich: --metadata, --scholar and/or --briefs\n"
    assert result.stdout == ""


def test_validation_failure_lists_problems_on_stderr_and_annotations_on_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "nowhere"
    result = CliRunner().invoke(main, ["validate", "--data", str(missing)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{missing}:1:1: data directory not found; pass --data DIR",
        "1 problem(s) found; fix them and run `paperbrief validate` again.",
    ]
    assert result.stdout == ""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    in_actions = CliRunner().invoke(main, ["validate", "--data", str(missing)])
    assert in_actions.stdout.startswith("::error file=")
    assert in_actions.stderr == result.stderr
