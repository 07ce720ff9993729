"""Preview the site: regenerate pages when a YAML record changes, let MkDocs reload the browser."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.errors import PaperbriefError
from generator.site.build import generate_docs, load_mkdocs_config, settings_from_config

DEBOUNCE_S = 0.3
CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved"})


class Regenerator:
    """Regenerate the docs from the data, at most once per burst of file events."""

    def __init__(
        self,
        data_dir: Path,
        docs_dir: Path,
        settings: Any,
        *,
        echo: Callable[[str], None],
        on_error: Callable[[PaperbriefError], None],
    ) -> None:
        self.data_dir = data_dir
        self.docs_dir = docs_dir
        self.settings = settings
        self.echo = echo
        self.on_error = on_error
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def run(self) -> bool:
        """Regenerate now; report problems and keep the previous pages if the data is invalid."""
        with self._lock:
            try:
                _collection, result, _pages, _timings = generate_docs(
                    self.data_dir, self.docs_dir, self.settings
                )
            except PaperbriefError as exc:
                self.on_error(exc)
                return False
        self.echo(
            f"regenerated: {len(result.written)} page(s) written, {len(result.removed)} removed"
        )
        return True

    def schedule(self, path: str) -> None:
        """Note a changed file; regenerate shortly after the last change of a burst."""
        if not path.endswith((".yaml", ".yml")):
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = threading.Timer(DEBOUNCE_S, self.run)
        self._timer.daemon = True
        self._timer.start()


SERVE_HOOKS = Path(__file__).with_name("serve_hooks.py")


def _configured_hooks(config: Any) -> list[str]:
    """Return the hook files mkdocs.yml lists itself, so ours is added to them, not instead."""
    base = Path(config.config_file_path).parent
    return [str(base / name) for name in config.get("hooks") or {}]


def serve_site(
    data_dir: Path,
    *,
    config_file: Path = Path("mkdocs.yml"),
    dev_addr: str | None = None,
    open_browser: bool = False,
    echo: Callable[[str], None] = print,
    on_error: Callable[[PaperbriefError], None],
) -> None:
    """Generate the docs, watch the data directory, and run `mkdocs serve` until interrupted."""
    from mkdocs.commands.serve import serve
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    config = load_mkdocs_config(config_file)
    regen = Regenerator(
        data_dir, Path(config.docs_dir), settings_from_config(config), echo=echo, on_error=on_error
    )
    if not regen.run():
        echo("fix the problems above; the preview starts with the pages generated last time")

    class Handler(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            # Reading the records fires "opened" and "closed" events: reacting to them would loop.
            if event.event_type not in CHANGE_EVENTS:
                return
            for path in (event.src_path, getattr(event, "dest_path", "")):
                regen.schedule(str(path))

    observer = Observer()
    observer.schedule(Handler(), str(data_dir), recursive=True)
    observer.start()
    try:
        # MkDocs watches docs/: the pages written above trigger its rebuild and browser reload.
        serve(
            config_file=str(config_file),
            livereload=True,
            dev_addr=dev_addr,
            open_in_browser=open_browser,
            # Pagefind after every preview build, so the search page works (serve_hooks.py).
            hooks=[*_configured_hooks(config), str(SERVE_HOOKS)],
        )
    finally:
        observer.stop()
        observer.join()
