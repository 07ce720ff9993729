"""Rebuilds rewrite only what changed: nothing for unchanged data, the pages showing a record."""

from __future__ import annotations

import shutil
from pathlib import Path

from searchsite import FIXTURE_DATA

from generator.site.generate import generate_docs
from generator.site.render import RenderSettings


def _texts(docs: Path) -> dict[str, str]:
    return {
        p.relative_to(docs).as_posix(): p.read_text("utf-8") for p in docs.rglob("*") if p.is_file()
    }


def test_unchanged_data_rewrites_no_generated_file(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    _, first, _, _ = generate_docs(FIXTURE_DATA, docs, RenderSettings())
    assert first.written
    stamps = {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()}
    _, again, _, _ = generate_docs(FIXTURE_DATA, docs, RenderSettings())
    assert again.written == [] and again.removed == []
    assert {p: p.stat().st_mtime_ns for p in docs.rglob("*") if p.is_file()} == stamps


def test_a_changed_title_rewrites_exactly_the_pages_that_show_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    docs = tmp_path / "docs"
    generate_docs(data, docs, RenderSettings())
    before = _texts(docs)

    record = data / "papers" / "kv-evict.yaml"
    old_title, new_title = "Learned KV Cache Eviction", "Learned KV Cache Eviction Revisited"
    record.write_text(record.read_text("utf-8").replace(old_title, new_title), "utf-8")
    _, result, _, _ = generate_docs(data, docs, RenderSettings())
    after = _texts(docs)

    showing = {path for path, text in after.items() if new_title in text}
    assert "papers/kv-evict.md" in showing
    assert set(result.written) == showing
    # Pages that never showed the paper are left alone, byte for byte and untouched on disk.
    untouched = {path for path, text in before.items() if old_title not in text}
    assert untouched and not untouched & set(result.written)
    assert all(before[p] == after[p] for p in untouched)
