"""What the browser tests share: the served site, and a tab that records what a page did."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"


@dataclass
class Served:
    """The built site and where the loopback server serves it."""

    site: Path
    base: str  # http://127.0.0.1:PORT/


@dataclass
class Tab:
    """A page with everything it reported: console errors, script errors, dialogs, blocked hosts."""

    page: Any
    base: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Which document of the tab each request was made for: the main frame's navigations are
    # counted, so a request the browser aborts because the tab left its page is told apart.
    documents: int = 0
    made_for: dict[Any, int] = field(default_factory=dict)

    def note_request(self, request: Any) -> None:
        """Count a navigation of the tab's main frame; note which document a request is for."""
        if request.is_navigation_request() and request.frame == self.page.main_frame:
            self.documents += 1
        self.made_for[request] = self.documents

    def note_failure(self, request: Any) -> None:
        """Record a failed request, unless it was blocked or it died with the page it was for.

        A page's late requests (Material's fetch of sitemap.xml for its language links, the
        favicon) are aborted (net::ERR_ABORTED) when the tab goes to the next page before they
        finish; that is the test moving on, not a fault of the site.
        """
        if request.url in self.blocked:
            return
        failure = str(request.failure or "")
        left = self.made_for.get(request, self.documents) < self.documents
        if failure.startswith("net::ERR_ABORTED") and left:
            return
        self.failed.append(f"{request.url}: {failure}")

    def open(self, path: str) -> Any:
        """Go to a site path; wait for its load event and its fonts (layout is then final)."""
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, (path, response and response.status)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")
        return response

    def shot(self, name: str) -> None:
        """Save a full-page screenshot as a test artifact."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def assert_clean(self) -> None:
        """Fail on console errors, uncaught exceptions, dialogs, failed or off-site requests."""
        assert self.blocked == [], f"requests left the site: {self.blocked}"
        assert self.page_errors == [], self.page_errors
        assert self.console_errors == [], self.console_errors
        assert self.dialogs == [], f"a page opened a dialog: {self.dialogs}"
        assert self.failed == [], self.failed
