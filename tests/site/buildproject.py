"""A self-contained project in a temporary folder (config, overrides, docs, data) to build."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.site.build import BuildReport, build_site
from generator.site.write import copy_handwritten_docs

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
# Generous: the machine running the tests may be busy with other builds.
DEADLINE_S = 300.0


@dataclass
class Project:
    """A project folder: mkdocs.yml (relative paths), overrides/, docs/, data/, site/."""

    root: Path

    @property
    def config(self) -> Path:
        """Return the project's mkdocs.yml."""
        return self.root / "mkdocs.yml"

    @property
    def data(self) -> Path:
        """Return the project's data folder."""
        return self.root / "data"

    @property
    def docs(self) -> Path:
        """Return the project's docs folder."""
        return self.root / "docs"

    @property
    def site(self) -> Path:
        """Return the project's site folder."""
        return self.root / "site"

    def build(self, *, clean: bool = False) -> BuildReport:
        """Build the project's data into its own site."""
        return build_site(self.data, config_file=self.config, clean=clean, echo=lambda _: None)

    def copy(self, target: Path) -> Project:
        """Copy the whole project (built site included) to `target`.

        Not the trash of replaced sites, which a deleter may be emptying meanwhile.
        """
        shutil.copytree(
            self.root, target, symlinks=True, ignore=shutil.ignore_patterns(".site.trash")
        )
        return Project(target)

    def clean_build_elsewhere(self, target: Path) -> Path:
        """Build the same data, config and hand-written docs from scratch; return that site."""
        docs = copy_handwritten_docs(self.docs, target / "docs")
        build_site(
            self.data,
            docs,
            target / "site",
            config_file=self.config,
            clean=True,
            echo=lambda _: None,
        )
        return target / "site"


def make_project(root: Path, data: Path = FIXTURE_DATA) -> Project:
    """Lay out a project from the repository's config, overrides and hand-written docs."""
    root.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text("utf-8"))
    config["docs_dir"] = "docs"
    config["site_dir"] = "site"
    config["theme"]["custom_dir"] = "overrides"
    (root / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8"
    )
    shutil.copytree(ROOT / "overrides", root / "overrides")
    copy_handwritten_docs(ROOT / "docs", root / "docs")
    shutil.copytree(data, root / "data")
    return Project(root)


def tree_digests(root: Path) -> dict[str, str]:
    """Return the sha256 of every file under a folder (hidden ones too), by relative path."""
    found: dict[str, str] = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            found[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def differences(first: Path, second: Path) -> list[str]:
    """Return the files that differ between two folders (or exist in one only)."""
    a, b = tree_digests(first), tree_digests(second)
    return sorted(p for p in a.keys() | b.keys() if a.get(p) != b.get(p))


def wait_for(condition: Callable[[], bool], what: str, deadline_s: float = DEADLINE_S) -> None:
    """Poll a condition until it holds; fail naming `what` after a generous deadline."""
    end = time.monotonic() + deadline_s
    while not condition():
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def run_paused_build(project: Project, patch: str, log: Path) -> subprocess.Popen[bytes]:
    """Start a build in another process after running `patch` (Python) in it; log its output.

    `patch` replaces a function of the build with one that stops at a chosen moment, so the
    test can act while the build is there (kill it, or start a second build).
    """
    script = (
        "import sys, time, pathlib\n"
        "from generator.site.build import build_site\n"
        f"{patch}\n"
        f"build_site(pathlib.Path({str(project.data)!r}), "
        f"config_file=pathlib.Path({str(project.config)!r}))\n"
    )
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
        )


def run_cli_build(project: Project, *args: str, log: Path) -> subprocess.Popen[bytes]:
    """Start `paperbrief build` on the project in another process; log its output."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator",
                "build",
                "--data",
                str(project.data),
                "--config-file",
                str(project.config),
                *args,
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def fetch(url: str) -> str | None:
    """Return the text at url, or None while nothing answers there."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


@contextlib.contextmanager
def serving(project: Project, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run `paperbrief serve` on the project at a free port, its output into `log`.

    Yield the process and the site's base URL; stop it with Ctrl-C (SIGINT) at the end.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with log.open("wb") as out:
        server = subprocess.Popen(
            [
                *(sys.executable, "-m", "generator", "serve"),
                *("--data", str(project.data), "--config-file", str(project.config)),
                *("-a", f"127.0.0.1:{port}"),
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield server, f"http://127.0.0.1:{port}/paperbrief/"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
