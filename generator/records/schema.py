"""Generate JSON Schemas for the record files from the pydantic models."""

from __future__ import annotations

import json
from pathlib import Path

from generator.records.models import SCHEMA_MODELS
from generator.records.store import atomic_write


def render_schemas() -> dict[str, str]:
    """Return file name -> JSON Schema text for every record kind."""
    result: dict[str, str] = {}
    for name, model in SCHEMA_MODELS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"{name}.schema.json"
        result[f"{name}.schema.json"] = (
            json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        )
    return result


def stale_schemas(data_dir: Path) -> list[str]:
    """Return the names of the schemas in data/schemas/ that are missing or out of date."""
    return [
        name
        for name, text in render_schemas().items()
        if not _is_current(data_dir / "schemas" / name, text)
    ]


def write_schemas(data_dir: Path) -> list[Path]:
    """Write the schemas into data/schemas/, returning the files that changed."""
    changed: list[Path] = []
    for name, text in render_schemas().items():
        path = data_dir / "schemas" / name
        if not _is_current(path, text):
            atomic_write(path, text)
            changed.append(path)
    return changed


def _is_current(path: Path, text: str) -> bool:
    return path.is_file() and path.read_text(encoding="utf-8") == text
