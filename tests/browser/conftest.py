"""Browser tests: one fixture-site build, one loopback HTTP server and one Chromium per session.

Debian's /usr/bin/chromium is driven through Playwright; no browser is ever downloaded. Every
request is routed: anything not addressed to 127.0.0.1 is recorded and aborted, so a test fails
when a page reaches for another host. Screenshots go to test-artifacts/browser/ (gitignored).
"""

from __future__ import annotations

import contextlib
import functools
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_harness import Served, Tab
from machine_tools import BROWSER_TIMEOUT_MS

ROOT = Path(__file__).resolve().parents[2]

sys.path.insert(0, str(ROOT / "tests" / "site"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test here `browser` (tests/conftest.py skips or fails them without Chromium)."""
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _serve(site: Path) -> Iterator[Served]:
    """Serve a built site on 127.0.0.1 until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(site, f"http://127.0.0.1:{server.server_address[1]}/")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Build the fixture site (hostile record included) and serve it on 127.0.0.1."""
    from sitebuild import FIXTURE_DATA, build_into

    built = build_into(tmp_path_factory.mktemp("browser-site"), FIXTURE_DATA)
    with _serve(built.site) as site:
        yield site


@pytest.fixture(scope="session")
def served_en(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Build the fixture site in English (`paperbrief build --language en`) and serve it."""
    from sitebuild import FIXTURE_DATA, build_into

    built = build_into(tmp_path_factory.mktemp("browser-site-en"), FIXTURE_DATA, "en")
    with _serve(built.site) as site:
        yield site


@pytest.fixture(scope="session")
def served_bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """Build the bundled data (the fixture's when it does not validate) and serve it."""
    from sitebuild import build_into, bundled_or_fixture

    built = build_into(tmp_path_factory.mktemp("browser-site-bundled"), bundled_or_fixture())
    with _serve(built.site) as site:
        yield site


@pytest.fixture
def new_tab(browser: Any, served: Served) -> Iterator[Any]:
    """Return a factory of fresh browser contexts (viewport, colour scheme, permissions)."""
    yield from _tab_factory(browser, served)


@pytest.fixture
def new_en_tab(browser: Any, served_en: Served) -> Iterator[Any]:
    """Return a factory of fresh browser contexts on the English site."""
    yield from _tab_factory(browser, served_en)


@pytest.fixture
def new_bundled_tab(browser: Any, served_bundled: Served) -> Iterator[Any]:
    """Return a factory of fresh browser contexts on the bundled data's site."""
    yield from _tab_factory(browser, served_bundled)


def _tab_factory(browser: Any, served: Served) -> Iterator[Any]:
    """Yield a factory of fresh browser contexts on `served`; close them all afterwards."""
    contexts: list[Any] = []

    def make(
        *,
        viewport: tuple[int, int] = (1280, 900),
        color_scheme: str = "light",
        permissions: list[str] | None = None,
        mobile: bool = False,
    ) -> Tab:
        context = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]},
            color_scheme=color_scheme,
            is_mobile=mobile,
            has_touch=mobile,
            device_scale_factor=1,
            service_workers="block",
        )
        contexts.append(context)
        # One generous limit for every wait and navigation (PAPERBRIEF_BROWSER_TIMEOUT_MS).
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        if permissions:
            context.grant_permissions(permissions, origin=served.base.rstrip("/"))
        page = context.new_page()
        tab = Tab(page=page, base=served.base)

        def route(route: Any) -> None:
            url = route.request.url
            host = urlsplit(url).hostname
            if url.startswith(("data:", "blob:")) or host == "127.0.0.1":
                route.continue_()
            else:
                tab.blocked.append(url)
                route.abort()

        context.route("**/*", route)
        page.on(
            "console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None
        )
        page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
        page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        page.on("request", tab.note_request)
        page.on("requestfailed", tab.note_failure)
        page.on(
            "response",
            lambda r: tab.failed.append(f"{r.url}: HTTP {r.status}") if r.status >= 400 else None,
        )
        return tab

    yield make
    for context in contexts:
        context.close()
