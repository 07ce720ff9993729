"""Preview the site: rebuild it incrementally when a record, a page or a template changes.

`paperbrief serve` runs the same build as `paperbrief build` (generator, MkDocs, Pagefind) into
the configured site folder, so a save rebuilds only the pages it touches (incremental.py) and
the search works in the preview. MkDocs' live-reload server serves that folder and reloads the
browser after each build. A build that fails (invalid data, a broken template) is reported and
the preview keeps showing the last good site; the swap (publish.py) means a reader never sees a
half-built one. A save that changes only paper records first publishes just their pages, within
a second or two, then builds the site as always (quickpreview.py).
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
from generator.site.build import BuildReport, PendingSearch, build_site, load_mkdocs_config
from generator.site.publish import published_site
from generator.site.quickpreview import QuickPreview
from generator.site.search import KeptSearch
from generator.site.write import OWNED_DIRS, OWNED_FILES

CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved"})


class PreviewBuilder:
    """Build the preview; report problems and keep the last good site when a build fails.

    A build publishes its pages as soon as MkDocs has written them; when its paper pages must
    be indexed again, the search keeps the last build's bundle until Pagefind is done, then
    the new bundle is swapped in and `on_search` is called (serve_site reloads the browsers).
    The next build waits for that first.

    The files the watcher saw change (`note`) may be paper records alone: the build then first
    publishes their pages (quickpreview.py) and calls `on_preview` (serve_site shows them),
    and calls it again once the site is built. When the build fails, the pages it previewed
    are put back as they were.
    """

    def __init__(
        self,
        data_dir: Path,
        config_file: Path,
        *,
        echo: Callable[[str], None],
        on_error: Callable[[PaperbriefError], None],
        on_search: Callable[[], None] = lambda: None,
        on_preview: Callable[[], None] = lambda: None,
    ) -> None:
        self.data_dir = data_dir
        self.config_file = config_file
        self.echo = echo
        self.on_error = on_error
        self.on_search = on_search
        self.on_preview = on_preview
        self.last: BuildReport | None = None
        # The last build's search bundle, while it is being made.
        self.pending: threading.Thread | None = None
        # Pagefind, kept running with the published articles from one build to the next.
        self.search = KeptSearch()
        self._lock = threading.Lock()
        self.quick = QuickPreview(config_file)
        # Files changed since the last build began (the watcher's `note`).
        self._changes: set[str] = set()
        self._changes_lock = threading.Lock()

    def note(self, path: str) -> None:
        """Note a changed source file, for the next build's preview of paper pages."""
        with self._changes_lock:
            self._changes.add(path)

    def build(self) -> bool:
        """Build now (incrementally); return whether the new site is published."""
        with self._lock:
            with self._changes_lock:
                changes, self._changes = self._changes, set()
            previewed = self._preview(changes) if changes else False
            self.wait_for_search()
            start = time.perf_counter()
            self.quick.before_build()
            try:
                report = build_site(
                    self.data_dir,
                    config_file=self.config_file,
                    echo=self.echo,
                    removal="thread",
                    defer_search=True,
                    keep=True,
                    keep_search=self.search,
                )
            except PaperbriefError as exc:
                self.on_error(exc)
                if self.quick.put_back():
                    self.echo("the previewed pages are back as the last site had them")
                    self.on_preview()
                return False
            self.last = report
            self.quick.keep(report.kept)
            self.echo(
                f"rebuilt in {time.perf_counter() - start:.1f} s: {report.written} docs written, "
                f"{report.rendered} pages rendered, {report.reused} reused"
                + (", search index following" if report.pending_search else "")
            )
            if report.pending_search is not None:
                self.pending = threading.Thread(
                    target=self._publish_search,
                    args=(report.pending_search, start),
                    name="paperbrief-search-wait",
                    daemon=True,
                )
                self.pending.start()
            if previewed:
                self.on_preview()
            return True

    def _preview(self, changes: set[str]) -> bool:
        """Publish the pages of changed paper records at once, if that is all that changed."""
        try:
            done = self.quick.preview(sorted(changes))
        except Exception as exc:  # a preview must never stop the build
            self.echo(f"no quick preview ({type(exc).__name__}: {exc}); rebuilding the site")
            return False
        if done is None:
            return False
        pages = "page" if len(done.urls) == 1 else "pages"
        self.echo(
            f"{pages} {', '.join(done.urls)} previewed in {done.seconds:.1f} s; rebuilding the site"
        )
        self.on_preview()
        return True

    def close(self) -> None:
        """Stop the Pagefind process kept for the next build; wait for nothing.

        A build or search bundle still under way is left to end with the preview's process: the
        published site then keeps the last build's bundle, which its manifest describes, and
        Pagefind ends when its input closes.
        """
        self.search.close()

    def wait_for_search(self) -> None:
        """Wait until the last build's search bundle is published (or has failed)."""
        if self.pending is not None:
            self.pending.join()
            self.pending = None

    def _publish_search(self, pending: PendingSearch, start: float) -> None:
        try:
            search = pending.wait()
        except PaperbriefError as exc:
            self.on_error(exc)
            self.echo("the search keeps the last build's index")
            return
        self.echo(
            f"search index of {search.pages} paper pages published "
            f"{time.perf_counter() - start:.1f} s after the build started"
        )
        self.on_search()


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
            self.site.parent / f".{self.site.name}.{kind}"
            for kind in ("new", "old", "trash", "search")
        )
        if target.is_relative_to(self.site) or any(target.is_relative_to(p) for p in beside):
            return False  # the build's own output
        if target.is_relative_to(self.docs):
            parts = target.relative_to(self.docs).parts
            # Generated pages are written by the build from the data: not a reason to build.
            return bool(parts) and parts[0] not in OWNED_DIRS and parts[0] not in OWNED_FILES
        return True


def _watch(
    observer: Any,
    changes: ChangeFilter,
    rebuild: Callable[[], None],
    paths: list[Path],
    note: Callable[[str], None] = lambda _: None,
) -> None:
    """Schedule the watched folders; `note` each wanted file, then `rebuild`."""
    from watchdog.events import FileSystemEvent, FileSystemEventHandler

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Reading files fires "opened" and "closed" events: reacting to them would loop.
            if event.event_type not in CHANGE_EVENTS or event.is_directory:
                return
            wanted = [
                str(p)
                for p in (event.src_path, getattr(event, "dest_path", ""))
                if changes.wants(str(p))
            ]
            for path in wanted:
                note(path)
            if wanted:
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
    server: Any = None

    def reload_browsers() -> None:
        # A new search bundle is in place: reload the pages as the server does after a build,
        # unless a build is under way (it reloads them when done).
        if server is None:
            return
        with server._epoch_cond:
            if server._visible_epoch == server._wanted_epoch:
                epoch = max(server._visible_epoch + 1, round(time.monotonic() * 1000))
                server._wanted_epoch = server._visible_epoch = epoch
                server._epoch_cond.notify_all()

    def show_now() -> None:
        # Previewed pages are in place, or the build that followed is done: reload the pages,
        # and serve the site while the build goes on (the server holds requests back until
        # its build is done).
        if server is None:
            return
        with server._epoch_cond:
            if server._visible_epoch != server._wanted_epoch:
                server._visible_epoch = server._wanted_epoch
            else:
                epoch = max(server._visible_epoch + 1, round(time.monotonic() * 1000))
                server._wanted_epoch = server._visible_epoch = epoch
            server._epoch_cond.notify_all()

    builder = PreviewBuilder(
        data_dir,
        config_file,
        echo=echo,
        on_error=on_error,
        on_search=reload_browsers,
        on_preview=show_now,
    )
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
    _watch(observer, changes, rebuild, watched, builder.note)
    observer.start()
    try:
        server.serve(open_in_browser=open_browser)
    except KeyboardInterrupt:
        echo("stopping the preview")
    finally:
        server.shutdown()
        observer.stop()
        observer.join()
        builder.close()
