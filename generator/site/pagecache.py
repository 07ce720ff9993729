"""Which generated pages need rendering: each is keyed by a hash of what it shows.

A paper page (render/paper.py) shows, and so its key holds:

- everything every page shares (`shared_digest`): the generator's code (`RENDER_CODE`: the
  record models and loader, indexing, rendering and writing, so any change to them renders every
  page again), the Python and library versions of the record cache, the render settings (language,
  site name and URL, edit link base, page sizes) and the whole technique registry (a paper page
  prints its techniques' parents, labels and aliases; a technique edit renders every paper page);
- its record and enrichment, as validated (all fields);
- the registry entries of its institutions (all fields);
- its related papers: their ids and shown titles;
- the reports it is in: their ids, titles and dates.

Citations, the shown brief and its pending state are worked out from these.

A technique's or an institution's pages (its listings, newest and most cited first, with the
comparison tables of a technique) and its RSS and JSON feeds are kept or rendered together,
keyed by the shared digest, the institution's registry entry (a technique's is in the shared
digest) and, in listing order, each member paper's own digest: its record and enrichment, its
institutions' registry entries, its technique ids and its reports (ids, titles, dates). Counts,
co-author institutions, citations and feed items on them follow from these.

The generator keeps, per docs folder, each page's key with the size and modification time of
the file it wrote (generator/records/filecache.py): a page whose key is unchanged and whose file
is still as written is neither rendered, nor written, nor read. A file edited, replaced or
deleted since is rendered and written again (with the rest of its group).

Each page of the all-papers listing is kept or rendered alone, keyed by the shared digest, its
number, the number of pages and papers, and each of its papers' own digests in listing order.
A report's pages are one unit, keyed by the shared digest, the report's record and its papers'
own digests in report order. The exports (papers.json, papers.csv, every .bib) are one unit,
keyed by the shared digest, every paper's own digest in site order and each report's paper ids;
when they are made, each paper's piece (its JSON line, CSV line and BibTeX entry) is taken from
the last build's when its own digest is the same (`Fragments`).

A paper's own digest is made from the cache entries its record and enrichment were read from
(Collection.read_digests; an entry key digests the file's bytes and the reading code), else from
the records dumped to JSON.

Every other generated file (the top-level indexes, the home and statistics pages, the reports
feed, the feeds' sitemaps) is rendered on every build and written only when its text changed.
Before anything is written, the generated folders are walked once (write.scan_generated): the
sizes and times there tell which kept pages are still as written, and the write sweeps and
removes from the same walk. A set of page paths that passed write.check_pages before is not
checked again (`checked_paths_key`).

`PAPERBRIEF_VERIFY_PAGE_CACHE=1` renders the skipped pages and units too (reports and exports
included), makes every export piece and checks every page path, and fails the build when a kept
page or piece differs from what it renders (tests/site/test_generator_cache.py runs with it).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import BuildFailed
from generator.records.collection import Paper
from generator.records.filecache import GeneratorCache, Shards, code_fingerprint
from generator.site.index import SiteModel, related_inputs, related_papers
from generator.site.render.context import RenderSettings, chunks
from generator.site.render.exports import EXPORTS_UNIT
from generator.site.render.listings import PAPER_LISTING_UNIT, paper_listing_order
from generator.site.render.paths import paper_path
from generator.site.render.report import REPORT_UNIT

PageRecord = tuple[bytes, int, int]  # key, size, modification time (ns) of the written file
_PACKAGE = Path(__file__).resolve().parent.parent
# The generator's code: every module `generator.site.generate` imports (a test checks the list
# covers them). The MkDocs side (build.py, publish.py ...) writes no docs page, so its changes
# keep the cache.
RENDER_CODE = (
    "__init__.py",
    "errors.py",
    "records",
    "site/__init__.py",
    "site/generate.py",
    "site/index.py",
    "site/pagecache.py",
    "site/prebuilt.py",
    "site/render",
    "site/search_terms.py",
    "site/write.py",
)


def render_code_files() -> list[Path]:
    """Return the source files whose bytes every page key includes."""
    files: list[Path] = []
    for name in RENDER_CODE:
        path = _PACKAGE / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def verify_requested() -> bool:
    """Tell whether PAPERBRIEF_VERIFY_PAGE_CACHE asks to check skipped pages against a render."""
    return os.environ.get("PAPERBRIEF_VERIFY_PAGE_CACHE", "") not in ("", "0")


_CODE: bytes | None = None


def _code() -> bytes:
    global _CODE
    if _CODE is None:
        digest = hashlib.sha256(code_fingerprint())
        for path in render_code_files():
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        _CODE = digest.digest()
    return _CODE


def shared_digest(model: SiteModel, settings: RenderSettings) -> bytes:
    """Return the digest of what every paper page shows alike (see the module docstring)."""
    digest = hashlib.sha256(b"paper-page\0" + _code())
    digest.update(repr(sorted(asdict(settings).items())).encode())
    for group in model.techniques:
        digest.update(b"\0" + group.technique.model_dump_json().encode())
    return digest.digest()


@dataclass
class PageKeys:
    """The keys of the pages the cache can keep: paper pages by path, groups by unit id."""

    papers: dict[str, bytes] = field(default_factory=dict)
    shared: bytes = b""
    # per paper: the digest of everything of its own a page may show (_own_digests)
    own: dict[str, bytes] = field(default_factory=dict)
    # "techniques/<id>", "institutions/<id>": the group's pages and feeds (render/site.py)
    groups: dict[str, bytes] = field(default_factory=dict)


def page_keys(model: SiteModel, settings: RenderSettings) -> PageKeys:
    """Return the keys of every paper page and of every technique's and institution's pages."""
    shared = shared_digest(model, settings)
    own = _own_digests(model)
    keys = PageKeys(shared=shared, own=own)
    shown = {paper.id: b"\0r" + _shown_title(paper) for paper in model.papers}
    for paper in model.papers:
        digest = hashlib.sha256(shared)
        digest.update(own[paper.id])
        for other in model.related.get(paper.id, []):
            digest.update(shown[other.id] if other.id in shown else b"\0r" + _shown_title(other))
        keys.papers[paper_path(paper.id)] = digest.digest()
    for tg in model.techniques:
        digest = hashlib.sha256(shared + b"\0technique\0" + tg.technique.id.encode())
        for paper in tg.papers:
            digest.update(own[paper.id])
        keys.groups[f"techniques/{tg.technique.id}"] = digest.digest()
    for ig in model.institutions:
        digest = hashlib.sha256(shared + b"\0institution\0")
        digest.update(ig.institution.model_dump_json().encode())
        for paper in ig.papers:
            digest.update(own[paper.id])
        keys.groups[f"institutions/{ig.institution.id}"] = digest.digest()
    for view in model.reports:
        # a report's pages: its record (title, date, intro, paper ids) and its papers in order
        digest = hashlib.sha256(shared + b"\0report\0" + view.id.encode() + b"\0")
        digest.update(view.report.record.model_dump_json().encode())
        for paper in view.papers:
            digest.update(own[paper.id])
        keys.groups[f"{REPORT_UNIT}{view.id}"] = digest.digest()
    # the exports: every paper's pieces in site order, and each report's papers (its .bib)
    digest = hashlib.sha256(shared + b"\0exports\0")
    for paper in model.papers:
        digest.update(own[paper.id])
    for view in model.reports:
        digest.update(b"\0" + repr((view.id, [p.id for p in view.papers])).encode())
    keys.groups[EXPORTS_UNIT] = digest.digest()
    listed = chunks(paper_listing_order(model.papers), settings.page_size)
    for n, chunk in enumerate(listed, start=1):
        # page n of how many, the count on the first page, and its papers in order
        digest = hashlib.sha256(
            shared + repr(("papers-listing", n, len(listed), len(model.papers))).encode()
        )
        for paper in chunk:
            digest.update(own[paper.id])
        keys.groups[f"{PAPER_LISTING_UNIT}{n}"] = digest.digest()
    return keys


def _own_digests(model: SiteModel) -> dict[str, bytes]:
    """Return, per paper, a digest of everything of its own any page may show of it.

    Its id, record and enrichment (all fields; its citations and shown brief follow from them;
    for a paper read through the cache, the digest of the entries they were read from, which
    digest the files' bytes and the reading code),
    its institutions' registry entries, its technique ids (the registry is in the shared
    digest) and the reports it is in (ids, titles, dates).
    """
    institutions: dict[str, bytes] = {}
    own: dict[str, bytes] = {}
    read_from = model.read_digests
    for paper in model.papers:
        key = read_from.get(paper.id)
        if key is not None:  # the cache entries the record and enrichment were read from
            digest = hashlib.sha256(paper.id.encode() + b"\0k" + key)
        else:
            digest = hashlib.sha256(
                paper.id.encode() + b"\0" + paper.record.model_dump_json().encode()
            )
            enrichment = paper.enrichment
            digest.update(b"\0" + (enrichment.model_dump_json().encode() if enrichment else b"-"))
        for inst in paper.institutions:
            found = institutions.get(inst.id)
            if found is None:
                found = institutions[inst.id] = inst.model_dump_json().encode()
            digest.update(b"\0i" + found)
        for tech in paper.techniques:
            digest.update(b"\0t" + tech.id.encode())
        for report in model.reports_of.get(paper.id, []):
            digest.update(
                b"\0p" + repr((report.id, report.record.title, report.record.generated)).encode()
            )
        own[paper.id] = digest.digest()
    return own


class CachedRelated:
    """Rank related papers once per set of inputs the ranking reads; keep it between builds.

    The ranking (index.py) reads each paper's id, added date, year, technique ids and
    institution ids, nothing else; it is kept under a digest of those, of every paper, and of
    the generator's code. A title or a brief edited ranks nothing again; a paper added,
    removed, retagged or redated ranks every paper again. With `verify` the ranking is made
    anyway and compared.
    """

    def __init__(self, cache: GeneratorCache, *, verify: bool) -> None:
        self.cache = cache
        self.verify = verify
        self.kept = False

    def __call__(self, papers: list[Paper]) -> dict[str, list[Paper]]:
        """Return the related papers of each paper, from the cache when the inputs are the same."""
        digest = hashlib.sha256(b"related\0" + _code())
        for paper in papers:
            digest.update(repr(related_inputs(paper)).encode() + b"\0")
        key = digest.digest()
        by_id = {paper.id: paper for paper in papers}
        self.cache.prefetch([key])
        found = self.cache.get(key)
        if isinstance(found, dict) and found.keys() == by_id.keys():
            try:
                kept = {pid: [by_id[other] for other in ids] for pid, ids in found.items()}
            except (KeyError, TypeError):
                kept = None
            if kept is not None:
                if self.verify and _related_ids(related_papers(papers)) != found:
                    raise BuildFailed(
                        "generator cache: the related papers were kept but rank differently;"
                        " index.related_inputs misses an input of the ranking"
                    )
                self.kept = True
                return kept
        related = related_papers(papers)
        self.cache.put(key, _related_ids(related))
        return related


def _related_ids(related: dict[str, list[Paper]]) -> dict[str, tuple[str, ...]]:
    return {pid: tuple(p.id for p in others) for pid, others in related.items()}


EXPORT_PIECES = ("json", "csv", "bib")


class Fragments:
    """Each paper's papers.json line, papers.csv line and BibTeX entry, kept between builds.

    The exports hold every paper, so they are made whenever one paper changed; each paper's
    piece of them is kept under the paper's own digest and the piece's kind, in shards
    (filecache.Shards) named by the shared digest (code, settings, technique registry) and the
    docs folder, and taken from there when an earlier build made it for the same inputs. The
    shards are read on the first piece asked for (not at all when the exports are kept whole);
    `save` stores those whose pieces changed, with only this build's pieces. With `verify`
    each piece is made anyway and compared.
    """

    def __init__(
        self, cache: GeneratorCache, keys: PageKeys, docs: str = "", *, verify: bool
    ) -> None:
        self.verify = verify
        self.own = keys.own
        self.shards = Shards(
            cache, hashlib.sha256(b"export-pieces\0" + keys.shared + docs.encode()).digest()
        )

    def __call__(self, kind: str, paper: Paper, make: Callable[[], Any]) -> Any:
        """Return the piece kept for these inputs, else make and keep it."""
        own = self.own.get(paper.id)
        if own is None:
            return make()
        key = own + b"\0" + kind.encode()
        found = self.shards.get(key)
        if found is None:
            found = make()
        elif self.verify and make() != found:
            raise BuildFailed(
                f"generator cache: the {kind} export piece of {paper.id} was kept but is made"
                " differently; its key in generator/site/pagecache.py misses an input"
            )
        self.shards.put(key, found)
        return found

    def save(self) -> None:
        """Store the shards whose pieces changed in this build; mark the others used."""
        self.shards.save()


def _shown_title(paper: Paper) -> bytes:
    return repr((paper.id, paper.record.title)).encode()


def still_written(
    files: dict[str, tuple[int, int]], path: str, recorded: PageRecord | None, key: bytes
) -> bool:
    """Tell whether the file the last build wrote for this key is still there as written.

    `files` is this build's walk of the generated subtrees (write.scan_generated): each file's
    size and modification time (ns).
    """
    if recorded is None or recorded[0] != key:
        return False
    return files.get(path) == recorded[1:]


def checked_paths_key(paths: Iterable[str]) -> bytes:
    """Return the key under which a set of page paths is noted as having passed check_pages.

    write.check_pages reads nothing but the paths (and its code): the same set, checked
    before, passes again (16,000 paths at 10,000 papers, kept pages' too).
    """
    return hashlib.sha256(b"checked-paths\0" + _code() + repr(sorted(paths)).encode()).digest()


def record_of(docs: Path, path: str, key: bytes) -> PageRecord | None:
    """Return what to keep of a page just written (or found unchanged), None if it is gone."""
    try:
        info = os.stat(docs / path, follow_symlinks=False)
    except OSError:
        return None
    return (key, info.st_size, info.st_mtime_ns)
