"""Show a saved paper record in the preview within seconds, before the site is built again.

A full incremental build of a large site takes tens of seconds (docs/scale.md), most of it
spent on pages the save did not touch. When a save changes only paper records
(data/papers/<id>.yaml) and their enrichment files, `paperbrief serve` first publishes just
those papers' pages, then runs the full build as always (listings, feeds, search).

A changed paper is read and validated with the loader's own code against the registries of
the last build, rendered with the generator's own `render_paper` from the site model that
build left (build_site's `keep`), and turned into its final HTML page by MkDocs with the last
build's config, files, navigation and plugins: the page is the one the full build publishes
for the same data, byte for byte (tests/site/test_site_quickpreview.py). The page replaces
the published one through a new file (os.replace): the published pages are hard links the
next build may link again, so none is written in place; the new file is younger than the
site's manifest, so the next build never takes it for a page it may reuse.

Not previewed (the full build alone runs, as before): any change to another file (registries,
reports, hand-written docs, templates, mkdocs.yml), a new or deleted paper or enrichment file,
a file with any problem, a change to what ranks related papers (added date, year, techniques,
institutions), a new title, arXiv id or DOI that another paper holds or a title close to
another's, more than MAX_PAPERS papers, and any MkDocs warning. If the full build then fails,
the previewed pages are put back as they were, so the preview shows the last good site.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import Problem
from generator.records.collection import Paper
from generator.records.keys import PaperKey, record_keys
from generator.records.load import (
    TitleNeighbours,
    _read_enrichment,
    _read_papers,
    _resolve_paper,
)
from generator.records.models import PaperRecord
from generator.records.registry import TechniqueRegistry
from generator.records.yamlsource import DEFAULT_SIZE_CAP
from generator.site.build import KeptBuild, WarningLog
from generator.site.incremental import PageReuse
from generator.site.index import SiteModel, citations_of, related_inputs
from generator.site.mkdocs_hooks import SearchFeed
from generator.site.render.context import RenderContext
from generator.site.render.paper import render_paper
from generator.site.render.paths import paper_path

# More changed papers than this in one save: the full build alone shows them.
MAX_PAPERS = 20
# The MkDocs plugins that build_site registers for its own bookkeeping: linking reused pages
# and feeding Pagefind. A previewed page needs neither; they leave the page as it is.
_BOOKKEEPING = (PageReuse, SearchFeed)
_RECORD_SUFFIXES = (".yaml", ".yml")


@dataclass
class Previewed:
    """The pages a preview published, and how long it took (seconds)."""

    urls: list[str]
    seconds: float


class _NotPreviewed(Exception):
    """This change is left to the full build (the message says why)."""


@dataclass
class _State:
    """What the last published build left for previews; see `QuickPreview.keep`."""

    kept: KeptBuild
    files: Any
    nav: Any
    in_nav: set[str]
    config_digest: bytes
    env: Any = None
    techniques: TechniqueRegistry | None = None
    # identity keys of every paper, and their folded titles to compare a changed one with
    owners: dict[PaperKey, str] | None = None
    titles: TitleNeighbours = field(default_factory=TitleNeighbours)


class QuickPreview:
    """Publish the pages of changed paper records at once; the full build follows."""

    def __init__(self, config_file: Path) -> None:
        self.config_file = Path(config_file)
        self._state: _State | None = None
        # Published pages a preview replaced since the last build, with their bytes before.
        self._replaced: dict[Path, tuple[bytes, int]] = {}
        # mkdocs.yml as the build under way read it (`before_build`).
        self._config_read = b""
        # Identity keys by (title, arXiv id, DOI), from one build to the next: folding every
        # title again after each build took most of a preview (0.15 s at 1,000 papers).
        self._keys: _KeyMemo = {}

    # ---- the last build --------------------------------------------------------------------

    def before_build(self) -> None:
        """Note mkdocs.yml as the build about to start reads it."""
        self._config_read = self._config_digest()

    def keep(self, kept: KeptBuild | None) -> None:
        """Take what the build just published left (None: the next save waits for a build).

        Only the navigation's pages keep their page objects: the others' converted text would
        hold on to the whole site's HTML after a build from scratch, and a preview builds its
        page afresh.
        """
        self._replaced.clear()
        self._state = None
        if kept is None:
            return
        reuse = next((p for p in kept.config.plugins.values() if isinstance(p, PageReuse)), None)
        if reuse is None or reuse.files is None or reuse.navigation is None:
            return
        files, nav = reuse.files, reuse.navigation
        from mkdocs.plugins import PluginCollection

        in_nav = {page.file.src_uri for page in nav.pages}
        plugins = PluginCollection()
        for name, plugin in kept.config.plugins.items():
            if not isinstance(plugin, _BOOKKEEPING):
                plugins[name] = plugin
        kept.config["plugins"] = plugins
        for file in files.documentation_pages():
            if file.src_uri not in in_nav:
                file.page = None
        self._state = _State(kept, files, nav, in_nav, self._config_read)

    def put_back(self) -> int:
        """Put back the pages previewed since the last build (the build after them failed).

        Return how many pages were put back.
        """
        put_back = 0
        for path, (data, mode) in self._replaced.items():
            with contextlib.suppress(OSError):
                _replace(path, data, mode)
                put_back += 1
        self._replaced.clear()
        return put_back

    # ---- one save --------------------------------------------------------------------------

    def preview(self, paths: Iterable[str]) -> Previewed | None:
        """Publish the pages of the papers changed in `paths`; None when the build must show them.

        `paths` are the files the watcher saw change since the last build.
        """
        state = self._state
        if state is None:
            return None
        start = time.perf_counter()
        try:
            changed = self._changed_papers(state, paths)
            papers = self._load(state, changed)
            model = _model_with(state.kept.model, papers)
            pages = _render(state, model, papers)
        except _NotPreviewed:
            return None
        urls: list[str] = []
        site = state.kept.site
        for dest_uri, url, data in pages:
            target = site / dest_uri
            if target not in self._replaced:
                try:
                    info = target.stat()
                    self._replaced[target] = (target.read_bytes(), stat.S_IMODE(info.st_mode))
                except OSError:
                    return None
            _replace(target, data, self._replaced[target][1])
            urls.append(url)
        return Previewed(urls, time.perf_counter() - start)

    def _config_digest(self) -> bytes:
        try:
            return hashlib.sha256(self.config_file.read_bytes()).digest()
        except OSError:
            return b""

    def _changed_papers(self, state: _State, paths: Iterable[str]) -> dict[str, Path | None]:
        """Return the changed papers: id -> its enrichment file when that changed, else None."""
        data = Path(os.path.abspath(state.kept.collection.data_dir))
        papers = state.kept.collection.papers
        changed: dict[str, Path | None] = {}
        for name in paths:
            path = Path(os.path.abspath(name))
            stem, suffix = os.path.splitext(path.name)
            exists = path.exists()
            if not exists and not path.name.lower().endswith(_RECORD_SUFFIXES):
                continue  # an editor's temporary file, gone again
            kind = path.parent.name if path.parent.parent == data else None
            if kind not in ("papers", "enrichment") or suffix not in _RECORD_SUFFIXES:
                raise _NotPreviewed(f"{name}: not a paper record")
            if not exists or path.is_symlink() or not path.is_file() or stem not in papers:
                raise _NotPreviewed(f"{name}: a new, deleted or odd record file")
            if kind == "papers":
                changed.setdefault(stem, None)
            else:
                changed[stem] = path
        if not changed or len(changed) > MAX_PAPERS:
            raise _NotPreviewed("no paper changed, or too many")
        if self._config_digest() != state.config_digest:
            raise _NotPreviewed("mkdocs.yml changed")
        return changed

    def _load(self, state: _State, changed: dict[str, Path | None]) -> dict[str, Paper]:
        """Read and check the changed papers as load_collection would; any problem: none."""
        collection = state.kept.collection
        folder = collection.data_dir / "papers"
        paths: dict[str, Path] = {}
        for paper_id in changed:
            found = [folder / f"{paper_id}{s}" for s in _RECORD_SUFFIXES]
            found = [p for p in found if p.exists()]
            if len(found) != 1 or found[0].is_symlink():
                raise _NotPreviewed(f"paper {paper_id}: not one regular record file")
            paths[paper_id] = found[0]
        problems: list[Problem] = []
        files = _read_papers(paths, problems, DEFAULT_SIZE_CAP, None)
        read = {pid: path for pid, path in changed.items() if path is not None}
        enrichment = {
            pid: paper.enrichment
            for pid in changed
            if (paper := collection.papers[pid]).enrichment is not None
        }
        enrichment.update(_read_enrichment(read, problems, DEFAULT_SIZE_CAP, None))
        if problems or len(files) != len(paths):
            raise _NotPreviewed("a changed record has problems")
        if state.techniques is None:
            state.techniques = TechniqueRegistry.build(collection.techniques.values())[0]
        papers = {
            pid: _resolve_paper(
                pid, file, collection.institutions, state.techniques, enrichment, problems
            )
            for pid, file in files.items()
        }
        if problems:
            raise _NotPreviewed("a changed record has problems")
        for pid, paper in papers.items():
            old = collection.papers[pid]
            if related_inputs(paper) != related_inputs(old):
                raise _NotPreviewed(f"paper {pid}: what ranks related papers changed")
        _check_duplicates(state, papers, self._keys)
        return papers


_KeyMemo = dict[tuple[str | None, str | None, str | None], tuple[PaperKey, ...]]


def _keys_of(record: PaperRecord, memo: _KeyMemo, fresh: _KeyMemo) -> tuple[PaperKey, ...]:
    """Return record_keys(record), from `memo` when known; note it in `fresh`."""
    ident = (record.title, record.links.arxiv, record.links.doi)
    found = memo.get(ident)
    if found is None:
        found = record_keys(record)
    fresh[ident] = found
    return found


def _check_duplicates(state: _State, papers: dict[str, Paper], memo: _KeyMemo) -> None:
    """Refuse a change that may make a duplicate (load.py's check then places the problem).

    Only a paper whose identity keys changed is checked, against every other paper's: a shared
    key, or a near-identical folded title, as load.py's check compares them (TitleNeighbours).
    """
    collection = state.kept.collection
    moved = {
        pid: keys
        for pid, paper in papers.items()
        if (keys := record_keys(paper.record)) != record_keys(collection.papers[pid].record)
    }
    if not moved:
        return
    if len(moved) > 1:
        raise _NotPreviewed("the identity of more than one paper changed")
    if state.owners is None:
        owners: dict[PaperKey, str] = {}
        fresh: _KeyMemo = {}
        for pid, paper in collection.papers.items():
            for key in _keys_of(paper.record, memo, fresh):
                owners[key] = pid
                if key.kind == "title":
                    state.titles.add(key.value)
        state.owners = owners
        memo.clear()
        memo.update(fresh)  # the keys of this collection, for the next build's
    [(pid, keys)] = moved.items()
    own = {key.value for key in record_keys(collection.papers[pid].record) if key.kind == "title"}
    for key in keys:
        if state.owners.get(key, pid) != pid:
            raise _NotPreviewed(f"paper {pid}: another paper has its {key.label}")
        if key.kind == "title" and state.titles.close_to(key.value, ignore=own):
            raise _NotPreviewed(f"paper {pid}: its title is close to another's")


def _model_with(model: SiteModel, papers: dict[str, Paper]) -> SiteModel:
    """Return the site model with the changed papers in place of their last version."""
    citations = dict(model.citations)
    related = dict(model.related)
    for pid, paper in papers.items():
        found = citations_of(paper)
        if found is None:
            citations.pop(pid, None)
        else:
            citations[pid] = found
        if pid in related:
            related[pid] = [papers.get(other.id, other) for other in related[pid]]
    return dataclasses.replace(
        model,
        papers=[papers.get(p.id, p) for p in model.papers],
        citations=citations,
        related=related,
    )


def _render(
    state: _State, model: SiteModel, papers: dict[str, Paper]
) -> list[tuple[str, str, bytes]]:
    """Return (site path, URL, HTML) of each changed paper's page, as MkDocs builds it."""
    from mkdocs.commands.build import _populate_page
    from mkdocs.structure.pages import Page

    kept = state.kept
    config = kept.config
    ctx = RenderContext(model, kept.settings)
    sources = {paper_path(pid): render_paper(ctx, paper).text for pid, paper in papers.items()}
    warnings = WarningLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(warnings)
    pages: list[tuple[str, str, bytes]] = []
    try:
        with _source_date_epoch(kept.epoch):
            env = state.env
            if env is None:
                env = _theme_env(config, state.files)
                state.env = env
            for src_uri, markdown in sources.items():
                known = state.files.get_file_from_path(src_uri)
                if known is None or src_uri in state.in_nav:
                    raise _NotPreviewed(f"{src_uri}: not a page of the last build")
                file = copy.copy(known)
                file.content_string = markdown  # what the generator writes to docs/
                page = Page(None, file, config)
                _populate_page(page, config, state.files)
                output = _page_html(page, config, state, env)
                if warnings.messages:
                    raise _NotPreviewed("MkDocs warned: " + "; ".join(warnings.messages))
                pages.append(
                    (file.dest_uri, file.url, output.encode("utf-8", errors="xmlcharrefreplace"))
                )
    finally:
        mkdocs_log.removeHandler(warnings)
    return pages


def _theme_env(config: Any, files: Any) -> Any:
    """Return the theme's Jinja environment as the build's plugins set it up."""
    import jinja2

    env = config.theme.get_env()
    env = config.plugins.on_env(env, config=config, files=files)
    # The build's own (incremental.PageReuse): templates compiled once are not compiled again.
    env.bytecode_cache = jinja2.FileSystemBytecodeCache()
    return env


def _page_html(page: Any, config: Any, state: _State, env: Any) -> str:
    """Render a read page into its template as mkdocs.commands.build._build_page does."""
    from mkdocs.commands.build import get_context

    config._current_page = page
    try:
        page.active = True
        doc_files = state.files.documentation_pages()
        context = get_context(state.nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=state.nav)
        output = template.render(context)
        result: str = config.plugins.on_post_page(output, page=page, config=config)
        if not result.strip():
            raise _NotPreviewed(f"{page.file.src_uri}: an empty page")
        return result
    finally:
        page.active = False
        config._current_page = None


@contextlib.contextmanager
def _source_date_epoch(value: str) -> Iterator[None]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def _replace(target: Path, data: bytes, mode: int) -> None:
    """Put a file in place of `target` in one step, never writing into the file there."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(name, mode)
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
