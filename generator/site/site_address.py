"""Where the site is published and where its records live: site_url and repo_url for a build.

mkdocs.yml ships placeholders (example.github.io, github.com/example). Feeds, canonical links,
the sitemap, papers.json and every "edit this record" link are built from these two settings, so
a site published with them points at someone else's address. The address comes from, first to
last: `paperbrief build --site-url`, the PAPERBRIEF_SITE_URL variable, mkdocs.yml. On GitHub
Actions the repository is known (GITHUB_REPOSITORY), and a build that would still publish a
placeholder fails, saying how to set it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import Any

from generator.errors import ConfigError

PLACEHOLDER_SITE_URL = "https://example.github.io/paperbrief/"
PLACEHOLDER_REPO_URL = "https://github.com/example/paperbrief"
SITE_URL_VARIABLE = "PAPERBRIEF_SITE_URL"
_HOW = (
    f"pass `paperbrief build --site-url https://OWNER.github.io/REPO/`, set {SITE_URL_VARIABLE},"
    " or set site_url in mkdocs.yml (the publish workflow passes the address GitHub Pages"
    " reports: actions/configure-pages' base_url)"
)


def _is_placeholder(url: str | None, placeholder: str) -> bool:
    return url is not None and url.rstrip("/") == placeholder.rstrip("/")


def normalize_site_url(url: str) -> str:
    """Return a site address ending in one slash; refuse anything but an http(s) URL."""
    url = url.strip()
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url, re.IGNORECASE):
        raise ConfigError(
            f"site URL {url!r} is not an http(s) address like https://OWNER.github.io/REPO/"
        )
    return url.rstrip("/") + "/"


def set_site_address(
    config: Any,
    site_url: str | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    warn: Callable[[str], None] | None = None,
) -> None:
    """Set config's site_url and repo_url for this build; refuse placeholders on Actions.

    `site_url` is the command line's; the environment is read for PAPERBRIEF_SITE_URL,
    GITHUB_ACTIONS, GITHUB_REPOSITORY and GITHUB_SERVER_URL. Outside Actions a placeholder
    only draws a warning: a local build is for looking at, not for publishing.
    """
    env = os.environ if environ is None else environ
    on_actions = env.get("GITHUB_ACTIONS") == "true"
    chosen = site_url or env.get(SITE_URL_VARIABLE) or None
    if chosen:
        config["site_url"] = normalize_site_url(chosen)
    repository = env.get("GITHUB_REPOSITORY")
    repo_url = config.get("repo_url")
    if (
        on_actions
        and repository
        and (not repo_url or _is_placeholder(repo_url, PLACEHOLDER_REPO_URL))
    ):
        server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
        config["repo_url"] = f"{server}/{repository}"
        config["repo_name"] = repository.rsplit("/", 1)[-1]

    placeholders = []
    if not config.get("site_url") or _is_placeholder(config.get("site_url"), PLACEHOLDER_SITE_URL):
        placeholders.append(
            f"site_url is {config.get('site_url') or 'not set'}: feeds, canonical links, the"
            f" sitemap and papers.json would point there; {_HOW}"
        )
    if _is_placeholder(config.get("repo_url"), PLACEHOLDER_REPO_URL):
        placeholders.append(
            f'repo_url is the placeholder {PLACEHOLDER_REPO_URL}: every "edit this record" link'
            " would point there; set repo_url in mkdocs.yml to your repository (on GitHub Actions"
            " it comes from GITHUB_REPOSITORY)"
        )
    if placeholders and on_actions:
        raise ConfigError(
            "refusing to build a site to publish on GitHub Actions: " + "; ".join(placeholders)
        )
    for text in placeholders:
        (warn or (lambda line: None))(f"warning: {text}")
