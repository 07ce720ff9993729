"""One build of the fixture site with its Pagefind index, shared by the search tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from searchsite import SearchSite, build_fixture, serve_directory


@pytest.fixture(scope="session")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> SearchSite:
    """Build the fixture site, search index included, once per session."""
    return build_fixture(tmp_path_factory.mktemp("search-site"))


@pytest.fixture(scope="session")
def served_site(search_site: SearchSite) -> Iterator[str]:
    """Serve the built site on a loopback port; yield its base URL."""
    with serve_directory(search_site.site) as base:
        yield base
