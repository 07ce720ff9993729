"""Preview the site: rebuild it incrementally when a record, a page or a template changes.

`paperbrief serve` runs the same build as `paperbrief build` (generator, MkDocs, Pagefind) into
the configured site folder, so a save rebuilds only the pages it touches (incremental.py) and
the search works in the preview. MkDocs' live-reload server serves that folder and reloads the
browser after each build. A build that fails (invalid data, a broken template) is reported and
the preview keeps showing the last good site; the swap (publish.py) means a reader never sees a
half-built one.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.errors import PaperbriefError
from generator.site.build import BuildReport, build_site, load_mkdocs_config
from generator.site.publish import published_site
from generator.site.write import OWNED_DIRS, OWNED_FILES

CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved"})


class PreviewBuilder:
    """Build the preview; report problems and keep the last good site when a build fails."""

    def __init__(
        self,
        data_dir: Path,
        config_file: Path,
        *,
        echo: Callable[[str], None],
        on_error: Callable[[PaperbriefError], None],
    ) -> None:
        self.data_dir = data_dir
        self.config_file = config_file
        self.echo = echo
        self.on_error = on_error
        self.last: BuildReport | None = None
        self._lock = threading.Lock()

    def build(self) -> bool:
        """Build now (incrementally); return whether the new site is published."""
        with self._lock:
            start = time.perf_counter()
            try:
                report = build_site(
                    self.data_dir, config_file=self.config_file, echo=self.echo, removal="thread"
                )
            except PaperbriefError as exc:
                self.on_error(exc)
                return False
            self.last = report
            self.echo(
                f"rebuilt in {time.perf_counter() - start:.1f} s: {report.written} docs written, "
                f"{report.rendered} pages rendered, {report.reused} reused"
            )
            return True


class ChangeFilter:
    """Tell which file events ask for a rebuild: sources, not what the build itself writes."""

    def __init__(self, config_file: Path, docs_dir: Path, site_dir: Path) -> None:
        self.config_file = Path(os.path.abspath(config_file))
        self.docs = Path(os.path.abspath(docs_dir))
        self.site = Path(os.path.abspath(site_dir))

    def wants(self, path: str) -> bool:
        """Return whether a change to `path` should rebuild the preview."""
        if not path:
            return False
        target = Path(os.path.abspath(path))
        if target == self.config_file:
            return True
        if target.name.startswith(".") or target.name.endswith("~"):
            return False  # locks, temporary files, editor backups
        beside = (
            self.site.parent / f".{self.site.name}.{kind}" for kind in ("new", "old", "trash")
        )
        if target.is_relative_to(self.site) or any(target.is_relative_to(p) for p in beside):
            return False  # the build's own output
        if target.is_relative_to(self.docs):
            parts = target.relative_to(self.docs).parts
            # Generated pages are written by the build from the data: not a reason to build.
            return bool(parts) and parts[0] not in OWNED_DIRS and parts[0] not in OWNED_FILES
        return True


def _watch(
    observer: Any, changes: ChangeFilter, rebuild: Callable[[], None], paths: list[Path]
) -> None:
    """Schedule the watched folders; call `rebuild` for every wanted change."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Reading files fires "opened" and "closed" events: reacting to them would loop.
            if event.event_type not in CHANGE_EVENTS or event.is_directory:
                return
            if any(
                changes.wants(str(p)) for p in (event.src_path, getattr(event, "dest_path", ""))
            ):
                rebuild()

    handler = Handler()
    for path in paths:
        if path.is_dir():
            observer.schedule(handler, str(path), recursive=True)


def serve_site(
    data_dir: Path,
    *,
    config_file: Path = Path("mkdocs.yml"),
    dev_addr: str | None = None,
    open_browser: bool = False,
    echo: Callable[[str], None] = print,
    on_error: Callable[[PaperbriefError], None],
) -> None:
    """Build the site, serve it with live reload, rebuild on every saved change until stopped."""
    from mkdocs.livereload import LiveReloadServer
    from watchdog.observers import Observer

    config = load_mkdocs_config(config_file, dev_addr=dev_addr)
    site = published_site(Path(config.site_dir))
    builder = PreviewBuilder(data_dir, config_file, echo=echo, on_error=on_error)
    if not builder.build():
        echo("fix the problems above; the preview shows the last site that built")
    host, port = config.dev_addr.host, config.dev_addr.port

    def build() -> None:
        builder.build()  # a failed build is reported; the server then shows the last site

    server = LiveReloadServer(
        builder=build,
        host=host,
        port=port,
        root=str(site),
        mount_path=urlsplit(config.site_url or "/").path,
    )
    # A watched path is what makes the server add its reload script to pages; mkdocs.yml is
    # watched by the server's own (polling) observer, everything else by inotify below.
    server.watch(str(config_file))

    def rebuild() -> None:
        # What the server's own watcher does on a change: its build loop waits for the burst
        # of events to end, builds once, then reloads the browsers.
        with server._rebuild_cond:
            server._want_rebuild = True
            server._rebuild_cond.notify_all()

    changes = ChangeFilter(config_file, Path(config.docs_dir), site)
    custom_dir = getattr(config.theme, "custom_dir", None)
    watched = [Path(data_dir), Path(config.docs_dir)]
    if custom_dir:
        watched.append(Path(custom_dir))
    observer = Observer()
    _watch(observer, changes, rebuild, watched)
    observer.start()
    try:
        server.serve(open_in_browser=open_browser)  # type: ignore[no-untyped-call]
    except KeyboardInterrupt:
        echo("stopping the preview")
    finally:
        server.shutdown()
        observer.stop()
        observer.join()
