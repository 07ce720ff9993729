"""What the loader tests share: a minimal paper record written to a data directory, problems as text."""

from __future__ import annotations

from pathlib import Path

from generator.records.load import load_collection

PAPER = "title: {title}\ninstitutions: [HKU]\ntechniques: [quantization]\nadded: {added}\n"


def write_paper(
    data: Path, paper_id: str, title: str = "", added: str = "2025-10-15", extra: str = ""
) -> Path:
    """Write data/papers/<paper_id>.yaml: a valid record, plus `extra` YAML lines."""
    path = data / "papers" / f"{paper_id}.yaml"
    path.write_text(
        PAPER.format(title=title or f"Paper {paper_id} on quantized inference", added=added)
        + extra,
        encoding="utf-8",
    )
    return path


def formatted_problems(data: Path) -> list[str]:
    """Return every problem as 'file:line:col: message', file relative to the data directory."""
    return [
        p.format().replace(str(data) + "/", "")
        for p in load_collection(data, strict=False).problems
    ]
