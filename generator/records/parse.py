"""Validate parsed YAML against the record models, turning every error into a positioned problem."""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import Problem
from generator.records.datafile import FileRefused, read_data_file
from generator.records.yamlsource import DEFAULT_SIZE_CAP, YamlDocument, YamlProblem, parse_yaml

M = TypeVar("M", bound=BaseModel)


def display_path(path: Path, absolute: str | None = None) -> str:
    """Show a path relative to the working directory when it lies below it.

    `absolute` is os.path.abspath(path), when the caller has it already.
    """
    absolute = os.path.abspath(path) if absolute is None else absolute
    cwd = os.getcwd()
    # Both are normalized absolute paths, so below cwd the relative path is the rest of it
    # (what os.path.relpath returns, at a fraction of its cost: 10,000 records, twice each).
    return absolute[len(cwd) + 1 :] if absolute.startswith(cwd + os.sep) else str(path)


_HINTS = {
    "arxiv": "write the bare arXiv id, e.g. 2510.01234 (not a URL)",
    "doi": "write the bare DOI, e.g. 10.1145/3600006.3613165 (not a URL)",
    "country": "use a two-letter ISO country code such as CN or US",
    "arxiv_category": "write arXiv's primary category, e.g. cs.CL or hep-th",
}


def _describe_error(doc: YamlDocument, err: dict[str, Any], model: type[BaseModel]) -> Problem:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    dotted = ".".join(str(p) for p in loc) or "(file)"
    kind = err["type"]
    if kind == "extra_forbidden":
        name = str(loc[-1])
        allowed = _allowed_fields(model, loc[:-1])
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
        return doc.problem(loc, f"unknown field {name!r}: {hint}", at_key=True)
    if kind == "missing":
        parent = ".".join(str(p) for p in loc[:-1])
        where = f" in {parent}" if parent else ""
        return doc.problem(loc[:-1], f"missing required field {loc[-1]!r}{where}")
    implicit = doc.implicit.get(loc)
    if implicit is not None and kind in {
        "string_type",
        "int_type",
        "list_type",
        "date_type",
        "datetime_type",
    }:
        text, what = implicit
        return doc.problem(
            loc,
            f'{dotted}: {text!r} is read by YAML as {what}, not text; put it in quotes: {dotted.split(".")[-1]}: "{text}"',
        )
    msg = str(err["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
        pattern_hint = _HINTS.get(field_name)
        msg = f"{err['input']!r} has the wrong form" + (
            f"; {pattern_hint}" if pattern_hint else f" ({msg})"
        )
    if kind == "model_type":
        msg = "must be a mapping of field: value"
    return doc.problem(loc, f"{dotted}: {msg}")


def _allowed_fields(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if info is None:
            return []
        current = _model_in(info.annotation)
        if current is None:
            return []
    return sorted(current.model_fields) if hasattr(current, "model_fields") else []


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def parse_model(doc: YamlDocument, model: type[M]) -> tuple[M | None, list[Problem]]:
    """Validate a parsed document against a model, turning errors into positioned problems."""
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else f"a {type(doc.data).__name__}"
        return None, [doc.problem((), f"the file is {what}; it must be a mapping of field: value")]
    surprises = [
        doc.problem(loc, f"{'.'.join(map(str, loc))}: {text}")
        for loc, text in doc.surprises.items()
    ]
    try:
        value = model.model_validate(doc.data)
    except ValidationError as exc:
        flagged = set(doc.surprises)
        errors = [e for e in exc.errors() if tuple(e["loc"]) not in flagged]
        return None, surprises + [_describe_error(doc, dict(e), model) for e in errors]
    return (None, surprises) if surprises else (value, [])


def read_model(
    path: Path, model: type[M], *, size_cap: int = DEFAULT_SIZE_CAP
) -> tuple[M | None, YamlDocument | None, list[Problem]]:
    """Read and validate one YAML file."""
    shown = display_path(path)
    raw, found = read_raw(path, shown, size_cap)
    if raw is None:
        return None, None, found
    return model_from_bytes(raw, path, shown, model)


def read_raw(path: Path, shown: str, size_cap: int) -> tuple[bytes | None, list[Problem]]:
    """Return a data file's bytes, or the problem that kept it from being read."""
    try:
        return read_data_file(path, size_cap), []
    except FileRefused as exc:
        return None, [Problem(shown, 1, 1, exc.message)]
    except OSError as exc:
        return None, [Problem(shown, 1, 1, f"cannot read the file: {exc.strerror}")]


def model_from_bytes(
    raw: bytes, path: Path, shown: str, model: type[M]
) -> tuple[M | None, YamlDocument | None, list[Problem]]:
    """Parse and validate the bytes of one YAML file."""
    try:
        doc = parse_yaml(raw, path=path, display=shown)
    except YamlProblem as exc:
        return None, None, [Problem(shown, exc.line, exc.col, exc.message)]
    except RecursionError:
        # the reader limits nesting; this keeps one odd file from hiding the others' problems
        return None, None, [Problem(shown, 1, 1, "nested too deeply to read; flatten it")]
    try:
        value, problems = parse_model(doc, model)
    except RecursionError:
        return None, doc, [Problem(shown, 1, 1, "nested too deeply to check; flatten it")]
    return value, doc, problems
