"""ChromeCache (generator/site/mkdocs_hooks.py) gives the pages a plain `mkdocs build` gives.

The docs are the fixture site's with pages added whose titles are hostile to a cache that puts a
title into kept HTML: the cache's own sentinels, Jinja and HTML syntax, entities, backslashes and
regular-expression replacement syntax; titles from front matter and from the first heading; pages
at depths 1 to 3 and a page of the navigation. Each docs tree is built by MkDocs twice, plainly
and with the plugins `paperbrief build` registers around the templates, and every HTML page must
come out byte for byte the same.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sitebuild import CONFIG, ROOT, BuiltSite

from generator.site.mkdocs_hooks import ChromeCache, NavCache, ThemeFiles

HOSTILE = [
    "{{ page.title }} {% raw %}",
    "</span></div><script>alert(1)</script>",
    "&amp; &lt;b&gt; &#x27; ' \"",
    "back\\slash \\\\ \\n \\1",
    "\\g<0> \\g<1> $1 $& \\0",
    "  spaced  title  ",
]


@dataclass
class Builds:
    """A docs tree built plainly and with the plugins."""

    plain: Path
    ours: Path
    chrome: ChromeCache
    hostile_pages: list[str]


def _front_matter(title: str, body: str) -> str:
    # JSON strings are YAML strings: every character arrives as written.
    return f"---\ntitle: {json.dumps(title)}\n---\n\n{body}"


def _write_hostile_docs(docs: Path, chrome: ChromeCache) -> list[str]:
    """Add the hostile pages to a docs tree; return their source paths."""
    titles = [*HOSTILE, *chrome.sentinels.values(), chrome.token]
    titles += ["".join(chrome.sentinels.values()) + "\\g<0>"]
    pages: list[str] = []
    for n, title in enumerate(titles):
        for folder in ("papers", "deep/er", ""):
            path = f"{folder}/zz-meta-{n}.md".lstrip("/")
            (docs / path).parent.mkdir(parents=True, exist_ok=True)
            (docs / path).write_text(_front_matter(title, "Some text.\n"), encoding="utf-8")
            pages.append(path)
        # No front matter: the title is the first heading's text.
        path = f"papers/zz-heading-{n}.md"
        (docs / path).write_text(f"# {title}\n\nSome text.\n", encoding="utf-8")
        pages.append(path)
    (docs / "deep" / "index.md").write_text(_front_matter(HOSTILE[0], "A folder's page.\n"))
    pages.append("deep/index.md")
    # A page of the navigation with a hostile title of its own.
    about = docs / "about.md"
    about.write_text(_front_matter(HOSTILE[1], about.read_text(encoding="utf-8")))
    return pages


def _mkdocs(
    config_file: Path, docs: Path, site: Path, plugins: dict[str, Any], **extra: Any
) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(site), **extra)
    for name, plugin in plugins.items():
        config.plugins[name] = plugin
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()


def _build_both(base: Path, fixture: BuiltSite, config_file: Path = CONFIG, **extra: Any) -> Builds:
    """Build the fixture's docs with hostile pages added, plainly and with the plugins."""
    docs = base / "docs"
    shutil.copytree(fixture.docs, docs)
    chrome = ChromeCache()
    pages = _write_hostile_docs(docs, chrome)
    epoch = str(fixture.report.source_date_epoch)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", epoch)
        _mkdocs(config_file, docs, base / "plain", {}, **extra)
        # As generator/site/build.py registers them.
        plugins = {
            "paperbrief-nav-cache": NavCache(),
            "paperbrief-chrome-cache": chrome,
            "paperbrief-theme-files": ThemeFiles(),
        }
        _mkdocs(config_file, docs, base / "ours", plugins, **extra)
    return Builds(base / "plain", base / "ours", chrome, pages)


def _different(builds: Builds) -> list[str]:
    plain = {p.relative_to(builds.plain) for p in builds.plain.rglob("*.html")}
    ours = {p.relative_to(builds.ours) for p in builds.ours.rglob("*.html")}
    assert ours == plain
    return [
        str(p)
        for p in sorted(ours)
        if (builds.ours / p).read_bytes() != (builds.plain / p).read_bytes()
    ]


@pytest.fixture(scope="module", params=[True, False], ids=["directory-urls", "file-urls"])
def builds(
    request: pytest.FixtureRequest,
    fixture_site: BuiltSite,
    tmp_path_factory: pytest.TempPathFactory,
) -> Builds:
    base = tmp_path_factory.mktemp("chrome-cache")
    return _build_both(base, fixture_site, use_directory_urls=request.param)


def test_every_page_is_the_one_plain_mkdocs_makes(builds: Builds) -> None:
    assert _different(builds) == []


def test_the_pages_have_their_hostile_titles(builds: Builds) -> None:
    # The comparison above is worth something only if the titles reach the pages as written.
    for n, title in enumerate(HOSTILE):
        name = (
            f"zz-meta-{n}/index.html"
            if builds.ours.joinpath("papers", "zz-meta-0").is_dir()
            else f"zz-meta-{n}.html"
        )
        page = (builds.ours / "papers" / name).read_text(encoding="utf-8")
        assert f'<span class="md-ellipsis">\n            \n              {title}\n' in page


def test_the_cache_gave_most_parts(builds: Builds) -> None:
    parts = builds.chrome.parts
    assert parts is not None
    # Header, footer, back-to-top button and base.html's five blocks of every page but the 404
    # page; a few kept.
    pages = len(list(builds.ours.rglob("*.html"))) - 1
    assert parts.hits + parts.renders >= 8 * pages
    assert parts.renders < 60
    assert parts.hits > 8 * len(builds.hostile_pages)
    # base.html's translations, each made once.
    assert {"language", "direction", "search.placeholder"} <= set(parts.translations)


def _build_with_override(tmp_path: Path, fixture: BuiltSite, partial: str, shown: str) -> Builds:
    """Build with a copy of the overrides whose `partial` also shows the title as `shown`."""
    import material

    overrides = tmp_path / "overrides"
    shutil.copytree(ROOT / "overrides", overrides)
    target = overrides / "partials" / partial
    source = (
        target
        if target.exists()
        else Path(material.__file__).parent / "templates" / "partials" / partial
    )
    target.write_text(
        source.read_text(encoding="utf-8") + f'<span class="pb-t">{{{{ {shown} }}}}</span>\n',
        encoding="utf-8",
    )
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        CONFIG.read_text(encoding="utf-8").replace(
            "custom_dir: overrides", f"custom_dir: {overrides}"
        ),
        encoding="utf-8",
    )
    assert str(overrides) in config.read_text(encoding="utf-8")
    return _build_both(tmp_path, fixture, config)


@pytest.mark.parametrize(
    "shown",
    [
        "page.title | e",
        "page.title | striptags",
        "(page.meta.title | trim) if page else ''",
        "page.title | truncate(12)",
        "page.title | upper",
    ],
)
def test_a_part_that_prints_the_title_otherwise_is_not_kept(
    fixture_site: BuiltSite, tmp_path: Path, shown: str
) -> None:
    # The overrides' search.html (in the header only) shows the title changed (escaped, say): a
    # sentinel in its place would come out changed, so the header is rendered the theme's way.
    builds = _build_with_override(tmp_path, fixture_site, "search.html", shown)
    assert _different(builds) == []
    parts = builds.chrome.parts
    assert parts is not None
    # Every header that shows the title so (page.meta.title: of pages with a title in front
    # matter, the key's last item) is rendered the theme's way.
    headers = [
        kept
        for key, kept in parts.kept.items()
        if key[0] == "header" and (key[-1] or "meta" not in shown)
    ]
    assert headers and all(kept is None for kept in headers)
    assert parts.hits > 0  # the other parts still are kept


def test_a_part_in_the_custom_dir_is_left_alone(fixture_site: BuiltSite, tmp_path: Path) -> None:
    # A header of the site's own may read anything of the page: it is not cached at all.
    builds = _build_with_override(tmp_path, fixture_site, "header.html", "page.url if page else ''")
    assert _different(builds) == []
    parts = builds.chrome.parts
    assert parts is not None
    assert not [key for key in parts.kept if key[0] == "header"]
    assert [key for key in parts.kept if key[0] == "footer"]


def test_the_projects_own_overrides_keep_the_navigation_cached() -> None:
    from mkdocs.config import load_config

    config = load_config(str(CONFIG))
    env = NavCache().on_env(config.theme.get_env(), config=config, files=None)
    assert "pb_nav_cache" in env.globals


def test_the_navigation_is_not_kept_when_an_override_it_shows_reads_the_page(
    fixture_site: BuiltSite, tmp_path: Path
) -> None:
    # Material's navigation includes source.html: a site's own that shows the page's title
    # would give every page outside the navigation the first one's under NavCache's key.
    builds = _build_with_override(
        tmp_path, fixture_site, "source.html", "page.title if page else ''"
    )
    assert _different(builds) == []
    for n in (0, 2):  # two pages outside the navigation, each showing its own title there
        page = builds.ours / "papers" / f"zz-meta-{n}" / "index.html"
        nav = page.read_text(encoding="utf-8").split('<nav class="md-nav md-nav--primary"', 1)[1]
        assert f'<span class="pb-t">{HOSTILE[n]}</span>' in nav


@pytest.mark.parametrize(
    "options",
    [{}, {"autoescape": True}, {"finalize": lambda value: "" if value is None else value}],
    ids=["plain", "autoescape", "finalize"],
)
def test_titles_are_printed_as_jinja_prints_them(options: dict[str, Any]) -> None:
    import jinja2

    from generator.site.mkdocs_hooks import _ChromeParts

    env = jinja2.Environment(**options)
    chrome = ChromeCache()
    parts = _ChromeParts(env, None, chrome.sentinels, chrome.token)
    for value in ["<b>&amp;</b> \\g<0>", None, 2024, ["a", "<"]]:
        assert parts.text(value) == env.from_string("{{ value }}").render(value=value)
