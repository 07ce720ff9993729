"""A full disk, a read-only file system or a file-size limit ends in one message, not a traceback.

Each fault is injected where files are written (the atomic writer, MkDocs' writer) or made real
(RLIMIT_FSIZE in a subprocess); the command must exit non-zero with one message naming the file
and the next step, and leave every file whole: the old version or the new one.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hostile_build import clean_env, make_project
from hostile_fakes import CANARY, FakeMistral, serve, write_quickquant_data

from generator.cli import main

ERRNOS = {
    errno.ENOSPC: "no space left on the device",
    errno.EROFS: "read-only file system",
    errno.EFBIG: "over the file-size limit",
    errno.EACCES: "permission denied",
}


def _data(root: Path, papers: int = 3) -> Path:
    return write_quickquant_data(root / "data", [f"p{i}" for i in range(papers)], report=True)


def _fail_under(monkeypatch: pytest.MonkeyPatch, root: Path, code: int, where: str) -> list[str]:
    """Make `where` (os.replace, os.link, mkstemp, a write) fail with `code` for files under root."""
    hits: list[str] = []
    real_replace, real_link, real_mkstemp = os.replace, os.link, tempfile.mkstemp
    real_fdopen = os.fdopen

    def fails(path: Any) -> bool:
        return str(path).startswith(str(root))

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if where == "replace" and fails(dst):
            hits.append(str(dst))
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
        real_replace(src, dst, *args, **kwargs)

    def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if where == "replace" and fails(dst):
            hits.append(str(dst))
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
        real_link(src, dst, *args, **kwargs)

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if where == "mkstemp" and fails(kwargs.get("dir", "")):
            hits.append(str(kwargs["dir"]))
            raise OSError(code, os.strerror(code), str(kwargs["dir"]) + "/.x.tmp")
        return real_mkstemp(*args, **kwargs)

    class _Failing:
        """A file whose write fails as a full disk would: no file name in the error."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> _Failing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def write(self, data: bytes) -> int:
            hits.append("write")
            raise OSError(code, os.strerror(code))

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real_fdopen(fd, *args, **kwargs)
        name = os.readlink(f"/proc/self/fd/{fd}") if Path("/proc/self/fd").exists() else ""
        if where == "write" and fails(name) and "w" in (args[0] if args else "r"):
            return _Failing(handle)
        return handle

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "link", link)
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "fdopen", fdopen)
    return hits


def _assert_one_clear_message(result: Result, code: int, names: str) -> None:
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    err = result.stderr
    assert "Traceback" not in result.output
    # warnings about the configuration may come first; then one error, and nothing else
    lines = [line for line in err.splitlines() if line.strip() and "warning: " not in line]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert ERRNOS[code] in lines[0], err
    assert names in lines[0], err
    assert "run the command" in lines[0], err


def _no_temporary_files(root: Path) -> None:
    assert not [p for p in root.rglob("*.tmp")], list(root.rglob("*.tmp"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project: mkdocs.yml, overrides, hand-written docs and a data directory."""
    return make_project(tmp_path / "base", _data(tmp_path / "src"))


def _build(project: Path, site: Path) -> Result:
    return CliRunner().invoke(
        main,
        [
            "build",
            "--data",
            str(project / "data"),
            "--config-file",
            str(project / "mkdocs.yml"),
            "--site-dir",
            str(site),
        ],
    )


@pytest.mark.parametrize("code", list(ERRNOS))
@pytest.mark.parametrize("where", ["replace", "mkstemp", "write"])
def test_build_writing_docs_ends_in_one_message(
    project: Path, monkeypatch: pytest.MonkeyPatch, code: int, where: str
) -> None:
    monkeypatch.chdir(project)
    hits = _fail_under(monkeypatch, project / "docs", code, where)
    result = _build(project, project.parent / "site")
    assert hits, "the fault was never reached"
    _assert_one_clear_message(result, code, str(project / "docs"))
    _no_temporary_files(project)


@pytest.mark.slow
def test_build_writing_the_site_ends_in_one_message(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import mkdocs.utils

    site = tmp_path / "site"
    real = mkdocs.utils.write_file

    def write_file(content: bytes, output_path: str) -> None:
        if output_path.endswith("index.html") and "papers" in output_path:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), output_path)
        real(content, output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", write_file)
    monkeypatch.chdir(project)
    result = _build(project, site)
    _assert_one_clear_message(result, errno.ENOSPC, "papers")


@pytest.mark.parametrize("code", list(ERRNOS))
def test_import_report_ends_in_one_message_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    source = _data(tmp_path / "src")
    from generator.authoring.export import export_report
    from generator.records.load import load_collection

    report = tmp_path / "report.md"
    report.write_text(export_report(load_collection(source), "r"), "utf-8")
    data = _data(tmp_path / "dst", papers=0)
    (data / "reports" / "r.yaml").unlink()
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    _fail_under(monkeypatch, data / "papers", code, "replace")
    result = CliRunner().invoke(main, ["import-report", str(report), "--data", str(data)])
    _assert_one_clear_message(result, code, str(data / "papers"))
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_new_ends_in_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    data = _data(tmp_path, papers=0)
    _fail_under(monkeypatch, data / "papers", code, "mkstemp")
    result = CliRunner().invoke(main, ["new", "fresh-paper", "--data", str(data)])
    _assert_one_clear_message(result, code, str(data / "papers"))
    assert not (data / "papers" / "fresh-paper.yaml").exists()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG])
def test_export_report_to_a_file_ends_in_one_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    data = _data(tmp_path)
    out = tmp_path / "out" / "report.md"
    out.parent.mkdir()
    out.write_text("the previous export\n", "utf-8")
    _fail_under(monkeypatch, out.parent, code, "write")
    result = CliRunner().invoke(main, ["export-report", "r", "--data", str(data), "-o", str(out)])
    _assert_one_clear_message(result, code, str(out))
    assert out.read_text("utf-8") == "the previous export\n"


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_enrich_ends_in_one_message_and_keeps_what_it_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    data = _data(tmp_path, papers=2)
    hits = _fail_under(monkeypatch, data / "enrichment", code, "replace")
    with serve(FakeMistral()) as url:
        result = CliRunner().invoke(
            main,
            ["enrich", "--briefs", "--data", str(data)],
            env={"MISTRAL_API_KEY": CANARY, "MISTRAL_SERVER_URL": url},
        )
    assert hits
    assert CANARY not in result.output
    err = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.exit_code == 1 and len(err) == 1, result.output
    assert ERRNOS[code] in err[0] and str(data / "enrichment") in err[0]
    assert "Traceback" not in result.output
    _no_temporary_files(data)


# ---- a real file-size limit, in a subprocess ---------------------------------------------------


def _limited(limit: int) -> Callable[[], None]:
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return set_limit


def _docs_files(docs: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(docs.rglob("*")):
        if path.is_file():
            yield path.relative_to(docs).as_posix(), path.read_bytes()


@pytest.mark.skipif(not hasattr(resource, "RLIMIT_FSIZE"), reason="no RLIMIT_FSIZE here")
def test_a_file_size_limit_during_a_rebuild_leaves_every_page_whole(tmp_path: Path) -> None:
    project = make_project(tmp_path / "base", _data(tmp_path / "src", papers=4))
    env = clean_env(tmp_path / "base")
    command = [
        sys.executable,
        "-m",
        "generator",
        "build",
        "--data",
        str(project / "data"),
        "--config-file",
        str(project / "mkdocs.yml"),
        "--site-dir",
        str(tmp_path / "site"),
    ]
    first = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    old = dict(_docs_files(project / "docs"))
    # every paper page grows past the limit: the rewrite of the first one fails
    big = "长" * 19_000
    for path in (project / "data" / "papers").glob("*.yaml"):
        lines = path.read_text("utf-8").splitlines()
        lines = [line for line in lines if not line.startswith("abstract:")]
        path.write_text("\n".join([*lines, f"abstract: {json.dumps(big)}", ""]), "utf-8")
    # Above every paper page of the first build; the hand-written docs, which the rebuild leaves
    # alone, may be larger (they grow with the project's documentation).
    limit = max(len(v) for k, v in old.items() if k.startswith("papers/")) + 1024
    assert limit < len(big.encode())
    second = subprocess.run(
        command,
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_limited(limit),
    )
    assert second.returncode == 1, second.stderr
    assert "Traceback" not in second.stderr
    (line,) = [x for x in second.stderr.splitlines() if x.startswith("error: ")]
    assert "over the file-size limit" in line and str(project / "docs") in line
    new = dict(_docs_files(project / "docs"))
    assert set(new) == set(old)  # nothing half-written, nothing removed
    for name, data in new.items():
        assert data == old[name] or len(data) < limit, name
    _no_temporary_files(project / "docs")


def test_messages_name_the_file_even_when_the_write_itself_fails(tmp_path: Path) -> None:
    from generator.errors import FileSystemFailed
    from generator.records.store import atomic_write

    target = tmp_path / "x" / "page.md"
    with pytest.MonkeyPatch.context() as patch:
        _fail_under(patch, tmp_path, errno.ENOSPC, "write")
        with pytest.raises(OSError) as caught:
            atomic_write(target, "text")
    assert caught.value.filename == str(target)
    message = FileSystemFailed.from_os_error(caught.value).format_message()
    assert str(target) in message and "free some space" in message
    assert not list(target.parent.iterdir())
