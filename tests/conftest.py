"""Shared fixtures: no test may reach the network; a test's tools (Chromium, node) are checked once."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from machine_tools import (
    BROWSER_TIMEOUT_MS,
    CHROMIUM,
    CHROMIUM_ARGS,
    INSTALL,
    missing_tool,
    running_in_ci,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_REPORT = ROOT.parent / "shared" / "seed-report.md"

_real_connect = socket.socket.connect

# The generator's cache (generator/records/filecache.py) lives in the user's cache folder; the
# tests get one of their own, made for this run and removed after it, so no run reads what an
# earlier run or the developer's own builds left there. Set before any fixture builds a site.
_CACHE_DIR = tempfile.mkdtemp(prefix="paperbrief-test-cache-")
os.environ["PAPERBRIEF_CACHE_DIR"] = _CACHE_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_CACHE_DIR, ignore_errors=True)


def _guarded_connect(self: socket.socket, address: object) -> object:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host.startswith("127.") or host in {"localhost", "::1"}):
        return _real_connect(self, address)  # type: ignore[arg-type]
    if self.family == socket.AF_UNIX:
        return _real_connect(self, address)  # type: ignore[arg-type]
    raise OSError(f"network access blocked in tests: {address!r}")


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    for key in ("MISTRAL_API_KEY", "GITHUB_ACTIONS", "S2_API_KEY"):
        monkeypatch.delenv(key, raising=False)
    # arXiv and Semantic Scholar default to a closed loopback port: a test that forgets its
    # fake gets a refused connection at once (no DNS look-up, no wait)
    monkeypatch.setenv("PAPERBRIEF_ARXIV_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("PAPERBRIEF_S2_URL", "http://127.0.0.1:9/graph/v1")
    yield


REGISTRY_TECHNIQUES = """\
techniques:
  - id: quantization
    zh: 量化
    en: Quantization
    description: Store and compute with fewer bits.
    aliases: [PTQ, QAT, 低比特量化]
  - id: knowledge-distillation
    zh: 知识蒸馏
    en: Knowledge distillation
    description: Train a small model to imitate a large one.
    aliases: [distillation, 蒸馏]
  - id: sparse-attention
    zh: 稀疏注意力
    en: Sparse attention
    description: Attend to a subset of tokens.
"""

REGISTRY_INSTITUTIONS = """\
institutions:
  - id: hku
    en: The University of Hong Kong
    zh: 香港大学
    aliases: [HKU, 港大]
    country: HK
  - id: pku
    en: Peking University
    zh: 北京大学
    aliases: [PKU, 北大]
    country: CN
  - id: nyu
    en: New York University
    zh: 纽约大学
    aliases: [NYU]
    country: US
"""


def make_data_dir(root: Path) -> Path:
    """Create a minimal valid data directory (registries, no papers) under root."""
    data = root / "data"
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    (data / "techniques.yaml").write_text(REGISTRY_TECHNIQUES, encoding="utf-8")
    (data / "institutions.yaml").write_text(REGISTRY_INSTITUTIONS, encoding="utf-8")
    return data


NEEDS = ("browser", "node")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose tool is missing here; in CI, stop the run and say what is missing."""
    missing = {need: missing_tool(need) for need in NEEDS}
    wanted: dict[str, int] = {}
    for item in items:
        for need in NEEDS:
            reason = missing[need]
            if reason and item.get_closest_marker(need):
                wanted[need] = wanted.get(need, 0) + 1
                item.add_marker(pytest.mark.skip(reason=f"{reason} ({INSTALL[need]})"))
    if wanted and running_in_ci():
        lines = [
            f"{missing[need]}: {count} {need} tests cannot run (install: {INSTALL[need]})"
            for need, count in sorted(wanted.items())
        ]
        pytest.exit("CI must run every test, but\n" + "\n".join(lines), returncode=3)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium headless once per session (one Playwright per process)."""
    reason = missing_tool("browser")
    if reason and running_in_ci():  # only for a test that forgot its `browser` marker
        pytest.fail(reason)
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=BROWSER_TIMEOUT_MS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A minimal valid data directory."""
    return make_data_dir(tmp_path)
