"""The site in another interface language: what `paperbrief build --language en` changes in mkdocs.yml.

mkdocs.yml describes the site in its own language (theme.language: zh): its name, description and
the colour-scheme toggle's labels. Under `extra.paperbrief_languages`, it may describe the site in
another language; a build in that language takes those values, so the English site shows an
English name in the header, the home page and the browser's title. A hand-written page may have a
version in each of those languages beside it (docs/about.en.md beside docs/about.md): the build
publishes the version in its language in the page's place (mkdocs_hooks.LanguagePages).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from generator.errors import ConfigError
from generator.site.mkdocs_hooks import LanguagePages

EXTRA_KEY = "paperbrief_languages"
_FIELDS = ("site_name", "site_description")


def set_site_language(config: Any, language: str) -> None:
    """Switch the theme to `language` and take that language's name, description and toggles."""
    config.theme["language"] = language
    extra = config.get("extra") or {}
    languages = extra.get(EXTRA_KEY) or {}
    if not isinstance(languages, Mapping):
        raise ConfigError(f"extra.{EXTRA_KEY} in mkdocs.yml must map a language to its settings")
    config.plugins["paperbrief-language-pages"] = LanguagePages(language, languages)
    chosen = languages.get(language)
    if chosen is None:
        return
    if not isinstance(chosen, Mapping):
        raise ConfigError(f"extra.{EXTRA_KEY}.{language} in mkdocs.yml must be a mapping")
    unknown = sorted(set(chosen) - {*_FIELDS, "toggle"})
    if unknown:
        raise ConfigError(
            f"extra.{EXTRA_KEY}.{language} in mkdocs.yml: unknown setting {unknown[0]!r}"
            f" (known: {', '.join((*_FIELDS, 'toggle'))})"
        )
    for name in _FIELDS:
        if chosen.get(name):
            config[name] = str(chosen[name])
    toggles = chosen.get("toggle")
    if toggles:
        _set_toggle_names(config, [str(t) for t in toggles])


def _set_toggle_names(config: Any, names: list[str]) -> None:
    """Give the palette's toggles the language's labels, in the order mkdocs.yml lists them."""
    palette = config.theme.get("palette") or []
    if isinstance(palette, Mapping):
        palette = [palette]
    with_toggle = [p for p in palette if isinstance(p, dict) and isinstance(p.get("toggle"), dict)]
    for scheme, name in zip(with_toggle, names, strict=False):
        scheme["toggle"]["name"] = name
