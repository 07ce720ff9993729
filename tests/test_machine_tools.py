"""Tests that need Chromium or node skip on a developer's machine without them, and fail CI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _collect(target: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    # node is found on PATH: keep only the directory of this Python, which has none
    base["PATH"] = str(Path(sys.executable).parent)
    return subprocess.run(
        [sys.executable, "-m", "pytest", target, "-q", "-p", "no:cacheprovider", "-rs"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("ci", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}])
def test_ci_without_node_fails_and_names_it(ci: dict[str, str]) -> None:
    done = _collect("tests/search/test_search_queries.py", **ci)
    assert done.returncode == 3, done.stdout + done.stderr
    assert re.search(r"node is not on PATH: \d+ node tests cannot run", done.stdout + done.stderr)


def test_ci_without_chromium_fails_and_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "no-chromium"
    done = _collect("tests/browser", CI="true", PAPERBRIEF_CHROMIUM=str(missing))
    assert done.returncode == 3, done.stdout + done.stderr
    said = re.escape(f"{missing} is missing") + r": \d+ browser tests cannot run"
    assert re.search(said, done.stdout + done.stderr), done.stdout + done.stderr


def test_without_ci_the_tests_are_skipped_with_the_reason(tmp_path: Path) -> None:
    done = _collect("tests/search/test_search_queries.py", CI="false")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"\b\d+ skipped", done.stdout) and " passed" not in done.stdout
    assert "node is not on PATH (apt-get install nodejs)" in done.stdout
