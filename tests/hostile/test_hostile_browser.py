"""Every page of the hostile site in headless Chromium: no payload runs, nothing navigates away."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import HostileSite

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium"),
]


@pytest.fixture(scope="module")
def served(hostile_site: HostileSite) -> Iterator[str]:
    """Serve the hostile site on 127.0.0.1."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(hostile_site.site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_no_page_runs_a_payload(hostile_site: HostileSite, served: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    pages = sorted(
        p.relative_to(hostile_site.site).as_posix()
        for p in hostile_site.site.rglob("*.html")
        if "pagefind" not in p.parts
    )
    dialogs: list[str] = []
    foreign: list[str] = []
    moved: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            tab = browser.new_page()
            tab.on("dialog", lambda d: (dialogs.append(f"{tab.url}: {d.message}"), d.dismiss()))

            def only_local(route: Any) -> None:
                if route.request.url.startswith(served):
                    route.continue_()
                else:
                    foreign.append(route.request.url)
                    route.abort()

            tab.route("**/*", only_local)
            for rel in pages:
                url = served + rel.removesuffix("index.html")
                tab.goto(url, wait_until="load")
                tab.wait_for_timeout(50)
                if tab.url != url:
                    moved.append(f"{url} -> {tab.url}")
            # the search page, with a query and every filter group open (its UI inserts HTML)
            tab.goto(served + "search/?q=hostile", wait_until="load")
            tab.wait_for_selector(".pagefind-ui__result", timeout=15000)
            for summary in tab.query_selector_all("details.pagefind-ui__filter-block summary"):
                summary.click()
            tab.wait_for_timeout(500)
            labels = tab.query_selector_all(".pagefind-ui__filter-label")
            assert labels and any("pbx01" in label.text_content() for label in labels)
        finally:
            browser.close()
    assert dialogs == []
    assert moved == []
    assert foreign == []
