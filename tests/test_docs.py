"""The README's commands stay true and every command documents itself."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines[:6] if line.startswith("    ")]


def test_readme_starts_with_build_and_test_commands() -> None:
    build, test = _readme_commands()[:2]
    assert "pip install ." in build and build.endswith("paperbrief build")
    assert "pytest" in test


def test_ci_runs_the_readme_test_command() -> None:
    test = _readme_commands()[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in [line.strip() for line in ci]


def _commands() -> list[str]:
    return sorted(main.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help(name: str) -> None:
    command = main.commands[name]
    assert command.help and len(command.help.strip()) > 10
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help text"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_readme_lists_core_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in ("validate", "import-report", "export-report"):
        assert f"paperbrief {name}" in readme
