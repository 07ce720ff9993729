"""What some tests need from the machine: Chromium with Playwright, and node.

Tests say what they need with a marker (`browser`, `node`); tests/conftest.py asks `missing_tool`
once per session. On a developer's machine a missing tool skips those tests with the reason; in
CI (`CI` or `GITHUB_ACTIONS` set) it fails the run, so a green CI run means they really ran.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

# Debian's package: Playwright never downloads a browser of its own here.
CHROMIUM = Path(os.environ.get("PAPERBRIEF_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Docker gives /dev/shm 64 MB, too little for Chromium's renderer in a CI container.
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# One limit for every wait of a browser test: generous, because a 2-core machine running
# another build makes a search that takes 2 s quiet take 30 s or more.
BROWSER_TIMEOUT_MS = int(os.environ.get("PAPERBRIEF_BROWSER_TIMEOUT_MS", "90000"))
# How to get each tool on a Debian machine (what .ci/run does).
INSTALL = {
    "browser": "apt-get install chromium fonts-noto-cjk; pip install -e '.[test]'",
    "node": "apt-get install nodejs",
}


def running_in_ci() -> bool:
    """Return whether this run is CI's (`CI` or `GITHUB_ACTIONS` set and not false)."""
    return any(
        os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")
        for name in ("CI", "GITHUB_ACTIONS")
    )


def missing_tool(need: str) -> str | None:
    """Return what is missing for tests marked `need` (browser, node), or None."""
    if need == "browser":
        if not CHROMIUM.exists():
            return f"{CHROMIUM} is missing"
        if importlib.util.find_spec("playwright") is None:
            return "the playwright package is missing"
        return None
    if need == "node":
        return None if shutil.which("node") else "node is not on PATH"
    raise ValueError(f"unknown need {need!r}")
