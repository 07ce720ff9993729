"""Rebuild only what changed: reuse the pages of the last build whose inputs are all the same.

`paperbrief build` writes into a staging folder (publish.py). `PageReuse`, a plugin the build
adds to MkDocs, hard-links into it each page of the published site that can be reused, and lets
MkDocs build the others as usual. The last build's manifest (manifest.py) must show the page was
built from the same source with the same shared inputs; then what else a page can depend on is
checked:

- the navigation (order, titles, links and front matter of the pages in it), which every page
  shows: its signature must match, or the build raises NavigationChanged and build.py starts
  again without reuse (titles are known only once every page is read);
- which files exist, for a page whose body is not prebuilt HTML (MkDocs resolves its links
  against them): the set of files must match;
- other pages' anchors, for a page linking one: such a page is always built again;
- the published page itself: its size must be the recorded one and it must be no newer than
  the manifest (manifest.written_since), or something else wrote it after the last build.

A reused page outside the navigation (nearly all of them: paper, technique, institution and
report pages) never reaches MkDocs' page processing: `on_files` marks its file excluded, so
MkDocs makes no page object for it and reads, converts and renders nothing, while links to it
still resolve (`PageReuse._skip_unchanged`). For a reused page in the navigation MkDocs reads
nothing and renders an empty template (so it writes nothing over the link). What the rest of
the build needs from a reused page comes from the manifest: its title, anchors and (in the
navigation) front matter, its sitemap entry, its entries in Material's search index, and the
article Pagefind indexes (`SearchInputs`). What is built from all pages (sitemap, 404 page,
the search indexes) is built every time.

tests/site/test_incremental_build.py compares whole incremental sites with clean builds.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import mmap
import os
import queue
import re
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any, BinaryIO, TypeVar
from urllib.parse import urljoin, urlsplit

from generator.errors import BuildFailed
from generator.records.filecache import GeneratorCache, settled_state
from generator.site import manifest as _manifest_module
from generator.site.manifest import (
    SEARCH_INPUT_FILE,
    BuildManifest,
    PageRecord,
    files_digest,
    manifest_dir,
    manifest_time,
    source_digest,
    written_since,
)
from generator.site.prebuilt import MARKER
from generator.site.search import BUNDLE_DIR, is_search_page

# The template a reused page renders: empty, so MkDocs writes nothing over the linked page.
REUSED_TEMPLATE = "paperbrief/reused.html"
SEARCH_PLUGIN = "material/search"
# Errors of os.link meaning "no hard links here": copy the file instead.
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}
# Source digests of docs files by path, with the file's identity and times when it was read;
# kept across the builds of one process (`paperbrief serve`), so an unchanged file is not
# read again. See `_digest_of`.
_DIGESTS: dict[str, tuple[tuple[int, ...], str]] = {}
# The paths `_digest_of` was asked about since `kept_source_digests` started.
_ASKED: set[str] = set()


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _early(method: _Method) -> _Method:
    """Have MkDocs call a plugin's event before other plugins' (mkdocs.plugins.event_priority(50),
    without importing MkDocs with this module)."""
    method.mkdocs_priority = 50  # type: ignore[attr-defined]
    return method


class NavigationChanged(Exception):
    """The navigation differs from the last build's: no page may be reused (build again)."""


def navigation_signature(nav: Any, meta_of: Callable[[Any], Any]) -> str:
    """Fingerprint what every page shows of the navigation: its order, titles, links, metadata."""

    def item(node: Any) -> Any:
        if getattr(node, "is_page", False):
            meta = json.dumps(meta_of(node), ensure_ascii=False, sort_keys=True, default=str)
            return ["page", node.file.src_uri, node.url, node.title, meta]
        if getattr(node, "is_section", False):
            return ["section", node.title, [item(child) for child in node.children]]
        return ["link", node.title, node.url]

    text = json.dumps([item(node) for node in nav.items], ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_prebuilt(markdown: str) -> bool:
    """Tell whether a page's Markdown is a prebuilt HTML body (generator/site/prebuilt.py)."""
    first = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n", 1)[0]
    return first.strip() == MARKER


class SearchInputs:
    """The articles handed to Pagefind: this build's, packed in one file, and the last build's."""

    def __init__(self, staging: Path, previous_site: Path | None) -> None:
        self.path = manifest_dir(staging) / SEARCH_INPUT_FILE
        self.places: dict[str, tuple[int, int]] = {}
        self._out: BinaryIO | None = None
        self._offset = 0
        self._previous: mmap.mmap | None = None
        self._previous_handle: BinaryIO | None = None
        if previous_site is not None:
            old = manifest_dir(previous_site) / SEARCH_INPUT_FILE
            try:
                handle = old.open("rb")
            except OSError:
                return
            if os.fstat(handle.fileno()).st_size:
                self._previous_handle = handle
                self._previous = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            else:
                handle.close()

    def has(self, place: tuple[int, int] | None) -> bool:
        """Tell whether the last build's pack holds an article at `place`."""
        if place is None or self._previous is None:
            return False
        offset, length = place
        return offset >= 0 and offset + length <= len(self._previous)

    def previous(self, place: tuple[int, int] | None) -> str | None:
        """Return an article of the last build, or None when it is not there."""
        if place is None or self._previous is None or not self.has(place):
            return None
        offset, length = place
        return self._previous[offset : offset + length].decode("utf-8")

    def record(self, src_uri: str, document: str) -> None:
        """Append this build's article for a page to the pack."""
        if self._out is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._out = self.path.open("wb")
        data = document.encode("utf-8")
        self._out.write(data)
        self.places[src_uri] = (self._offset, len(data))
        self._offset += len(data)

    def close(self) -> None:
        """Finish the pack and let go of the last build's."""
        if self._out is not None:
            self._out.close()
            self._out = None
        if self._previous is not None:
            self._previous.close()
            self._previous = None
        if self._previous_handle is not None:
            self._previous_handle.close()
            self._previous_handle = None


class PageReuse:
    """Link unchanged pages from the published site; record every page for the next build."""

    def __init__(
        self,
        previous: BuildManifest | None,
        published: Path,
        staging: Path,
        search_inputs: SearchInputs,
    ) -> None:
        self.previous = previous
        self.published = published
        self.staging = staging
        self.search_inputs = search_inputs
        # When the last build finished: a published page written later is not its page.
        self.built = manifest_time(published) if previous is not None else None
        self.reused: dict[str, PageRecord] = {}
        self.sources: dict[str, str] = {}
        self.prebuilt: set[str] = set()
        self.in_nav: set[str] = set()
        self.search: dict[str, tuple[dict[str, Any], ...]] = {}
        self.nav = ""
        self.files_digest = ""
        # Fingerprint of every (URL, article) handed to Pagefind, in order (SearchFeed sets it).
        self.search_bundle = ""
        self.rendered = 0
        self.static_reused = 0
        self._mark = 0
        self._made_dirs: set[Path] = set()
        self._linker: _Linker | None = None
        self._bundle_untouched: bool | None = None
        # MkDocs' navigation of this build (on_nav); the preview builds pages with it.
        self.navigation: Any = None
        self.files: Any = None
        # Reused pages kept out of MkDocs' page processing (`_skip_unchanged`).
        self.skipped: set[str] = set()
        self._pages: list[Any] | None = None
        self._entries: InOrder | None = None
        self._inclusions: list[tuple[Any, Any]] = []  # a skipped file's own inclusion level

    # ---- MkDocs events (in the order MkDocs calls them) -----------------------------------

    def on_files(self, files: Any, /, *, config: Any) -> Any:
        """Link static files (feeds, exports, theme assets) whose bytes the published site has.

        MkDocs would copy every one again (thousands of feed files at 10,000 papers), and the
        swap would then delete as many old copies. A linked file's copy is switched off, so
        MkDocs never writes into the published site through the link.
        """
        if self.previous is None:
            return files
        for file in files:
            if file.is_documentation_page() or not file.inclusion.is_included():
                continue
            source = file.abs_src_path
            if source is None or not _same_bytes(Path(source), self.published / file.dest_uri):
                continue
            if self._link(file.dest_uri):
                file.copy_file = _no_copy
                self.static_reused += 1
        self._skip_unchanged(files, config)
        return files

    def _skip_unchanged(self, files: Any, config: Any) -> None:
        """Keep reusable pages outside the navigation out of MkDocs' page processing.

        Such a page is marked excluded: MkDocs makes no page object for it, reads, converts and
        renders nothing, yet keeps its file, so links to it still resolve (at the same URL) and
        its anchors are checked against the manifest's (`_SkippedPage`). What MkDocs would have
        made of it comes from the manifest: the sitemap's entry (`on_template_context`),
        Material's search entries in their place (`on_page_context`), and its Pagefind article,
        which SearchFeed hands over in its place. The files get their own inclusion back once
        MkDocs is done (`on_post_build`). Pages in `nav:` take the slower way
        (`on_pre_page`): the navigation is built from their page objects. Not without an
        explicit `nav:`, nor when no page would be left to build.
        """
        assert self.previous is not None
        in_nav = _nav_sources(config.get("nav"))
        if in_nav is None:
            return
        self.files_digest = files_digest((f.src_uri, f.dest_uri) for f in files)
        chosen: list[tuple[Any, PageRecord]] = []
        left = 0
        for file in files:
            if not file.is_documentation_page() or not file.inclusion.is_included():
                continue
            record = None if file.src_uri in in_nav else self._reusable(file, in_nav=False)
            if record is None:
                left += 1
            else:
                chosen.append((file, record))
        if not chosen or not left:
            return
        from mkdocs.structure.files import InclusionLevel

        site = _SiteUrls(config.get("site_url"))
        for file, record in chosen:
            self._reuse(file, record)
            self.skipped.add(file.src_uri)
            self._inclusions.append((file, file.inclusion))
            file.inclusion = InclusionLevel.EXCLUDED
            file.page = _SkippedPage(file, record, site)

    def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
        """Note which pages the navigation holds, and which files the build has."""
        self.navigation = nav
        self.files = files
        self.in_nav = {page.file.src_uri for page in nav.pages}
        digest = files_digest((f.src_uri, f.dest_uri) for f in files)
        if self.skipped and (digest != self.files_digest or self.skipped & self.in_nav):
            # Another plugin changed the files after on_files chose the pages to skip.
            raise NavigationChanged("the files changed while the build chose pages to reuse")
        self.files_digest = digest
        return nav

    def on_pre_page(self, page: Any, /, *, config: Any, files: Any) -> Any:
        """Hash the page's source; reuse the published page when nothing it depends on changed."""
        file = page.file
        in_nav = file.src_uri in self.in_nav
        old = self._reusable(file, in_nav=in_nav)
        if old is not None:
            self._reuse(file, old)
            _stand_in(page, old, in_nav=in_nav)
        else:
            self.rendered += 1
        return page

    def _reusable(self, file: Any, *, in_nav: bool) -> PageRecord | None:
        """Return the last build's record of a page if its published page can be reused."""
        digest = _digest_of(file)
        self.sources[file.src_uri] = digest
        old = self.previous.pages.get(file.src_uri) if self.previous else None
        if (
            old is not None
            and self.previous is not None
            and old.reusable
            and old.source == digest
            and old.dest == file.dest_uri
            and (old.prebuilt or self.previous.files == self.files_digest)
            and (not in_nav or old.meta is not None)
            and self._article_kept(old, file.dest_uri)
            and not written_since(self.published / file.dest_uri, old.size, self.built)
        ):
            return old
        return None

    def _reuse(self, file: Any, record: PageRecord) -> None:
        """Reuse a published page: link it on another thread, whose system calls run beside
        MkDocs (written_since found it there)."""
        if self._linker is None:
            self._linker = _Linker(self._link)
        self._linker.add(file.dest_uri)
        self.reused[file.src_uri] = record

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Any) -> str:
        """Note whether the page's body is prebuilt HTML."""
        if page.file.src_uri not in self.reused and is_prebuilt(markdown):
            self.prebuilt.add(page.file.src_uri)
        return markdown

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        """Add the empty template of reused pages; stop if the navigation changed."""
        import jinja2

        # Titles are known now that every page is read: the signature covers them. A reused
        # page's front matter is the one the last build read (its stand-in adds two keys).
        self.nav = navigation_signature(self.navigation, self._meta_of)
        if self.reused and self.previous is not None and self.nav != self.previous.nav:
            raise NavigationChanged("the navigation changed since the last build")
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({REUSED_TEMPLATE: ""}), env.loader])
        # MkDocs compiles every theme template again in each build (about a second); Jinja's
        # cache (a private folder per user) keys the compiled code by the template's source.
        env.bytecode_cache = jinja2.FileSystemBytecodeCache()
        return env

    def on_build_error(self, *, error: Exception) -> None:
        """Stop linking: the staging folder is about to be thrown away."""
        self.close(check=False)

    def close(self, *, check: bool = True) -> None:
        """Finish linking reused pages (safe to call twice); with `check`, raise what failed."""
        linker, self._linker = self._linker, None
        if linker is None:
            return
        linker.close()
        if not check:
            return
        if linker.error is not None:
            raise linker.error
        if linker.missing:
            raise BuildFailed(
                f"{self.published / linker.missing[0]} disappeared while this build reused it "
                "(did something else write into the site?); build again"
            )

    def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
        """Give Material's search index a reused page's entries; note each page's entries.

        The entries of skipped pages go in their pages' places: those before this page first.
        """
        index = _search_entries(config)
        uri = page.file.src_uri
        if self.skipped:
            context["pages"] = self._all_pages()
        if index is not None:
            if self.skipped:
                own = index[self._mark :]
                del index[self._mark :]
                self._entries_in_order(index).arrive(uri)
                index.extend(own)
                self._mark = len(index) - len(own)
            reused = self.reused.get(uri)
            if reused is not None:
                index.extend(dict(entry) for entry in reused.search)
            self.search[uri] = tuple(index[self._mark :])
            self._mark = len(index)
            if self.skipped:
                self._entries_in_order(index).done(uri)
                self._mark = len(index)
        return context

    def on_template_context(self, context: Any, /, *, template_name: str, config: Any) -> Any:
        """Show the sitemap (and any other site template) the skipped pages too."""
        if self.skipped:
            context["pages"] = self._all_pages()
        return context

    @_early  # before Material's search writes its index
    def on_post_build(self, *, config: Any) -> None:
        """Wait until every reused page is linked; fail if one vanished meanwhile."""
        if self.skipped:
            index = _search_entries(config)
            if index is not None:
                self._entries_in_order(index).rest()
        # MkDocs is done with the pages: the files look like a clean build's again (to
        # `paperbrief serve`'s quick preview, which builds pages on them).
        for file, inclusion in self._inclusions:
            file.inclusion = inclusion
        self.close()

    def previous_search_bundle(self) -> tuple[str, Path] | None:
        """Return the last build's Pagefind fingerprint and bundle, if there is one to reuse.

        Not when the bundle has no entry file, or one of its files was written after the last
        build (something else wrote into the published site since).
        """
        if self.previous is None or not self.previous.search_bundle:
            return None
        bundle = self.published / BUNDLE_DIR
        if self._bundle_untouched is None:
            self._bundle_untouched = (
                bundle / "pagefind-entry.json"
            ).is_file() and not _written_after(bundle, self.built)
        if not self._bundle_untouched:
            return None
        return self.previous.search_bundle, bundle

    def article_changed(self, src_uri: str, document: str) -> bool:
        """Tell whether a page hands Pagefind another article than in the last build.

        A reused page hands over the same one; a page built again usually does not (its source
        changed), and a page the last build did not have never does.
        """
        if src_uri in self.reused:
            return False
        record = self.previous.pages.get(src_uri) if self.previous is not None else None
        return record is None or self.search_inputs.previous(record.pagefind) != document

    def previous_article(self, src_uri: str) -> str | None:
        """Return the article the last build gave Pagefind for a reused page (else None)."""
        record = self.reused.get(src_uri)
        return None if record is None else self.search_inputs.previous(record.pagefind)

    # ---- after the build -----------------------------------------------------------------------

    def manifest(self, inputs: dict[str, str]) -> BuildManifest:
        """Return the manifest of this build (call once MkDocs and Pagefind have finished)."""
        pages: dict[str, PageRecord] = {}
        for file in self._documentation_pages():
            uri = file.src_uri
            page = file.page
            place = self.search_inputs.places.get(uri)
            reused = self.reused.get(uri)
            if reused is not None:
                pages[uri] = reused.model_copy(update={"pagefind": place})
                continue
            if page is None or uri not in self.sources:
                continue
            meta = _json_meta(page.meta) if uri in self.in_nav else None
            pages[uri] = PageRecord(
                source=self.sources[uri],
                dest=file.dest_uri,
                title=page.title,
                reusable=not _links_other_anchors(page)
                and (uri not in self.in_nav or meta is not None),
                prebuilt=uri in self.prebuilt,
                meta=meta,
                anchors=tuple(
                    sorted(a for a in page.present_anchor_ids or () if isinstance(a, str))
                ),
                search=self.search.get(uri, ()),
                pagefind=place,
                size=_size(self.staging / file.dest_uri),
            )
        return BuildManifest(
            format=int(inputs["format"]),
            inputs=inputs,
            nav=self.nav,
            files=self.files_digest,
            search_bundle=self.search_bundle,
            pages=pages,
        )

    # ---- helpers --------------------------------------------------------------------------------

    def _documentation_pages(self) -> list[Any]:
        """Return the docs pages MkDocs builds and the skipped ones, in MkDocs' order."""
        skipped = self.skipped
        return [
            file
            for file in self.files
            if file.is_documentation_page()
            and (file.inclusion.is_included() or file.src_uri in skipped)
        ]

    def _all_pages(self) -> list[Any]:
        """Return the docs pages a clean build shows templates as `pages` (the sitemap's)."""
        if self._pages is None:
            self._pages = self._documentation_pages()
        return self._pages

    def _entries_in_order(self, index: list[dict[str, Any]]) -> InOrder:
        """Return what adds skipped pages' search entries to `index` in their places."""
        if self._entries is None:

            def add(uri: str) -> None:
                index.extend(dict(entry) for entry in self.reused[uri].search)

            order = [file.src_uri for file in self._all_pages()]
            self._entries = InOrder(order, self.skipped, add)
        return self._entries

    def _meta_of(self, page: Any) -> Any:
        reused = self.reused.get(page.file.src_uri)
        return page.meta if reused is None else reused.meta

    def _article_kept(self, record: PageRecord, dest_uri: str) -> bool:
        """Tell whether the last build kept the Pagefind article a reused page needs."""
        if not is_search_page(dest_uri):
            return record.pagefind is None
        return self.search_inputs.has(record.pagefind)

    def _link(self, dest_uri: str) -> bool:
        """Hard-link a published page into the staging folder; False when it is not there."""
        source = self.published / dest_uri
        target = self.staging / dest_uri
        if target.parent not in self._made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(target.parent)
        try:
            os.link(source, target)
        except FileNotFoundError:
            return False
        except OSError as exc:
            if exc.errno not in _NO_LINK:
                raise
            # No hard links on this file system: a copy is a new file too, so MkDocs can
            # never write through it into the published site.
            try:
                shutil.copyfile(source, target)
            except FileNotFoundError:
                return False
        return True


class _Linker:
    """Hard-link reused pages into the staging folder on a thread: system calls, mostly."""

    def __init__(self, link: Callable[[str], bool]) -> None:
        self._link = link
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.missing: list[str] = []
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="paperbrief-link", daemon=True)
        self._thread.start()

    def add(self, dest_uri: str) -> None:
        """Queue a page of the published site to link into the staging folder."""
        self._queue.put(dest_uri)

    def _run(self) -> None:
        while (dest_uri := self._queue.get()) is not None:
            if self.error is not None:
                continue
            try:
                if not self._link(dest_uri):
                    self.missing.append(dest_uri)
            except BaseException as exc:  # raised by close()'s caller
                self.error = exc

    def close(self) -> None:
        """Link what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()


def _digest_of(file: Any) -> str:
    """Return the source digest of a docs file, reading it only when it may have changed.

    A file whose settled state (filecache.settled_state) is the one it had when it was read
    before holds the same bytes; a file modified in the last seconds before it was read has no
    settled state and is read again next time.
    """
    path = file.abs_src_path
    if path is None:
        return source_digest(file.content_string.encode("utf-8"))
    try:
        state = settled_state(os.stat(path))
    except OSError:
        return source_digest(file.content_string.encode("utf-8"))
    _ASKED.add(path)
    known = _DIGESTS.get(path)
    if state is not None and known is not None and known[0] == state:
        return known[1]
    digest = source_digest(file.content_string.encode("utf-8"))
    if state is not None:
        _DIGESTS[path] = (state, digest)
    else:
        _DIGESTS.pop(path, None)
    return digest


def _digests_key(docs: str) -> bytes:
    """Return the generator-cache key of a docs folder's source digests (and of this code)."""
    digest = hashlib.sha256(b"docs-source-digests\0" + docs.encode() + b"\0")
    for module in (__file__, _manifest_module.__file__):
        digest.update(Path(module).read_bytes() + b"\0")
    return digest.digest()


@contextlib.contextmanager
def kept_source_digests(docs_dir: Path, *, clean: bool) -> Iterator[None]:
    """Keep the docs' source digests (`_digest_of`) between builds in the generator cache.

    `paperbrief build` runs in a new process each time, which would read and hash every docs
    source again (about a fifth of MkDocs' time with every page reused). The digests, each with
    the file's device, inode, size and times, are taken from the generator cache (authenticated,
    in the user's cache folder: generator/records/filecache.py) before MkDocs runs, and the
    digests of this build's sources are stored when the build finished; the rule of
    `_digest_of` is the same, and a file written in the two seconds before it was read is not
    stored. Nothing is kept with `clean` or when the cache is off or cannot be used.
    """
    store = None if clean else GeneratorCache.open()
    if store is None:
        yield
        return
    docs = os.path.normpath(os.path.abspath(docs_dir))  # as MkDocs makes abs_src_path
    key = _digests_key(docs)
    try:
        store.prefetch([key])
        found = store.get(key)
        if isinstance(found, dict):
            for path, entry in found.items():
                if (
                    isinstance(path, str)
                    and isinstance(entry, tuple)
                    and len(entry) == 2
                    and isinstance(entry[1], str)
                ):
                    _DIGESTS.setdefault(path, entry)
        _ASKED.clear()
        yield
        inside = docs.rstrip(os.sep) + os.sep
        store.put(
            key,
            {
                path: _DIGESTS[path]
                for path in sorted(_ASKED)
                if path.startswith(inside) and path in _DIGESTS
            },
        )
        store.save()
    finally:
        store.close()


def _search_entries(config: Any) -> list[dict[str, Any]] | None:
    """Return the entry list of Material's search plugin, or None when it is off."""
    plugin = config.plugins.get(SEARCH_PLUGIN)
    if plugin is None or not plugin.config.get("enabled", True):
        return None
    index = getattr(plugin, "search_index", None)
    entries = getattr(index, "entries", None)
    return entries if isinstance(entries, list) else None


def _written_after(folder: Path, built: int | None) -> bool:
    """Tell whether a file under a folder was modified after `built` (ns; None: unknown)."""
    if built is None:
        return True
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            try:
                if os.stat(os.path.join(dirpath, name)).st_mtime_ns > built:
                    return True
            except OSError:
                return True
    return False


def _size(path: Path) -> int | None:
    """Return a built file's size, or None when the build wrote none."""
    try:
        return path.stat().st_size
    except OSError:
        return None


def _same_bytes(first: Path, second: Path) -> bool:
    """Tell whether two files hold the same bytes (False when either is missing)."""
    try:
        if first.stat().st_size != second.stat().st_size:
            return False
        return first.read_bytes() == second.read_bytes()
    except OSError:
        return False


def _no_copy(dirty: bool = False) -> None:
    """Stand in for File.copy_file of a static file already linked from the published site."""


def _links_other_anchors(page: Any) -> bool:
    """Tell whether a page links an anchor of another page (its own headings' are fine)."""
    return any(target is not page.file for target in page.links_to_anchors or {})


def _json_meta(meta: Any) -> dict[str, Any] | None:
    """Return front matter as the manifest can keep it, or None when JSON would change it."""
    try:
        kept = json.loads(json.dumps(meta, ensure_ascii=False))
    except (TypeError, ValueError):
        return None
    return kept if isinstance(kept, dict) and kept == meta else None


def _stand_in(page: Any, record: PageRecord, *, in_nav: bool) -> None:
    """Make a reused page skip reading and rendering; give it what other pages need from it."""
    from mkdocs.structure.toc import get_toc

    def read_source(config: Any) -> None:
        page.markdown = ""
        # The empty template writes nothing; Material's search takes the entries from the
        # manifest instead (PageReuse.on_page_context). Every page's navigation shows parts
        # of a navigation page's front matter (an icon, a status): it keeps its own.
        own = dict(record.meta or {}) if in_nav else {}
        page.meta = {**own, "template": REUSED_TEMPLATE, "search": {"exclude": True}}

    def render(config: Any, files: Any) -> None:
        page.content = ""
        page.toc = get_toc([])
        page.present_anchor_ids = set(record.anchors)
        page.links_to_anchors = {}

    page.read_source = read_source
    page.render = render
    page.title = record.title


class InOrder:
    """Hand over skipped pages in their places among the pages MkDocs goes through in `order`.

    `advance()` hands over the skipped pages before the first page still to come; `arrive(uri)`
    those before that page, `done(uri)` those after it, up to the next page still to come;
    `rest()` whatever is left. The pages MkDocs
    goes through may come in another order: a skipped page then waits until every page before
    it came.
    """

    def __init__(self, order: list[str], skipped: set[str], take: Callable[[str], None]) -> None:
        self._order = order
        self._skipped = skipped
        self._take = take
        self._next = 0
        self._came: set[str] = set()

    def advance(self) -> None:
        """Hand over the skipped pages up to the next page still to come."""
        order, skipped, came = self._order, self._skipped, self._came
        while self._next < len(order):
            uri = order[self._next]
            if uri in skipped:
                self._next += 1
                self._take(uri)
            elif uri in came:
                self._next += 1
            else:
                return

    def arrive(self, uri: str) -> None:
        """Hand over the skipped pages before `uri`, which MkDocs is at."""
        self.advance()

    def done(self, uri: str) -> None:
        """Note that MkDocs went through `uri`; hand over the skipped pages after it."""
        self._came.add(uri)
        self.advance()

    def rest(self) -> None:
        """Hand over every skipped page not handed over yet, in order."""
        self._came.update(self._order)
        self.advance()


class _SkippedPage:
    """Stands in for the page object of a skipped page: what other pages and the sitemap read.

    Its URLs are those MkDocs' Page gives (`_set_canonical_url`); its anchors are the manifest's,
    so a link to one of its anchors is checked as in a clean build.
    """

    is_page = True
    is_link = False
    is_section = False

    def __init__(self, file: Any, record: PageRecord, site: _SiteUrls) -> None:
        self.file = file
        self.title = record.title
        self.url = "" if file.url in (".", "./") else file.url
        self.update_date = site.update_date
        self.present_anchor_ids = set(record.anchors)
        self.links_to_anchors: dict[Any, Any] = {}
        self.canonical_url, self.abs_url = site.urls(self.url)


# A page URL urljoin puts after a base ending in "/" unchanged: no scheme, query, fragment,
# parameters, empty or dot segments.
_PLAIN_URL = re.compile(r"(?!/)(?!.*//)(?!(?:.*/)?\.\.?(?:/|$))[A-Za-z0-9._~%/-]*")


class _SiteUrls:
    """What MkDocs' Page derives from site_url and the build date, worked out once per build."""

    def __init__(self, site_url: str | None) -> None:
        from mkdocs.utils import get_build_date

        self.update_date = get_build_date()
        self.base = None
        self.plain = False
        self.path = ""
        if site_url:
            self.base = site_url if site_url.endswith("/") else site_url + "/"
            parts = urlsplit(self.base)
            self.path = parts.path
            self.plain = (
                not parts.query
                and not parts.fragment
                and ";" not in parts.path
                and _PLAIN_URL.fullmatch(parts.path.removeprefix("/")) is not None
            )

    def urls(self, url: str) -> tuple[str | None, str | None]:
        """Return a page's canonical_url and abs_url as Page._set_canonical_url sets them."""
        if self.base is None:
            return None, None
        if self.plain and _PLAIN_URL.fullmatch(url):
            return self.base + url, self.path + url
        canonical = urljoin(self.base, url)
        return canonical, urlsplit(canonical).path


def _nav_sources(nav: Any) -> set[str] | None:
    """Return every path named in mkdocs.yml's `nav:` (a page's or a link's), None without one."""
    if nav is None:
        return None
    found: set[str] = set()

    def walk(item: Any) -> None:
        if isinstance(item, str):
            found.add(PurePath(item).as_posix())
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)

    walk(nav)
    return found
