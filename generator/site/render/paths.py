"""Where each generated file lives under docs/, and the URLs and relative links between them."""

from __future__ import annotations


def paper_path(paper_id: str) -> str:
    """Return the docs path of a paper page."""
    return f"papers/{paper_id}.md"


def entity_page_path(kind: str, entity_id: str, page: int = 1, variant: str = "") -> str:
    """Return the docs path of page N of an institution, technique or report."""
    stem = f"{variant}-{page}" if variant and page > 1 else variant or f"page-{page}"
    return (
        f"{kind}/{entity_id}/index.md"
        if page == 1 and not variant
        else f"{kind}/{entity_id}/{stem}.md"
    )


def listing_path(kind: str, page: int = 1) -> str:
    """Return the docs path of page N of a top-level index; `_` keeps it apart from record ids."""
    return f"{kind}/index.md" if page == 1 else f"{kind}/_pages/{page}.md"


def feed_path(kind: str, entity_id: str | None, ext: str) -> str:
    """Return the docs path of a feed file."""
    return f"feeds/{kind}.{ext}" if entity_id is None else f"feeds/{kind}/{entity_id}.{ext}"


def page_url(path: str) -> str:
    """Return the site-relative URL MkDocs gives a docs path (use_directory_urls)."""
    if not path.endswith(".md"):
        return path
    stem = path[: -len(".md")]
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem[: -len("index")]
    return stem + "/"


def rel(source: str, target: str) -> str:
    """Return the relative link from one docs path to another."""
    # Docs paths are normalised and relative, so plain string work gives posixpath.relpath's
    # answer without its two abspath calls: a tenth of the render time at 10,000 papers.
    base = source.split("/")[:-1]
    parts = target.split("/")
    common = 0
    while common < len(base) and common < len(parts) - 1 and base[common] == parts[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + parts[common:])


def rel_url(source: str, target: str) -> str:
    """Return the relative URL from one docs path's page to another's (what MkDocs links)."""
    return rel(page_url(source) + "index.html", page_url(target)) or "./"
