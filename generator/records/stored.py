"""The paper files a data directory holds, read leniently so authoring never adds a paper twice.

`load` refuses invalid records; the authoring commands (add, ingest, new-report) must still see
that a half-written or invalid record holds a paper, so they read only what identifies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.records.datafile import FileRefused, read_data_file
from generator.records.keys import PaperKey, paper_keys
from generator.records.yamlsource import DEFAULT_SIZE_CAP


@dataclass(frozen=True)
class StoredPaper:
    """What one paper file says about its paper, as far as it can be read."""

    id: str
    path: Path
    readable: bool
    keys: tuple[PaperKey, ...] = ()
    review: tuple[str, ...] = ()


def read_stored_paper(path: Path) -> StoredPaper:
    """Read a paper file's identity keys and review entries; a bad file is unreadable, not fatal."""
    paper_id = path.name.removesuffix(".yaml")
    try:
        raw = yaml.safe_load(read_data_file(path, DEFAULT_SIZE_CAP).decode("utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError, FileRefused, RecursionError):
        # RecursionError: PyYAML recurses once per level of a deeply nested file
        return StoredPaper(paper_id, path, readable=False)
    if not isinstance(raw, dict):
        return StoredPaper(paper_id, path, readable=True)
    links = raw.get("links")
    links = links if isinstance(links, dict) else {}
    review = raw.get("review")
    return StoredPaper(
        paper_id,
        path,
        readable=True,
        keys=paper_keys(
            title=_text(raw.get("title")),
            arxiv=_text(links.get("arxiv")),
            doi=_text(links.get("doi")),
        ),
        review=tuple(str(entry) for entry in review) if isinstance(review, list) else (),
    )


def read_stored_papers(data_dir: Path) -> list[StoredPaper]:
    """Read every DATA/papers/*.yaml file, valid or not, in file-name order."""
    folder = data_dir / "papers"
    return (
        [read_stored_paper(path) for path in sorted(folder.glob("*.yaml"))]
        if folder.is_dir()
        else []
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
