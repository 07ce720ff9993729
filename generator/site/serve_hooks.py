"""MkDocs hooks for `paperbrief serve`: index each preview build with Pagefind.

`mkdocs serve` builds into a temporary directory of its own and loads its own configuration,
so the plugins `paperbrief build` adds cannot reach it; serve_site passes this file as a
`hooks:` entry instead. After every preview build the Pagefind command line indexes the paper
pages with the settings of a full build, so the search page works in the preview too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.site.search import index_search


def on_post_build(config: Any, **_: Any) -> None:
    """Write the Pagefind bundle into the preview's site directory."""
    language = str(config.theme.get("language") or "zh")
    index_search(Path(config.site_dir), language=language)
