"""ThemeFiles: the theme's files MkDocs keeps are listed without walking hidden folders."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import jinja2
from buildproject import ROOT

from generator.site.build import load_mkdocs_config
from generator.site.mkdocs_hooks import ThemeFiles, _visible_templates


def _kept_by_mkdocs(names: list[str]) -> list[str]:
    # The patterns with which MkDocs' Files.add_files_from_theme drops hidden files and folders.
    return [n for n in names if not any(fnmatch.fnmatch(n.lower(), p) for p in (".*", "*/.*"))]


def test_the_listing_is_what_mkdocs_keeps_of_jinjas(tmp_path: Path) -> None:
    theme = tmp_path / "theme"
    for name in ("main.html", "assets/app.js", ".icons/a/b.svg", "assets/.cache/x", ".hidden"):
        (theme / name).parent.mkdir(parents=True, exist_ok=True)
        (theme / name).write_text("x", encoding="utf-8")
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    dirs = [str(theme), *config.theme.dirs]
    full = jinja2.FileSystemLoader(dirs).list_templates()
    assert ".icons/a/b.svg" in full and len(full) > 10_000  # Material's icons, and ours
    assert _visible_templates(dirs) == _kept_by_mkdocs(full)
    assert "assets/app.js" in _visible_templates(dirs)


def test_the_plugin_wraps_the_themes_environment() -> None:
    config = load_mkdocs_config(ROOT / "mkdocs.yml")
    ThemeFiles().on_config(config)
    env = config.theme.get_env()
    listed = env.list_templates()
    assert listed == _visible_templates(config.theme.dirs)
    assert not any(name.startswith(".icons/") for name in listed)
