"""A paper is found by an author's name and by its arXiv id, in the real Pagefind index."""

from __future__ import annotations

from pathlib import Path

import pytest
from searchsite import SearchSite, search_in_node

pytestmark = pytest.mark.node


def _ids(urls: list[str]) -> set[str]:
    return {u.strip("/").removeprefix("papers/") for u in urls}


def test_an_author_name_and_an_arxiv_id_find_their_paper(
    search_site: SearchSite, served_site: str, tmp_path: Path
) -> None:
    results, _filters = search_in_node(
        search_site.bundle,
        served_site + "pagefind/",
        [
            {"term": "Wei Zhang"},
            {"term": "Alice Chen"},
            {"term": "2510.01234"},
            {"term": "arXiv:2510.01234"},
        ],
        tmp_path,
    )
    author, other_author, bare_id, prefixed_id = results
    # Results are in Pagefind's ranking: the paper must come first.
    assert _ids(author[:1]) == {"quant-llm"}
    assert _ids(other_author[:1]) == {"kv-evict"}
    assert _ids(bare_id) == {"quant-llm"}
    # "arXiv:" also matches every page that prints another arXiv id; the paper ranks first.
    assert _ids(prefixed_id[:1]) == {"quant-llm"}
