"""One build of the fixture site with its Pagefind index, shared by the search tests."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator

import pytest
from searchsite import SearchSite, build_fixture


@pytest.fixture(scope="session")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> SearchSite:
    """Build the fixture site, search index included, once per session."""
    return build_fixture(tmp_path_factory.mktemp("search-site"))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def served_site(search_site: SearchSite) -> Iterator[str]:
    """Serve the built site on a loopback port; yield its base URL."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(search_site.site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join()
