"""Fixtures: a fake Scholar server per test, and worker processes without network or proxy."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer

import pytest
from scholar_fakes import NETGUARD, PROXY_VARS, FakeScholar, handler_for


@pytest.fixture(autouse=True)
def _worker_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every worker process load the socket guard; no proxy from the environment."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    paths = [str(NETGUARD), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))


@pytest.fixture
def scholar() -> Iterator[FakeScholar]:
    fake = FakeScholar()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
