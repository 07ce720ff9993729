"""Preview regeneration: YAML changes regenerate pages; invalid data keeps the last good pages."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from sitebuild import FIXTURE_DATA

from generator.errors import PaperbriefError
from generator.site.render import RenderSettings
from generator.site.serve import Regenerator


def _regenerator(
    tmp_path: Path, errors: list[PaperbriefError], said: list[str] | None = None
) -> tuple[Regenerator, Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    docs = tmp_path / "docs"
    echo = (lambda _line: None) if said is None else said.append
    regen = Regenerator(data, docs, RenderSettings(), echo=echo, on_error=errors.append)
    return regen, data, docs


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_changed_record_regenerates_its_pages(tmp_path: Path) -> None:
    errors: list[PaperbriefError] = []
    said: list[str] = []
    regen, data, docs = _regenerator(tmp_path, errors, said)
    assert regen.run()
    record = data / "papers" / "kv-evict.yaml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("Learned KV", "Learned-again KV"),
        encoding="utf-8",
    )
    regen.schedule(str(record))
    pending = regen._timer
    regen.schedule(str(data / "notes.txt"))  # not YAML: ignored, the pending run stays
    assert pending is not None and regen._timer is pending
    _wait_until(lambda: len(said) == 2, "the scheduled regeneration")
    assert said[1].startswith("regenerated: ") and not said[1].startswith("regenerated: 0 ")
    assert "Learned-again KV" in (docs / "papers" / "kv-evict.md").read_text(encoding="utf-8")
    assert errors == []


def test_invalid_data_is_reported_and_old_pages_stay(tmp_path: Path) -> None:
    errors: list[PaperbriefError] = []
    regen, data, docs = _regenerator(tmp_path, errors)
    assert regen.run()
    (data / "papers" / "broken.yaml").write_text("title: [\n", encoding="utf-8")
    assert not regen.run()
    assert len(errors) == 1 and "broken.yaml" in str(getattr(errors[0], "problems", errors[0]))
    assert (docs / "papers" / "kv-evict.md").is_file()


def test_the_preview_hook_indexes_each_preview_build(tmp_path: Path) -> None:
    # `mkdocs serve` runs generator/site/serve_hooks.py after each build (serve_site passes it as
    # a hooks: entry): a real MkDocs build of the fixture with that hook gets a Pagefind bundle.
    import json

    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from sitebuild import CONFIG, ROOT

    from generator.site.build import generate_docs, settings_from_config
    from generator.site.serve import SERVE_HOOKS
    from generator.site.write import copy_handwritten_docs

    docs = copy_handwritten_docs(ROOT / "docs", tmp_path / "docs")
    config = load_config(
        str(CONFIG), docs_dir=str(docs), site_dir=str(tmp_path / "site"), hooks=[str(SERVE_HOOKS)]
    )
    collection, _, _, _ = generate_docs(FIXTURE_DATA, docs, settings_from_config(config))
    config.plugins.on_startup(command="serve", dirty=False)
    build(config)
    entry = json.loads((tmp_path / "site" / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert entry["languages"]["zh"]["page_count"] == len(collection.papers)
