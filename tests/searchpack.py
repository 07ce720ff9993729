"""A published site's manifest for paper pages whose articles a SearchInputs pack holds."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator.site.manifest import BuildManifest, PageRecord, write_manifest


def write_paper_manifest(
    site: Path, inputs: Any, papers: Iterable[str], *, search_bundle: str = ""
) -> BuildManifest:
    """Write (and return) the manifest of a site whose paper pages are `papers`, in order.

    Each page `papers/<id>.md` is reusable prebuilt HTML whose Pagefind article is the one
    `inputs` (a closed incremental.SearchInputs) recorded for it.
    """
    pages = {
        f"papers/{n}.md": PageRecord(
            source=n,
            dest=f"papers/{n}/index.html",
            reusable=True,
            prebuilt=True,
            pagefind=inputs.places[f"papers/{n}.md"],
            size=1,
        )
        for n in papers
    }
    manifest = BuildManifest(
        format=4, inputs={}, nav="", files="", search_bundle=search_bundle, pages=pages
    )
    write_manifest(site, manifest)
    return manifest
