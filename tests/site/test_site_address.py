"""Where the site is published: --site-url, PAPERBRIEF_SITE_URL, GitHub Actions, placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sitebuild import CONFIG, FIXTURE_DATA, ROOT

from generator.cli import main
from generator.errors import ConfigError
from generator.site.site_address import (
    PLACEHOLDER_REPO_URL,
    PLACEHOLDER_SITE_URL,
    set_site_address,
)
from generator.site.write import copy_handwritten_docs

ACTIONS = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_REPOSITORY": "someone/papers",
    "GITHUB_SERVER_URL": "https://github.com",
}


def _config(**values: Any) -> dict[str, Any]:
    return {"site_url": PLACEHOLDER_SITE_URL, "repo_url": PLACEHOLDER_REPO_URL, **values}


def test_the_option_wins_over_the_variable_and_the_variable_over_mkdocs_yml() -> None:
    config = _config(site_url="https://a.example/")
    set_site_address(
        config, "https://b.example/x", environ={"PAPERBRIEF_SITE_URL": "https://c.example/"}
    )
    assert config["site_url"] == "https://b.example/x/"
    config = _config(site_url="https://a.example/")
    set_site_address(config, None, environ={"PAPERBRIEF_SITE_URL": "https://c.example/y"})
    assert config["site_url"] == "https://c.example/y/"
    config = _config(site_url="https://a.example/")
    set_site_address(config, None, environ={})
    assert config["site_url"] == "https://a.example/"


def test_a_site_url_must_be_an_http_address() -> None:
    for bad in (
        "example.org",
        "ftp://example.org/",
        "https://exa mple.org/",
        "javascript:alert(1)",
    ):
        with pytest.raises(ConfigError, match="is not an http"):
            set_site_address(_config(), bad, environ={})


def test_a_local_build_with_placeholders_warns() -> None:
    said: list[str] = []
    set_site_address(_config(), None, environ={}, warn=said.append)
    assert len(said) == 2
    assert said[0].startswith("warning: site_url is https://example.github.io/paperbrief/")
    assert "--site-url" in said[0] and "PAPERBRIEF_SITE_URL" in said[0]
    assert said[1].startswith("warning: repo_url is the placeholder")


def test_on_actions_the_repository_gives_repo_url() -> None:
    config = _config()
    set_site_address(config, "https://someone.github.io/papers", environ=ACTIONS)
    assert config["repo_url"] == "https://github.com/someone/papers"
    assert config["repo_name"] == "papers"
    # a repo_url the maintainer set is kept
    config = _config(repo_url="https://git.example.org/team/papers")
    set_site_address(config, "https://someone.github.io/papers", environ=ACTIONS)
    assert config["repo_url"] == "https://git.example.org/team/papers"


def test_on_actions_a_placeholder_site_url_fails_and_says_how_to_set_it() -> None:
    with pytest.raises(ConfigError) as failed:
        set_site_address(_config(), None, environ=ACTIONS)
    message = str(failed.value)
    assert "site_url is https://example.github.io/paperbrief/" in message
    assert "--site-url https://OWNER.github.io/REPO/" in message
    assert "PAPERBRIEF_SITE_URL" in message and "configure-pages" in message
    # no repository to take repo_url from: that placeholder is refused too
    with pytest.raises(ConfigError, match="repo_url is the placeholder"):
        set_site_address(_config(), "https://x.example/", environ={"GITHUB_ACTIONS": "true"})


def _project(tmp_path: Path) -> Path:
    """Write a mkdocs.yml building tmp_path/docs with the repository's theme overrides."""
    copy_handwritten_docs(ROOT / "docs", tmp_path / "docs")
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            "custom_dir: overrides", f"custom_dir: {ROOT / 'overrides'}"
        ),
        encoding="utf-8",
    )
    return config


def _build(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    config = _project(tmp_path)
    return CliRunner().invoke(
        main,
        [
            *("build", "--data", str(FIXTURE_DATA), "--config-file", str(config)),
            *("--site-dir", str(tmp_path / "site"), *args),
        ],
        env=env or {},
    )


def test_a_build_on_actions_refuses_to_publish_the_placeholder(tmp_path: Path) -> None:
    result = _build(tmp_path, env=ACTIONS)
    assert result.exit_code == 2, result.output
    assert "refusing to build a site to publish on GitHub Actions: site_url is" in result.output
    assert not (tmp_path / "site").exists()


def test_the_built_site_points_at_the_given_address(tmp_path: Path) -> None:
    address = "https://someone.github.io/papers/"
    result = _build(tmp_path, env={**ACTIONS, "PAPERBRIEF_SITE_URL": address.rstrip("/")})
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    text = "\n".join(
        p.read_text(encoding="utf-8", errors="replace")
        for p in site.rglob("*")
        if p.is_file() and p.suffix in {".html", ".xml", ".json", ".csv", ".bib"}
    )
    assert "example.github.io/paperbrief" not in text
    assert "github.com/example/paperbrief" not in text
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{address}papers/quant-llm/</loc>" in sitemap
    page = (site / "papers" / "quant-llm" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{address}papers/quant-llm/">' in page
    assert "https://github.com/someone/papers/edit/main/data/papers/quant-llm.yaml" in page
    papers = json.loads((site / "exports" / "papers.json").read_text(encoding="utf-8"))
    assert {p["url"] for p in papers["papers"]} >= {f"{address}papers/quant-llm/"}
    feed = (site / "feeds" / "reports.xml").read_text(encoding="utf-8")
    assert re.search(rf"<link>{re.escape(address)}", feed)
