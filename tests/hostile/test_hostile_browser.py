"""Every page of the hostile site in headless Chromium: no payload runs, nothing navigates away."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hostile_build import HostileSite

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


# Run in a child process: Playwright's sync API refuses to start while another test module's
# session-wide browser is running in this one.
DRIVER = r"""
import json, sys
from playwright.sync_api import sync_playwright

served, chromium, pages = sys.argv[1], sys.argv[2], sys.argv[3:]
out = {"dialogs": [], "foreign": [], "moved": [], "labels": []}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
    tab = browser.new_page()
    tab.on("dialog", lambda d: (out["dialogs"].append(tab.url + ": " + d.message), d.dismiss()))

    def only_local(route):
        if route.request.url.startswith(served):
            route.continue_()
        else:
            out["foreign"].append(route.request.url)
            route.abort()

    tab.route("**/*", only_local)
    for rel in pages:
        url = served + rel
        tab.goto(url, wait_until="load")
        tab.wait_for_timeout(50)
        if tab.url != url:
            out["moved"].append(url + " -> " + tab.url)
    # the search page with a query and every filter group open: its UI inserts HTML there
    tab.goto(served + "search/?q=hostile", wait_until="load")
    tab.wait_for_selector(".pagefind-ui__result", timeout=15000)
    for summary in tab.query_selector_all("details.pagefind-ui__filter-block summary"):
        summary.click()
    tab.wait_for_timeout(500)
    out["labels"] = [l.text_content() for l in tab.query_selector_all(".pagefind-ui__filter-label")]
    browser.close()
print(json.dumps(out))
"""


def test_no_page_runs_a_payload(hostile_site: HostileSite, served: str) -> None:
    pytest.importorskip("playwright.sync_api")
    pages = sorted(
        p.relative_to(hostile_site.site).as_posix().removesuffix("index.html")
        for p in hostile_site.site.rglob("*.html")
        if "pagefind" not in p.parts
    )
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, served, str(CHROMIUM), *pages],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["dialogs"] == []
    assert seen["moved"] == []
    assert seen["foreign"] == []
    assert any("pbx01" in label for label in seen["labels"])  # the filters really were shown
