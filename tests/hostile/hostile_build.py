"""Run paperbrief as a user would: a subprocess, network blocked, no keys, in a scratch project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from hostile_payloads import SNIPPET_SENTINEL

from generator.site.write import OWNED_DIRS, OWNED_FILES, _is_generated

ROOT = Path(__file__).resolve().parents[2]

# Loaded by every subprocess through PYTHONPATH: refuses sockets (loopback only when allowed),
# logs each attempt, and can shorten the brief client's timeout so a "timeout" takes a second.
SITECUSTOMIZE = '''\
"""Test harness (tests/hostile): no network for this process."""
import os
import socket

_LOG = os.environ.get("PB_GUARD_LOG")
_LOOPBACK = os.environ.get("PB_ALLOW_LOOPBACK") == "1"
_LOCAL = ("127.0.0.1", "localhost", "::1")


def _note(line):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as handle:
            handle.write(line + "\\n")


_note(f"loaded {os.getpid()}")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _allowed(sock, address):
    if sock.family == getattr(socket, "AF_UNIX", None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    return _LOOPBACK and host in _LOCAL


def connect(self, address):
    if not _allowed(self, address):
        _note(f"blocked connect {address!r}")
        raise OSError(f"network access blocked by the test harness: {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(self, address):
        _note(f"blocked connect_ex {address!r}")
        raise OSError(f"network access blocked by the test harness: {address!r}")
    return _connect_ex(self, address)


def getaddrinfo(host, *args, **kwargs):
    name = host.decode() if isinstance(host, bytes) else host
    if not (_LOOPBACK and name in _LOCAL) and name is not None:
        _note(f"blocked getaddrinfo {host!r}")
        raise socket.gaierror(f"name resolution blocked by the test harness: {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
socket.getaddrinfo = getaddrinfo

if os.environ.get("PB_BRIEF_TIMEOUT_S"):
    import dataclasses

    from generator.enrich.briefs import run as _run

    _from_env = _run.BriefSettings.from_env.__func__

    def _short(cls, environ=None, **options):
        settings = _from_env(cls, environ, **options)
        return dataclasses.replace(
            settings,
            timeout_s=float(os.environ["PB_BRIEF_TIMEOUT_S"]),
            max_attempts=int(os.environ.get("PB_BRIEF_ATTEMPTS", "2")),
        )

    _run.BriefSettings.from_env = classmethod(_short)
'''

_SECRET_WORDS = ("KEY", "TOKEN", "SECRET", "PASSWORD", "MISTRAL", "PROXY")


def clean_env(base: Path, **extra: str) -> dict[str, str]:
    """Return an environment with no keys, tokens or proxies, HOME and caches inside `base`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not any(word in k.upper() for word in _SECRET_WORDS)
        and k not in {"SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "GITHUB_ACTIONS", "PYTHONPATH"}
    }
    guard = base / "guard"
    guard.mkdir(parents=True, exist_ok=True)
    (guard / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    for name in ("home", "cache", "tmp"):
        (base / name).mkdir(exist_ok=True)
    env.update(
        PYTHONPATH=os.pathsep.join([str(guard), str(ROOT)]),
        PB_GUARD_LOG=str(base / "guard.log"),
        HOME=str(base / "home"),
        XDG_CACHE_HOME=str(base / "cache"),
        TMPDIR=str(base / "tmp"),
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def guard_log(base: Path) -> list[str]:
    """Return the lines the socket guard wrote (one `loaded` per process, one per blocked call)."""
    path = base / "guard.log"
    return path.read_text("utf-8").splitlines() if path.exists() else []


def make_project(base: Path, data: Path) -> Path:
    """Lay out a scratch repository: mkdocs.yml, overrides, hand-written docs and a data copy."""
    project = base / "project"
    project.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", project / "overrides")
    docs = project / "docs"
    docs.mkdir()
    for item in sorted((ROOT / "docs").iterdir()):
        if item.name in OWNED_DIRS:
            continue
        if item.is_dir():
            shutil.copytree(item, docs / item.name)
        elif item.name not in OWNED_FILES and not _is_generated(item, item.name):
            shutil.copy2(item, docs / item.name)
    shutil.copytree(data, project / "data")
    # what a `--8<--` marker would pull in if snippets ever ran on record text
    (project / "snippet-target.md").write_text(SNIPPET_SENTINEL + "\n", encoding="utf-8")
    return project


@dataclass
class Run:
    """A finished subprocess: its exit code and output."""

    returncode: int
    stdout: str
    stderr: str


@dataclass
class HostileSite:
    """The hostile data, the scratch project it was built in, and the build's outcome."""

    base: Path
    data: Path
    project: Path
    site: Path
    run: Run
    guard: list[str]


def paperbrief(
    args: list[str], *, cwd: Path, env: dict[str, str], umask: int = 0o022, timeout: float = 300
) -> Run:
    """Run `python -m generator ARGS` and wait for it."""
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        umask=umask,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def build(project: Path, site: Path, *, cwd: Path, env: dict[str, str], umask: int = 0o022) -> Run:
    """Run `paperbrief build` on a scratch project into `site`."""
    return paperbrief(
        [
            "build",
            "--data",
            str(project / "data"),
            "--config-file",
            str(project / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
        cwd=cwd,
        env=env,
        umask=umask,
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Return every file under root by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def generated_docs(docs: Path) -> dict[str, bytes]:
    """Return the generated part of a docs directory by relative path."""
    files: dict[str, bytes] = {}
    for name in OWNED_FILES:
        if (docs / name).is_file():
            files[name] = (docs / name).read_bytes()
    for name in OWNED_DIRS:
        if (docs / name).is_dir():
            files.update({f"{name}/{k}": v for k, v in tree_bytes(docs / name).items()})
    return files
