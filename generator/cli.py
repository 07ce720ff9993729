"""The `paperbrief` command: parse options, call one function, map errors to exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PaperbriefError, ValidationFailed

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("data"),
    show_default=True,
    help="Data directory holding papers/, reports/, institutions.yaml and techniques.yaml.",
)


def _fail(exc: PaperbriefError) -> None:
    """Print an error the user can act on and exit with its code."""
    if isinstance(exc, ValidationFailed):
        _print_problems(exc)
    else:
        click.echo(f"error: {exc}", err=True)
    sys.exit(exc.exit_code)


def _print_problems(exc: ValidationFailed) -> None:
    from .annotations import github_annotation

    annotate = os.environ.get("GITHUB_ACTIONS") == "true"
    for problem in exc.problems:
        click.echo(problem.format(), err=True)
        if annotate:
            click.echo(github_annotation(problem))
    click.echo(f"{len(exc.problems)} problem(s) found; fix them and run `paperbrief validate` again.", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="paperbrief")
def main() -> None:
    """Build a research-paper report site from validated YAML records."""


@main.command()
@DATA_OPTION
def validate(data_dir: Path) -> None:
    """Check every record and report every problem as path:line:col: message."""
    from .load import load_collection

    try:
        collection = load_collection(data_dir)
    except PaperbriefError as exc:
        _fail(exc)
        return
    click.echo(
        f"ok: {len(collection.papers)} papers, {len(collection.reports)} reports, "
        f"{len(collection.institutions.by_id)} institutions, {len(collection.techniques)} techniques"
    )


@main.command()
@DATA_OPTION
@click.option("--check", is_flag=True, help="Exit 1 if the committed schemas are out of date.")
def schema(data_dir: Path, check: bool) -> None:
    """Write JSON Schemas for the record files into DATA/schemas/ (editors use them)."""
    from .schema import render_schemas, write_schemas

    if check:
        stale = [
            name
            for name, text in render_schemas().items()
            if not (data_dir / "schemas" / name).is_file()
            or (data_dir / "schemas" / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            click.echo(f"out of date: {', '.join(stale)}; run `paperbrief schema`", err=True)
            sys.exit(1)
        click.echo("schemas are up to date")
        return
    for path in write_schemas(data_dir):
        click.echo(f"wrote {path}")
