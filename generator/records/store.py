"""Write records back to the data directory: atomic, stable key order, schema comment."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from generator.records.datafile import FileRefused, read_data_file
from generator.records.models import (
    BriefEnrichment,
    EnrichmentRecord,
    MetadataEnrichment,
    ScholarEnrichment,
)
from generator.records.yamlsource import DEFAULT_SIZE_CAP

SCHEMA_DIR = "../schemas"  # relative to data/papers/, data/reports/ and data/enrichment/


def atomic_write(
    path: Path, data: str | bytes, *, durable: bool = True, create_only: bool = False
) -> None:
    """Write a file so a reader (or a crash) never sees it half-written.

    `durable` syncs the data to disk before the rename; generated pages skip it, since they are
    rebuilt from data/ anyway and one sync per page would dominate writing thousands of them.
    `create_only` refuses to replace an existing file (FileExistsError), even one created meanwhile.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _naming(exc, path) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        if create_only:
            # link() fails if the target exists, so a file created meanwhile is never replaced
            os.link(tmp, path)
            os.unlink(tmp)
        else:
            os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _naming(exc, path) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _naming(exc: OSError, path: Path) -> OSError:
    """Return the error naming the file being written, not its temporary (or no) name."""
    if exc.errno is None or exc.filename == str(path):
        return exc
    # OSError(errno, ...) is the errno's own subclass again (FileExistsError, PermissionError)
    return OSError(exc.errno, exc.strerror, str(path))


class _Dumper(yaml.SafeDumper):
    """Block-style YAML that quotes strings YAML 1.1 would misread."""

    def ignore_aliases(self, data: Any) -> bool:
        """Write a value used twice (one date object) twice, never as an &anchor/*alias."""
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _plain(value: Any) -> Any:
    """Turn model dumps into YAML-friendly values (dates as ISO text)."""
    if isinstance(value, dict):
        items = ((k, _plain(v)) for k, v in value.items())
        return {k: v for k, v in items if v is not None and v != [] and v != {}}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime):
        return value.replace(microsecond=0)
    return value


def dump_model(model: BaseModel, *, schema: str | None = None) -> str:
    """Serialize a model as YAML, fields in declaration order, unknowns omitted."""
    data = _plain(model.model_dump(mode="python"))
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if schema:
        text = f"# yaml-language-server: $schema={SCHEMA_DIR}/{schema}.schema.json\n" + text
    return text


def enrichment_path(data_dir: Path, paper_id: str) -> Path:
    """Return where a paper's enrichment lives."""
    return data_dir / "enrichment" / f"{paper_id}.yaml"


def read_enrichment(data_dir: Path, paper_id: str) -> EnrichmentRecord:
    """Read a paper's enrichment; a missing or unreadable file counts as empty."""
    path = enrichment_path(data_dir, paper_id)
    try:
        raw = yaml.safe_load(read_data_file(path, DEFAULT_SIZE_CAP).decode("utf-8"))
        return EnrichmentRecord.model_validate(raw or {}, strict=False)
    except (OSError, yaml.YAMLError, ValueError, FileRefused, RecursionError):
        # ValueError covers undecodable bytes and a record the model refuses
        return EnrichmentRecord()


def save_enrichment(
    data_dir: Path,
    paper_id: str,
    *,
    brief: BriefEnrichment | None = None,
    scholar: ScholarEnrichment | None = None,
    metadata: MetadataEnrichment | None = None,
) -> EnrichmentRecord:
    """Update the given sections of a paper's enrichment file, keeping the others."""
    current = read_enrichment(data_dir, paper_id)
    sections = (("brief", brief), ("scholar", scholar), ("metadata", metadata))
    updated = current.model_copy(update={k: v for k, v in sections if v is not None})
    atomic_write(enrichment_path(data_dir, paper_id), dump_model(updated, schema="enrichment"))
    return updated
