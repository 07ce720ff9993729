"""The site in another language: mkdocs.yml's extra.paperbrief_languages applied to a build."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from sitebuild import CONFIG, FIXTURE_DATA, BuiltSite, build_into

from generator.errors import ConfigError
from generator.site.build import load_mkdocs_config
from generator.site.site_language import set_site_language


def _toggles(config: object) -> list[str]:
    return [p["toggle"]["name"] for p in config.theme["palette"]]  # type: ignore[attr-defined]


def test_the_english_site_takes_its_name_description_and_toggle_labels() -> None:
    config = load_mkdocs_config(CONFIG)
    assert config.site_name == "论文简报"
    assert _toggles(config) == ["切换到深色模式", "切换到浅色模式"]
    set_site_language(config, "en")
    assert config.theme["language"] == "en"
    assert config.site_name == "Paper Briefs"
    assert config.site_description.startswith("Technical briefs on research papers")
    assert _toggles(config) == ["Switch to dark mode", "Switch to light mode"]


def test_a_language_without_settings_keeps_the_configured_ones() -> None:
    config = load_mkdocs_config(CONFIG)
    set_site_language(config, "zh")
    assert config.site_name == "论文简报" and config.theme["language"] == "zh"


def test_an_unknown_setting_is_refused(tmp_path: Path) -> None:
    config = load_mkdocs_config(CONFIG)
    config["extra"] = {"paperbrief_languages": {"en": {"site_nmae": "Oops"}}}
    with pytest.raises(ConfigError, match="unknown setting 'site_nmae'"):
        set_site_language(config, "en")


def _h1(page: Path) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", page.read_text(encoding="utf-8"), re.S)
    assert found, page
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).replace("¶", "").strip()


def test_each_build_publishes_the_hand_written_pages_in_its_language(
    fixture_site: BuiltSite, tmp_path: Path
) -> None:
    english = build_into(tmp_path, FIXTURE_DATA, "en")
    expected = [
        (fixture_site, {"about": "关于本站", "search": "搜索", "maintainers": "维护者文档"}),
        (english, {"about": "About", "search": "Search", "maintainers": "For maintainers"}),
    ]
    for built, headings in expected:
        for page, heading in headings.items():
            assert _h1(built.site / page / "index.html") == heading
        # the other language's version is published nowhere
        assert not list(built.site.glob("*.en")), built.site
