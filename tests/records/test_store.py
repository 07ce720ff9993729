"""The one atomic file writer: replace or create-only, never a half-written file or a stray temp."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.records.store import atomic_write


@pytest.mark.parametrize("durable", [True, False])
def test_replaces_a_file_and_leaves_no_temporary_file(tmp_path: Path, durable: bool) -> None:
    target = tmp_path / "deep" / "page.md"
    atomic_write(target, "first", durable=durable)
    atomic_write(target, b"second", durable=durable)
    assert target.read_text(encoding="utf-8") == "second"
    assert target.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["page.md"]


def test_create_only_never_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "paper.yaml"
    atomic_write(target, "new", create_only=True)
    assert target.read_text(encoding="utf-8") == "new"
    with pytest.raises(FileExistsError):
        atomic_write(target, "other", create_only=True)
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["paper.yaml"]
