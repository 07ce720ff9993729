"""Index the built site with Pagefind: paper pages only, with filters and briefs, Chinese segmented."""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import hashlib
import json
import mmap
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import BuildFailed

BUNDLE_DIR = "pagefind"
# Only paper pages are search results; listings, technique, institution and report pages are
# reached through the filters and links instead, so no page holds a listing's worth of text.
PAGE_GLOB = "papers/*/index.html"
ROOT_SELECTOR = "article"
# Material's "¶" permalinks would glue onto the heading's last word; related papers' titles
# are other papers' text; the edit button and source-file dates are chrome.
EXCLUDE_SELECTORS = (".headerlink", ".pb-noindex", ".md-content__button", ".md-source-file")
# A page Pagefind finds no word in is left out of the index: a new page's place holder while
# the last build's articles are sent ahead (mkdocs_hooks.SearchFeed).
EMPTY_ARTICLE = "<!DOCTYPE html><html><head></head><body><article></article></body></html>"
# The bundle files whose bytes depend on Rust hash-map order (see canonicalize_bundle).
_PF_PREFIX = b"pagefind_dcd"


@dataclass
class SearchIndexReport:
    """What the Pagefind run indexed and how long it took."""

    pages: int
    seconds: float
    bundle_bytes: int
    # True when the last build's bundle was linked: it was made from the same pages.
    reused: bool = False


def pagefind_executable() -> Path:
    """Return the Pagefind binary of the installed `pagefind[extended]` wheel."""
    try:
        from pagefind.service import get_executable
    except ImportError as exc:  # pragma: no cover - a declared dependency
        raise BuildFailed(
            "the pagefind package is missing: pip install 'pagefind[extended]==1.5.2'"
        ) from exc
    found = get_executable()
    if found is None:
        raise BuildFailed(
            "no Pagefind binary found: install 'pagefind[extended]==1.5.2' (it ships the binary)"
        )
    return Path(found)


def index_search(site_dir: Path, *, language: str = "zh") -> SearchIndexReport:
    """Run Pagefind over the built paper pages; write the bundle to site_dir/pagefind/."""
    start = time.perf_counter()
    site = Path(site_dir)
    bundle = site / BUNDLE_DIR
    if not any((site / "papers").glob("*/index.html")):
        # Pagefind refuses an empty index; the search page then says the index is missing.
        return SearchIndexReport(pages=0, seconds=time.perf_counter() - start, bundle_bytes=0)
    command = [
        str(pagefind_executable()),
        "--site",
        str(site),
        "--output-subdir",
        BUNDLE_DIR,
        "--glob",
        PAGE_GLOB,
        "--root-selector",
        ROOT_SELECTOR,
        "--force-language",
        _index_language(language),
    ]
    for selector in EXCLUDE_SELECTORS:
        command += ["--exclude-selectors", selector]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip())[-2000:]
        raise BuildFailed(f"pagefind failed indexing {site} (exit {done.returncode}):\n{detail}")
    found = re.search(r"Indexed (\d+) pages?", done.stdout)
    canonicalize_bundle(bundle)
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return SearchIndexReport(
        pages=int(found.group(1)) if found else 0,
        seconds=time.perf_counter() - start,
        bundle_bytes=size,
    )


def _index_language(language: str) -> str:
    # One index in the language of the briefs: the extended build segments Chinese only for
    # zh, and an English interface still shows Chinese briefs.
    return "zh" if language.lower().startswith("zh") or language == "en" else language


def is_search_page(dest_uri: str) -> bool:
    """Return whether a built file is a paper page, the only kind Pagefind indexes."""
    parts = dest_uri.split("/")
    return len(parts) == 3 and parts[0] == "papers" and parts[2] == "index.html"


@dataclass(frozen=True)
class _AfterPages:
    """A message to send only once Pagefind has answered the first `pages` AddFile messages."""

    data: bytes
    pages: int


class _MessageSplitter:
    """Cut Pagefind's replies (base64 messages, each ending in a comma) out of what is read.

    The bundle comes as one message of tens of MB in 64 KiB reads: the pieces of an unfinished
    message are kept apart and joined once, when its comma arrives. Adding each read to one
    growing buffer and splitting that again took 5.9 s for the 30 MB of 10,000 papers.
    """

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        """Return the messages that `chunk` completes, in order."""
        if b"," not in chunk:
            if chunk:
                self._pieces.append(chunk)
            return []
        first, *rest = chunk.split(b",")
        messages = [b"".join([*self._pieces, first]), *rest[:-1]]
        self._pieces = [rest[-1]] if rest[-1] else []
        return messages


class PagefindStream:
    """A Pagefind `--service` process that indexes paper pages while MkDocs builds the site.

    Pagefind works on one core, MkDocs on the other. `add` queues a page (a writer thread sends
    it, so MkDocs never waits on the pipe), `write` starts writing the bundle once the last page
    is queued, and `finish` waits for all of it. The settings (root and excluded selectors,
    language) are those of `index_search`, which runs the command line over a finished site.

    The protocol is the one the `pagefind` Python package speaks (base64 JSON messages ending in
    a comma); its own client polls for each reply 0.1 s apart, too slow for 10,000 pages.
    """

    # No reply for this long means Pagefind is stuck: fail the build rather than hang it.
    REPLY_TIMEOUT = 600.0

    def __init__(
        self, language: str, *, bundle_site: Path | None = None, keep: bool = False
    ) -> None:
        self._language = language
        # Kept running after `finish`, its pages still in, for a preview's next build (KeptSearch).
        self._keep = keep
        # The articles it then holds: the manifest's search_bundle digest of the build that sent them.
        self.holds: str | None = None
        # Where the bundle goes when it is not the site being built (`write` says otherwise).
        self.bundle_site = bundle_site
        # URLs sent with the last build's articles before this build knew its pages (`ahead`).
        self._sent_ahead: list[str] = []
        self._ahead_thread: threading.Thread | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: Any = None
        self._replies: dict[int, dict[str, Any]] = {}
        self._ready = threading.Condition()
        # Messages for the writer thread; a _AfterPages waits for earlier pages' replies first.
        self._queue: queue.SimpleQueue[bytes | _AfterPages | None] = queue.SimpleQueue()
        self._answered = 0  # replies to AddFile messages received so far
        self._next_id = 0
        self._pages: dict[int, str] = {}
        # The URLs in the current index (a page added again replaces its first version).
        self._urls: set[str] = set()
        # Every URL sent, in the order Pagefind first saw it: its place, emptied or not.
        self._places: dict[str, None] = {}
        self._write_id: int | None = None
        self._hold = False  # the bundle's files are written by finish(), not the reader
        self._bundle: Path | None = None
        self._index_id = 0
        # A bundle of the last build to link instead of indexing (reuse_bundle), and its pages.
        self._reused: tuple[Path, int] | None = None
        self._unchanged_from: Path | None = None
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._writer = threading.Thread(target=self._write, daemon=True)
        self._start()

    def _start(self) -> None:
        """Start Pagefind and its index."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
        # What Pagefind says on stderr (a panic, say) goes into the error message.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._proc = subprocess.Popen(
            [str(pagefind_executable()), "--service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
        )
        self._reader.start()
        self._writer.start()
        self._index_id = int(
            self._wait(self._send({"type": "NewIndex", "config": self._config()}))["index_id"]
        )

    def _config(self) -> dict[str, Any]:
        return {
            "root_selector": ROOT_SELECTOR,
            "exclude_selectors": list(EXCLUDE_SELECTORS),
            "force_language": _index_language(self._language),
        }

    def _send(self, payload: dict[str, Any], *, after_pages: int | None = None) -> int:
        """Queue a message; with `after_pages`, it waits for that many pages' replies first."""
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        # ensure_ascii=False: Chinese text goes as UTF-8, a third the size of ASCII escapes.
        data = base64.b64encode(json.dumps(message, ensure_ascii=False).encode("utf-8")) + b","
        self._queue.put(data if after_pages is None else _AfterPages(data, after_pages))
        return self._next_id

    def _write(self) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        while (chunk := self._queue.get()) is not None:
            if isinstance(chunk, _AfterPages):
                # Ask for the bundle only once every page is in, and send a page again only
                # once its first version is in: Pagefind's service does not promise to handle
                # messages in order, and when every page comes from the last build the request
                # follows the last AddFile at once.
                with self._ready:
                    self._ready.wait_for(functools.partial(self._answered_or_ended, chunk.pages))
                chunk = chunk.data
            try:
                self._proc.stdin.write(chunk)
                self._proc.stdin.flush()
            except (BrokenPipeError, ValueError):
                return  # the reader sees the process end and reports it

    def _answered_or_ended(self, pages: int) -> bool:
        """Tell whether the first `pages` pages are answered or the process ended (hold _ready)."""
        return self._answered >= pages or -1 in self._replies

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        messages_of = _MessageSplitter()
        while chunk := os.read(self._proc.stdout.fileno(), 1 << 16):
            messages = messages_of.feed(chunk)
            for raw in messages:
                reply = json.loads(base64.b64decode(raw))
                message_id = reply.get("message_id")
                if message_id is None:
                    # A message Pagefind could not read comes back without its id, but with
                    # the message itself; failing that, every wait fails with this reply.
                    with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
                        original = reply["payload"].get("original_message")
                        message_id = json.loads(original)["message_id"]
                key = int(message_id) if message_id is not None else -1
                payload = reply["payload"]
                if key == self._write_id and self._bundle is not None and not self._hold:
                    # The bundle, in memory: written here, on this thread, while MkDocs works.
                    payload = _write_bundle(payload, self._bundle, self._unchanged_from)
                with self._ready:
                    self._replies[key] = payload
                    if key in self._pages:
                        self._answered += 1
                    self._ready.notify_all()
        with self._ready:
            self._replies[-1] = {"type": "Error", "message": "the Pagefind process ended"}
            self._ready.notify_all()

    def _wait(self, message_id: int) -> dict[str, Any]:
        with self._ready:
            answered = self._ready.wait_for(
                lambda: message_id in self._replies or -1 in self._replies,
                timeout=self.REPLY_TIMEOUT,
            )
            reply = self._replies.pop(message_id, None) or self._replies.get(-1)
        if not answered or reply is None:
            reply = {"type": "Error", "message": f"no reply in {self.REPLY_TIMEOUT:.0f} s"}
        if reply.get("type") == "Error":
            page = self._pages.get(message_id)
            where = f" indexing {page}" if page else ""
            said = ""
            if self._stderr is not None:
                self._stderr.seek(0)
                said = self._stderr.read()[-2000:].decode("utf-8", "replace").strip()
            raise BuildFailed(
                f"pagefind failed{where}: {reply.get('message')}" + (f"\n{said}" if said else "")
            )
        return reply

    def add(self, html: str, url: str, *, replace: bool = False) -> None:
        """Queue one built page for indexing under its site-relative URL (/papers/x/).

        A page added again under its URL takes its first version's place in Pagefind's order
        of pages, which numbers the pages in the index; with `replace`, it is sent only once
        every page sent before it is in, so the first version cannot come after it.
        """
        before = len(self._pages)
        # Known as a page before it is sent, so its reply is counted however soon it comes.
        self._pages[self._next_id + 1] = url
        self._urls.add(url)
        self._places.setdefault(url, None)
        self._send(
            {"type": "AddFile", "index_id": self._index_id, "url": url, "file_contents": html},
            after_pages=before if replace else None,
        )

    def drop(self, url: str) -> None:
        """Take a page sent before out of the index: sent again with no words, it is left out."""
        self.add(EMPTY_ARTICLE, url, replace=True)
        self._urls.discard(url)

    @classmethod
    def ahead_of_build(cls, site: Path, language: str, *, keep: bool = False) -> PagefindStream:
        """Start Pagefind on the last build's articles, in its order, before this build runs.

        A thread reads the published site's manifest and search input pack and sends every
        article while the generator works on the other core; `ahead` says which pages went.
        SearchFeed then sends only what this build changed (mkdocs_hooks.SearchFeed.on_files).
        """
        stream = cls(language, keep=keep)
        stream._ahead_thread = threading.Thread(
            target=stream._send_last_articles, args=(site,), name="pagefind-ahead", daemon=True
        )
        stream._ahead_thread.start()
        return stream

    def _send_last_articles(self, site: Path) -> None:
        for url, article in last_articles(site):
            self.add(article, url)
            self._sent_ahead.append(url)

    def ahead(self) -> list[str]:
        """Return the URLs sent ahead of the build, in order, once all went.

        Ahead of the build means by `ahead_of_build`, or by the builds before, for a stream
        kept running (KeptSearch): then every URL it was ever sent, in the order Pagefind
        first saw it, since a page emptied since (a deleted paper) still holds its place.
        """
        if self._ahead_thread is not None:
            self._ahead_thread.join()
            self._ahead_thread = None
        return list(self._sent_ahead)

    def fresh(self) -> PagefindStream:
        """Drop this stream's process and pages; return a new, empty stream like it."""
        self.discard()
        return PagefindStream(self._language, bundle_site=self.bundle_site, keep=self._keep)

    def discard(self) -> None:
        """Stop Pagefind at once, whatever it has still to do, and forget its pages."""
        self.ahead()
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
        self.close()

    def write(self, site_dir: Path, *, hold: bool = False) -> None:
        """Start writing the bundle to site_dir/pagefind/ (call once every page is added).

        The build calls it after the last paper page, so the bundle is written while MkDocs
        still renders the other pages; `finish` waits for it. Pagefind hands the files over
        (GetFiles) and the reader thread writes them: Pagefind's own WriteFiles answered before
        its last files were written, and a build that finished soon after (every page reused
        from the last build) read an empty pagefind-entry.json. With `hold`, Pagefind makes the
        bundle at once but its files are written only by `finish` (a preview publishing its
        pages first: no file writing on the reader thread while MkDocs works).
        """
        if self._write_id is None and self._pages:
            self._hold = hold
            self._bundle = Path(self.bundle_site or site_dir).resolve() / BUNDLE_DIR
            # Known before it is sent, so the reader thread recognises the reply.
            self._write_id = self._next_id + 1
            self._send(
                {"type": "GetFiles", "index_id": self._index_id}, after_pages=len(self._pages)
            )

    def link_unchanged_from(self, previous: Path) -> None:
        """Link the files of the new bundle that the last build's bundle holds byte for byte.

        Most of them (every page's fragment, most index chunks) survive a small change; a link
        costs less than writing the file, and deleting the old site then frees almost nothing.
        """
        self._unchanged_from = previous

    @property
    def reusing(self) -> bool:
        """Tell whether the last build's bundle is linked instead of indexing (reuse_bundle)."""
        return self._reused is not None

    def reuse_bundle(self, previous: Path, pages: int) -> None:
        """Link the last build's bundle instead of indexing: it was made from the same pages.

        Pages already sent (ahead of the build) are dropped with the process, unless the
        stream is kept: they are the last build's articles, where the next build starts.
        """
        if self._write_id is not None:
            raise RuntimeError("the bundle was already asked for")
        if self._pages and not self._keep:
            self.discard()
        self._reused = (previous, pages)

    def finish(self, site_dir: Path) -> SearchIndexReport:
        """Wait for every page and the bundle, make the bundle deterministic, stop the process.

        The bundle is in site_dir/pagefind/, or in the folder given as `bundle_site` when the
        stream was made, unless the last build's was reused (always linked into site_dir).
        """
        start = time.perf_counter()
        bundle = Path(site_dir).resolve() / BUNDLE_DIR
        if self._reused is not None:
            previous, pages = self._reused
            if not (self._keep and self.wait_for_pages() and self._settle()):
                self.close()
            link_tree(previous, bundle)
            size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
            return SearchIndexReport(
                pages=pages, seconds=time.perf_counter() - start, bundle_bytes=size, reused=True
            )
        kept = False
        try:
            self.wait_for_pages()
            self.write(site_dir)
            if self._write_id is not None:
                reply = self._wait(self._write_id)
                if self._hold and self._bundle is not None:
                    written = _write_bundle(reply, self._bundle, self._unchanged_from)
                    if written.get("type") == "Error":
                        raise BuildFailed(f"pagefind failed: {written.get('message')}")
            bundle = self._bundle or bundle
            indexed = bool(self._pages)
            kept = self._keep and self._settle()
        finally:
            if not kept:
                self.close()
        size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file()) if indexed else 0
        return SearchIndexReport(
            pages=len(self._urls), seconds=time.perf_counter() - start, bundle_bytes=size
        )

    def wait_for_pages(self) -> bool:
        """Wait until Pagefind has answered every page sent so far; return True.

        Once only for a page: its reply is taken when waited for. `finish` calls it.
        """
        self.ahead()
        for message_id in list(self._pages):
            self._wait(message_id)
        return True

    @property
    def pid(self) -> int | None:
        """The Pagefind process's id (benchmarks read its CPU time), once started."""
        return None if self._proc is None else self._proc.pid

    @property
    def alive(self) -> bool:
        """Tell whether the Pagefind process still runs (a kept stream after `finish`)."""
        return self._proc is not None and self._proc.poll() is None and -1 not in self._replies

    def _settle(self) -> bool:
        """Ready a finished stream for the next build, every page kept in Pagefind's index.

        Call it once every page sent has its reply (`wait_for_pages`). What the next build knows of
        the index is `ahead`: each URL sent, in Pagefind's order. Return False if the process
        is gone.
        """
        if not self.alive:
            return False
        with self._ready:
            self._pages = {}
            self._answered = 0
            self._replies.clear()
        self._sent_ahead = list(self._places)
        self._write_id = None
        self._hold = False
        self._bundle = None
        self._reused = None
        self._unchanged_from = None
        self.bundle_site = None
        return True

    def close(self) -> None:
        """Stop the writer and the Pagefind process (safe to call twice)."""
        if self._proc is None:
            return
        self._queue.put(None)
        self._writer.join(timeout=10)
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._stderr.close()


def last_articles(site: Path) -> Iterator[tuple[str, str]]:
    """Yield (URL, article) of each paper page the site's last build gave Pagefind, in order.

    They come from the build's manifest and search input pack (manifest.py); a missing or
    damaged pack ends the list where it stops making sense.
    """
    from generator.site.manifest import SEARCH_INPUT_FILE, manifest_dir, read_manifest

    manifest = read_manifest(site)
    if manifest is None:
        return
    places = sorted(
        (record.pagefind, record.dest)
        for record in manifest.pages.values()
        if record.pagefind is not None and is_search_page(record.dest)
    )
    try:
        with (manifest_dir(site) / SEARCH_INPUT_FILE).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if not size:
                return
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as pack:
                for (offset, length), dest in places:
                    if offset < 0 or offset + length > size:
                        return
                    article = pack[offset : offset + length].decode("utf-8")
                    yield "/" + dest[: -len("index.html")], article
    except (OSError, ValueError):
        return


class KeptSearch:
    """A preview's Pagefind process, kept from one build to the next with its pages in.

    `paperbrief serve` hands it to every build (build_site's `keep_search`): the build starts
    from the stream the last one left, which already holds the published site's articles, so
    Pagefind gets only what changed instead of every article again (PagefindStream.ahead_of_build,
    about 2 ms a page). A build uses it only if the published manifest's search digest is the
    one the stream holds (`PagefindStream.holds`), else it starts as without it; a build that
    fails leaves none. The process holds the index in memory between saves.
    """

    def __init__(self) -> None:
        self.stream: PagefindStream | None = None
        self._closed = False
        self._lock = threading.Lock()

    def take(self) -> PagefindStream | None:
        """Return the kept stream, if there is one, for a build to use or discard."""
        with self._lock:
            stream, self.stream = self.stream, None
        return stream

    def put(self, stream: PagefindStream, digest: str) -> None:
        """Keep a finished stream that holds the articles whose digest is `digest`.

        After `close`, the stream is stopped instead: the preview is ending.
        """
        with self._lock:
            previous, self.stream = self.stream, None
            keep = stream.alive and not self._closed
            if keep:
                stream.holds = digest
                self.stream = stream
        if previous is not None and previous is not stream:
            previous.discard()
        if not keep:
            stream.discard()

    def close(self) -> None:
        """Stop the kept process, if any, and any a build puts here from now on."""
        with self._lock:
            self._closed = True
        stream = self.take()
        if stream is not None:
            stream.discard()


def _write_bundle(
    payload: dict[str, Any], bundle: Path, unchanged_from: Path | None
) -> dict[str, Any]:
    """Write the files of a GetFiles reply into the bundle folder; return the reply to keep.

    A file the last build's bundle (`unchanged_from`) holds with the same bytes is linked.
    """
    if payload.get("type") != "GetFiles":
        return payload
    try:
        for item in payload.get("files", []):
            relative = Path(str(item["path"]))
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"unexpected bundle path {relative}")
            target = bundle / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            data = base64.b64decode(item["content"])
            old = unchanged_from / relative if unchanged_from is not None else None
            if old is not None and _holds(old, data):
                try:
                    os.link(old, target)
                    continue
                except OSError:
                    pass  # no hard links here: write it
            target.write_bytes(data)
        canonicalize_bundle(bundle)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return {"type": "Error", "message": f"writing the bundle to {bundle}: {exc}"}
    return {"type": "Written", "files": len(payload.get("files", []))}


def _holds(path: Path, data: bytes) -> bool:
    """Tell whether a file holds exactly `data`."""
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def link_tree(source: Path, target: Path) -> None:
    """Hard-link every file of a folder into a new folder (copy where links are refused)."""
    for dirpath, _dirs, files in os.walk(source):
        folder = target / Path(dirpath).relative_to(source)
        folder.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(dirpath) / name, folder / name)
            except OSError:
                # A copy is a new file too: nothing written later can reach the source.
                shutil.copyfile(Path(dirpath) / name, folder / name)


# ---- deterministic bundle -----------------------------------------------------------------------
# Pagefind 1.5.2 writes each filter's values in Rust HashMap order, which is seeded at random per
# process: two runs over the same pages give filter files with the same values in another order,
# hence other file names, another pf_meta and another pagefind-entry.json. Everything else is
# stable. The files are gzip("pagefind_dcd" + CBOR); sorting the values and renaming by content
# makes the bundle a function of the pages alone.


def _cbor_head(data: bytes, pos: int) -> tuple[int, int, int]:
    major, info = data[pos] >> 5, data[pos] & 31
    pos += 1
    if info < 24:
        return major, info, pos
    width = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if width is None:
        raise ValueError(f"unsupported CBOR item {data[pos - 1]:#x}")
    return major, int.from_bytes(data[pos : pos + width], "big"), pos + width


def cbor_decode(data: bytes, pos: int = 0) -> tuple[Any, int]:
    """Decode the CBOR subset Pagefind writes: unsigned ints, text, arrays."""
    major, value, pos = _cbor_head(data, pos)
    if major == 0:
        return value, pos
    if major == 3:
        return data[pos : pos + value].decode("utf-8"), pos + value
    if major == 4:
        items = []
        for _ in range(value):
            item, pos = cbor_decode(data, pos)
            items.append(item)
        return items, pos
    raise ValueError(f"unsupported CBOR major type {major}")


def _cbor_len(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | info]) + n.to_bytes(width, "big")
    raise ValueError("CBOR length too large")


def cbor_encode(value: Any) -> bytes:
    """Encode unsigned ints, text and arrays with the shortest heads, as Pagefind does."""
    if isinstance(value, bool) or not isinstance(value, int | str | list):
        raise TypeError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        return _cbor_len(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_len(3, len(raw)) + raw
    return _cbor_len(4, len(value)) + b"".join(cbor_encode(v) for v in value)


def read_pagefind_file(path: Path) -> Any:
    """Return the decoded CBOR of a Pagefind meta or filter file."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_PF_PREFIX):
        raise ValueError(f"{path}: not a Pagefind data file")
    value, end = cbor_decode(raw, len(_PF_PREFIX))
    if end != len(raw) or cbor_encode(value) != raw[len(_PF_PREFIX) :]:
        raise ValueError(f"{path}: unexpected encoding")
    return value


def _replace_file(path: Path, data: bytes) -> None:
    """Write a new file at `path`: a file there may be a link into the published site."""
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def _write_pagefind_file(path: Path, value: Any) -> None:
    _replace_file(path, gzip.compress(_PF_PREFIX + cbor_encode(value), mtime=0))


def _content_name(value: Any, lang: str, digits: int) -> str:
    return f"{lang}_{hashlib.sha256(cbor_encode(value)).hexdigest()[:digits]}"


def canonicalize_bundle(bundle: Path) -> None:
    """Sort filter values, rename filter and meta files by content, update the entry file."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in sorted(entry["languages"].items()):
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = read_pagefind_file(meta_path)
        # [version, pages, index chunks, filters [[name, file hash]], sorts, meta fields]
        filters = meta[3]
        renamed = []
        for name, old_hash in filters:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            value = read_pagefind_file(old)  # [name, [[value, [page numbers]], ...]]
            value[1].sort(key=lambda item: item[0])
            new_hash = _content_name(value, lang, 7)
            old.unlink()
            _write_pagefind_file(bundle / "filter" / f"{new_hash}.pf_filter", value)
            renamed.append([name, new_hash])
        meta[3] = sorted(renamed)
        new_meta = _content_name(meta, lang, 10)
        meta_path.unlink()
        _write_pagefind_file(bundle / f"pagefind.{new_meta}.pf_meta", meta)
        info["hash"] = new_meta
    _replace_file(
        entry_path, json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    )
