"""Every page of the hostile site in headless Chromium: no payload runs, nothing navigates away."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from hostile_build import HostileSite
from machine_tools import BROWSER_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser


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

served, chromium, args, timeout, pages = (
    sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), sys.argv[5:]
)
out = {"dialogs": [], "foreign": [], "moved": [], "labels": []}
# Let the tasks a page has queued by its load event run (a meta refresh, a zero-delay timer):
# a navigation they start is then under way, and seen by the route and the URL check.
SETTLE = "() => new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 0)))"
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=args, timeout=timeout)
    tab = browser.new_page()
    tab.set_default_timeout(timeout)
    tab.set_default_navigation_timeout(timeout)
    tab.on("dialog", lambda d: (out["dialogs"].append(tab.url + ": " + d.message), d.dismiss()))
    documents = []
    tab.on(
        "framenavigated",
        lambda frame: documents.append(frame.url) if frame == tab.main_frame else None,
    )

    def only_local(route):
        if route.request.url.startswith(served):
            route.continue_()
        else:
            out["foreign"].append(route.request.url)
            route.abort()

    tab.route("**/*", only_local)
    for rel in pages:
        url = served + rel
        documents.clear()
        try:
            tab.goto(url, wait_until="load")
            tab.evaluate(SETTLE)
        except Exception as exc:  # another navigation interrupted the load or the page
            out["moved"].append(url + ": " + str(exc).splitlines()[0])
            continue
        if tab.url != url or documents != [url]:
            out["moved"].append(url + " -> " + " -> ".join(documents or [tab.url]))
    # the search page with a query and every filter group open: its UI inserts HTML there
    tab.goto(served + "search/?q=hostile", wait_until="load")
    tab.wait_for_selector("#pb-search[data-ready] .pb-search__result")
    blocks = "details.pb-search__filter"
    tab.wait_for_selector(blocks + " summary")
    for summary in tab.query_selector_all(blocks + ":not([open]) summary"):
        summary.click()
    tab.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].every(d => d.open)"
        " && document.querySelectorAll('.pb-search__filter-label').length > 0",
        arg=blocks,
    )
    out["labels"] = [l.text_content() for l in tab.query_selector_all(".pb-search__filter-label")]
    browser.close()
print(json.dumps(out))
"""


def test_no_page_runs_a_payload(hostile_site: HostileSite, served: str) -> None:
    pages = sorted(
        p.relative_to(hostile_site.site).as_posix().removesuffix("index.html")
        for p in hostile_site.site.rglob("*.html")
        if "pagefind" not in p.parts
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            DRIVER,
            served,
            str(CHROMIUM),
            json.dumps(CHROMIUM_ARGS),
            str(BROWSER_TIMEOUT_MS),
            *pages,
        ],
        capture_output=True,
        text=True,
        # every page may use the whole browser limit; the process as a whole gets a bound too
        timeout=max(300, BROWSER_TIMEOUT_MS / 1000 * 5),
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["dialogs"] == []
    assert seen["moved"] == []
    assert seen["foreign"] == []
    assert any("pbx01" in label for label in seen["labels"])  # the filters really were shown
