"""Build the site: load -> index -> render -> write -> MkDocs build (strict)."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import BuildFailed, ConfigError
from generator.records.collection import Collection
from generator.site.buildlock import build_lock
from generator.site.generate import data_epoch, generate_docs
from generator.site.incremental import (
    NavigationChanged,
    PageReuse,
    SearchInputs,
    kept_source_digests,
)
from generator.site.index import SiteModel
from generator.site.manifest import (
    BuildManifest,
    global_inputs,
    manifest_time,
    read_manifest,
    site_wide_template_reads,
    write_manifest,
)
from generator.site.mkdocs_hooks import ChromeCache, NavCache, SearchFeed, ThemeFiles
from generator.site.publish import (
    Removal,
    discard,
    fresh_staging,
    publish,
    published_site,
    search_side_path,
    swap_folder,
)
from generator.site.render import RenderSettings
from generator.site.search import (
    BUNDLE_DIR,
    KeptSearch,
    PagefindStream,
    SearchIndexReport,
    link_tree,
)
from generator.site.site_address import PLACEHOLDER_SITE_URL, set_site_address
from generator.site.site_language import set_site_language


@dataclass
class BuildReport:
    """What a build did and how long each stage took (seconds)."""

    papers: int = 0
    pages: int = 0
    written: int = 0
    removed: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    site_dir: Path | None = None
    source_date_epoch: int | None = None
    search_pages: int = 0
    search_reused: bool = False
    swept: int = 0
    rendered: int = 0
    reused: int = 0
    # Why no page of the last build was reused (None when pages were reused).
    full_reason: str | None = None
    # The search bundle still being made (build_site's defer_search), else None.
    pending_search: PendingSearch | None = None
    # What the preview keeps of the build (build_site's keep), else None.
    kept: KeptBuild | None = None

    def summary_lines(self) -> list[str]:
        """Describe the build in a few lines for the terminal."""
        t = self.timings
        generate = sum(t.get(k, 0.0) for k in ("load", "index", "render", "write"))
        return [
            f"generated {self.pages} files for {self.papers} papers "
            f"({self.written} written, {self.removed} removed) in {generate:.2f} s",
            "  "
            + ", ".join(f"{k} {t.get(k, 0.0):.2f} s" for k in ("load", "index", "render", "write")),
            f"mkdocs build (strict) into {self.site_dir} in {t.get('mkdocs', 0.0):.2f} s",
            f"  {self.rendered} pages rendered, {self.reused} reused from the last build"
            + (f" (every page built: {self.full_reason})" if self.full_reason else ""),
            f"search index (Pagefind) of {self.search_pages} paper pages in "
            f"{t.get('search_index', 0.0):.2f} s"
            + (" (the last build's bundle: the same pages)" if self.search_reused else ""),
            f"site swapped in after {t.get('site', 0.0):.2f} s (old site moved aside in "
            f"{t.get('publish', 0.0):.2f} s, deleted in the background)",
            f"total {t.get('total', 0.0):.2f} s (SOURCE_DATE_EPOCH={self.source_date_epoch})",
        ]


@dataclass
class KeptBuild:
    """What a preview keeps of its last build to render a changed paper page alone.

    The loaded records and site model (dropped before MkDocs otherwise), the settings and
    SOURCE_DATE_EPOCH the pages were made with, and MkDocs' config as the build left it
    (its plugins hold the build's files and navigation): see quickpreview.py.
    """

    collection: Collection
    model: SiteModel
    settings: RenderSettings
    epoch: str
    config: Any
    site: Path


def settings_from_config(config: Any) -> RenderSettings:
    """Read what rendering needs from a loaded MkDocs config."""
    if config.get("use_directory_urls") is False:
        # Prebuilt pages, feeds and the sitemap link pages/<id>/, as MkDocs' default does.
        raise ConfigError(
            f"{config.get('config_file_path') or 'mkdocs.yml'}: use_directory_urls: false is not "
            "supported; paperbrief links every page as a directory (papers/<id>/)"
        )
    theme = config.theme
    language = str(theme.get("language") or "zh") if hasattr(theme, "get") else "zh"
    edit_base = None
    repo_url = config.get("repo_url")
    if repo_url:
        # edit_uri "edit/main/docs/" points into docs/; records live beside it under data/.
        edit_uri = str(config.get("edit_uri") or "edit/main/docs/")
        prefix = (
            re.sub(r"[^/]+/?$", "", edit_uri) if edit_uri.rstrip("/").endswith("docs") else edit_uri
        )
        edit_base = repo_url.rstrip("/") + "/" + prefix.lstrip("/")
        if not edit_base.endswith("/"):
            edit_base += "/"
    return RenderSettings(
        language=language,
        site_name=str(config.get("site_name") or "paperbrief"),
        site_url=str(config.get("site_url") or PLACEHOLDER_SITE_URL),
        edit_base=edit_base,
    )


@contextlib.contextmanager
def _env(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


class WarningLog(logging.Handler):
    """Keep the messages of warnings and worse (MkDocs' strict mode fails on them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load_mkdocs_config(config_file: Path, **overrides: Any) -> Any:
    """Load mkdocs.yml with MkDocs' own validation, strict mode on."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import ConfigurationError

    if not config_file.is_file():
        raise ConfigError(
            f"{config_file}: not found; run from the repository root or pass --config-file"
        )
    try:
        return load_config(
            str(config_file), strict=True, **{k: v for k, v in overrides.items() if v is not None}
        )
    except ConfigurationError as exc:
        raise ConfigError(f"{config_file}: {exc}") from exc


def build_site(
    data_dir: Path,
    docs_dir: Path | None = None,
    site_dir: Path | None = None,
    *,
    config_file: Path = Path("mkdocs.yml"),
    language: str | None = None,
    clean: bool = False,
    lock_timeout: float | None = None,
    echo: Callable[[str], None] | None = None,
    site_url: str | None = None,
    removal: Removal = "process",
    defer_search: bool = False,
    keep_search: KeptSearch | None = None,
    keep: bool = False,
) -> BuildReport:
    """Generate the docs from the data, then run the real MkDocs build in strict mode.

    `language` (zh or en) overrides theme.language of the config: interface and generated pages.
    The site is built beside `site_dir` and swapped in when finished (publish.py), reusing the
    pages of the last build that nothing changed unless `clean` (incremental.py). One build at a
    time writes the same folders: another waits, or fails after `lock_timeout` seconds.
    `site_url` (else PAPERBRIEF_SITE_URL, else mkdocs.yml) is where the site is published
    (site_address.py). `removal` says how the replaced site is deleted once the new one is in
    place: by a detached process (the default, for a build whose process ends), a thread (a
    preview that keeps running) or at once (publish.py). With `defer_search` (the preview), a
    build that must index its paper pages again publishes them with the last search bundle and
    returns: `report.pending_search` publishes the new bundle when Pagefind is done. With
    `keep_search` (the preview too), the build starts Pagefind from the process the last build
    left there, if it still holds the published articles, and leaves its own there when done.
    With `keep` (the preview), `report.kept` holds the records, site model and MkDocs config
    of the build (quickpreview.py).
    """
    report = BuildReport()
    total = time.perf_counter()
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
    else:
        (config_file.parent / "docs").mkdir(parents=True, exist_ok=True)
    say = echo or (lambda line: print(line, file=sys.stderr))
    loads = 0

    def load() -> Any:
        nonlocal loads
        config = load_mkdocs_config(
            config_file,
            docs_dir=str(docs_dir) if docs_dir else None,
            site_dir=str(site_dir) if site_dir else None,
        )
        # Material reads theme.language while rendering, so setting it here switches it; the
        # site's name and description follow (extra.paperbrief_languages), and so do the
        # hand-written pages (about.en.md), also when mkdocs.yml itself says theme.language: en.
        set_site_language(config, language or str(config.theme.get("language") or "zh"))
        # a second load (the navigation changed) need not warn again
        set_site_address(config, site_url, warn=say if loads == 0 else None)
        loads += 1
        return config

    config = load()
    settings = settings_from_config(config)
    docs = Path(config.docs_dir)
    site = published_site(Path(config.site_dir))
    with contextlib.ExitStack() as held:
        held.enter_context(build_lock([docs, site], timeout=lock_timeout, echo=say))
        # Pagefind gets the last build's articles on the other core while the generator works;
        # the site build keeps them if this build's pages allow (mkdocs_hooks.SearchFeed).
        kept = keep_search.take() if keep_search is not None else None
        if kept is not None and clean:
            kept.discard()
            kept = None
        ahead = kept
        if ahead is None and not clean and manifest_time(site) is not None:
            # (Not for a first build: it has nothing to send, and a process with the stream's
            # threads does not fork, so a large site would render on one core: render/site.py.)
            ahead = PagefindStream.ahead_of_build(
                site, settings.language, keep=keep_search is not None
            )
        models: list[SiteModel] = []
        try:
            collection, written, n_pages, timings = generate_docs(
                Path(data_dir),
                docs,
                settings,
                clean=clean,
                on_model=models.append if keep else None,
            )
        except BaseException:
            if kept is not None and keep_search is not None:
                keep_search.stream = kept  # untouched: it still holds the published articles
            elif ahead is not None:
                ahead.discard()
            raise
        report.papers = len(collection.papers)
        report.pages = n_pages
        report.written = len(written.written)
        report.removed = len(written.removed)
        report.swept = len(written.swept)
        report.timings.update(timings)
        epoch = os.environ.get("SOURCE_DATE_EPOCH") or str(data_epoch(collection))
        report.source_date_epoch = int(epoch)
        for_preview = (collection, models[0]) if keep else None
        # MkDocs needs none of the loaded records: drop them (the preview keeps them), and move
        # what is left out of the cyclic GC's reach; MkDocs allocates so much that the GC
        # otherwise rescans the whole heap again and again (at 10,000 papers the build ran
        # about a quarter slower).
        del collection
        gc.collect()
        gc.freeze()
        try:
            run = _SiteBuild(config, load, config_file, site, epoch, settings, removal, keep_search)
            with kept_source_digests(docs, clean=clean):
                pending = run.build_and_publish(
                    clean, report, defer_search=defer_search, ahead=ahead
                )
        except BaseException:
            if ahead is not None:
                ahead.discard()  # a second discard of the site build's stream is harmless
            raise
        finally:
            gc.unfreeze()
        if for_preview is not None:
            report.kept = KeptBuild(*for_preview, settings, epoch, run.config, site)
        if pending is not None:
            # The locks stay held until the search bundle is published too.
            report.pending_search = pending
            pending.start(held.pop_all())
    report.timings["total"] = time.perf_counter() - total
    report.site_dir = site
    return report


@dataclass
class _SiteBuild:
    """The MkDocs, Pagefind and publishing side of one build."""

    config: Any
    load: Callable[[], Any]
    config_file: Path
    site: Path
    epoch: str
    settings: RenderSettings
    removal: Removal
    keep_search: KeptSearch | None = None

    def build_and_publish(
        self,
        clean: bool,
        report: BuildReport,
        *,
        defer_search: bool,
        ahead: PagefindStream | None = None,
    ) -> PendingSearch | None:
        """Run MkDocs and Pagefind into a staging folder, reusing what it can; swap it in.

        With `defer_search`, when the search bundle must be made again and the last one is
        sound, the site is published with the last bundle, which its manifest describes; the
        PendingSearch returned publishes the new bundle and manifest once Pagefind is done.
        `ahead` is a stream started on the last build's articles (build_site), for the first
        attempt.
        """
        start = time.perf_counter()
        site = self.site
        previous = None if clean else read_manifest(site)
        forced = "--clean" if clean else None
        config = self.config
        side = search_side_path(site)
        # A preview's stream kept from its last build is of use only if it holds what the
        # published site was indexed from (another build may have written the site since).
        if (
            ahead is not None
            and ahead.holds is not None
            and (previous is None or previous.search_bundle != ahead.holds)
        ):
            ahead.discard()
            ahead = None
        while True:
            inputs = global_inputs(config, self.config_file)
            blockers = site_wide_template_reads(config.theme.dirs, config.theme.static_templates)
            report.full_reason = forced or _full_build_reason(previous, inputs, blockers)
            usable = previous if report.full_reason is None else None
            staging = fresh_staging(site, self.removal)
            config["site_dir"] = str(staging)
            inputs_pack = SearchInputs(staging, site if usable else None)
            reuse = PageReuse(usable, site, staging, inputs_pack)
            # Only a build reusing pages defers its search: the bundle shown meanwhile is then
            # the last build's, made with the same settings.
            last_bundle = reuse.previous_search_bundle() if defer_search else None
            bundle_site = side if last_bundle is not None else None
            if ahead is not None:
                # Started before the generator on the last build's articles (build_site).
                stream, ahead = ahead, None
                stream.bundle_site = bundle_site
            else:
                stream = PagefindStream(
                    self.settings.language,
                    bundle_site=bundle_site,
                    keep=self.keep_search is not None,
                )
            feed: SearchFeed | None = None
            try:
                if last_bundle is not None:
                    side.mkdir()
                feed = SearchFeed(stream, reuse, defer=last_bundle is not None)
                mkdocs_seconds = _run_mkdocs(config, self.epoch, reuse, feed)
            except NavigationChanged:
                # Reused pages would show the old navigation: build every page, once.
                _discard_streams(stream, feed)
                reuse.close(check=False)
                inputs_pack.close()
                self._discard(side)
                previous, forced = None, "the navigation changed"
                config = self.config = self.load()
                continue
            except BaseException:
                _discard_streams(stream, feed)
                reuse.close(check=False)
                inputs_pack.close()
                self._discard(staging)
                self._discard(side)
                raise
            reuse.close()
            inputs_pack.close()
            # The feed may have dropped the stream it was given for a fresh one.
            stream = feed.stream
            break
        report.timings["mkdocs"] = mkdocs_seconds
        report.rendered = reuse.rendered
        report.reused = len(reuse.reused)
        report.search_pages = feed.pages
        manifest = reuse.manifest(inputs)
        pending = None
        if last_bundle is not None and feed.holding:
            # Published now with the last bundle, which the manifest describes until the new
            # one is in place (a preview killed meanwhile leaves a site whose manifest is true).
            link_tree(last_bundle[1], staging / BUNDLE_DIR)
            write_manifest(staging, manifest.model_copy(update={"search_bundle": last_bundle[0]}))
            pending = PendingSearch(feed, side, site, manifest, self.removal, self.keep_search)
        else:
            try:
                search = stream.finish(staging)
                if self.keep_search is not None:
                    # Kept at once: were the site not published, the published manifest's
                    # digest would not be the stream's, and the next build would stop it.
                    self.keep_search.put(stream, manifest.search_bundle)
                moved = side / BUNDLE_DIR
                if moved.is_dir():
                    os.rename(moved, staging / BUNDLE_DIR)
            except BaseException:
                self._discard(staging)
                raise
            finally:
                self._discard(side)
            report.search_reused = search.reused
            report.timings["search_index"] = search.seconds
            write_manifest(staging, manifest)
        publish_start = time.perf_counter()
        publish(staging, site, self.removal)
        report.timings["publish"] = time.perf_counter() - publish_start
        report.timings["site"] = time.perf_counter() - start
        return pending

    def _discard(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            if path.exists():
                discard(path, self.site, self.removal)


class PendingSearch:
    """The search bundle of a published site, still being made; published when Pagefind is done.

    A thread hands Pagefind the articles, waits for the bundle, swaps it in for the last one in one step
    (publish.swap_folder), then writes the build's own manifest over the one that described the
    last bundle. It holds the build's locks until then. `wait` returns its report or raises
    what failed (the site then keeps the last bundle, as its manifest says).
    """

    def __init__(
        self,
        feed: SearchFeed,
        side: Path,
        site: Path,
        manifest: BuildManifest,
        removal: Removal,
        keep_search: KeptSearch | None = None,
    ) -> None:
        self.feed = feed
        self.keep_search = keep_search
        self.side = side
        self.site = site
        self.manifest = manifest
        self.removal = removal
        self.report: SearchIndexReport | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="paperbrief-search", daemon=True)
        self._held: contextlib.ExitStack | None = None

    def start(self, held: contextlib.ExitStack) -> None:
        """Start waiting for Pagefind; `held` (the build's locks) is closed when done."""
        self._held = held
        self._thread.start()

    def _run(self) -> None:
        assert self._held is not None
        try:
            with self._held:
                try:
                    self.feed.release(self.side)
                    self.report = self.feed.stream.finish(self.side)
                    if self.keep_search is not None:  # see _SiteBuild.build_and_publish
                        self.keep_search.put(self.feed.stream, self.manifest.search_bundle)
                    swap_folder(self.side / BUNDLE_DIR, self.site / BUNDLE_DIR)
                    write_manifest(self.site, self.manifest)
                except OSError as exc:
                    raise BuildFailed(
                        f"cannot publish the search index in {self.site / BUNDLE_DIR}: "
                        f"{exc.strerror or exc}"
                    ) from exc
                finally:
                    with contextlib.suppress(OSError):
                        if self.side.exists():
                            discard(self.side, self.site, self.removal)
        except BaseException as exc:  # handed to whoever waits
            self.error = exc

    def done(self) -> bool:
        """Tell whether the bundle is published (or failed)."""
        return self._held is not None and not self._thread.is_alive()

    def wait(self) -> SearchIndexReport:
        """Wait until the bundle is published; return its report or raise what failed."""
        self._thread.join()
        if self.error is not None:
            raise self.error
        assert self.report is not None
        return self.report


def _discard_streams(stream: PagefindStream, feed: SearchFeed | None) -> None:
    """Stop Pagefind for a build that failed: the stream made, and the feed's if it made another."""
    stream.discard()
    if feed is not None and feed.stream is not stream:
        feed.stream.discard()


def _full_build_reason(
    previous: BuildManifest | None, inputs: dict[str, str], blockers: list[str]
) -> str | None:
    """Say why no page of the last build can be reused, or return None when some may be."""
    if previous is None:
        return "no earlier build"
    if blockers:
        return f"{blockers[0]} reads other pages' data"
    changed = [name for name, digest in inputs.items() if previous.inputs.get(name) != digest]
    return f"changed: {', '.join(changed)}" if changed else None


def _run_mkdocs(config: Any, epoch: str, reuse: PageReuse, feed: SearchFeed) -> float:
    """Run MkDocs in strict mode into config.site_dir with the build's plugins; return seconds.

    Pagefind indexes each paper page on the other core as soon as MkDocs has converted it
    (`feed`); the caller waits for it.
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort

    collect = WarningLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(collect)
    # jieba announces its dictionary on every build; that is noise, not news.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    stream = feed.stream
    config.plugins["paperbrief-page-reuse"] = reuse
    config.plugins["paperbrief-search-feed"] = feed
    config.plugins["paperbrief-nav-cache"] = NavCache()
    config.plugins["paperbrief-chrome-cache"] = ChromeCache()
    config.plugins["paperbrief-theme-files"] = ThemeFiles()
    start = time.perf_counter()
    try:
        with _env("SOURCE_DATE_EPOCH", epoch):
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
    except Abort as exc:
        stream.close()
        details = "\n  ".join(collect.messages) or str(exc)
        raise BuildFailed(f"mkdocs build failed (strict mode):\n  {details}") from exc
    except BaseException:
        stream.close()
        raise
    finally:
        mkdocs_log.removeHandler(collect)
    return time.perf_counter() - start


def page_sizes(site_dir: Path) -> dict[str, int]:
    """Return the size in bytes of each built paper page."""
    return {
        p.parent.name: p.stat().st_size for p in sorted((site_dir / "papers").glob("*/index.html"))
    }
