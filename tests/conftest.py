"""Shared fixtures: no test may reach the network."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_REPORT = ROOT.parent / "shared" / "seed-report.md"

_real_connect = socket.socket.connect


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
    for key in ("MISTRAL_API_KEY", "GITHUB_ACTIONS"):
        monkeypatch.delenv(key, raising=False)
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


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Launch Debian's Chromium headless once per session (one Playwright per process)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A minimal valid data directory."""
    return make_data_dir(tmp_path)
