"""Write generated pages into docs/: the only code that touches the generated subtrees."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import BuildFailed
from generator.records.store import atomic_write
from generator.site.render import GENERATED_MARKER, PageText, page_url

OWNED_DIRS = ("papers", "institutions", "techniques", "reports", "feeds", "exports")
OWNED_FILES = ("index.md", "statistics.md")
# Subtrees of data files (no front matter to carry the marker): every file in them is ours.
MARKERLESS_DIRS = ("feeds/", "exports/")
_MARKER_LINE = f"---\n{GENERATED_MARKER}\n".encode()
# A control character in a page path (checked for every page, kept ones too: 16,000 at 10,000
# papers, where a loop over the characters took a tenth of a second).
_CONTROL = re.compile("[\x00-\x1f\x7f]")


@dataclass
class WriteResult:
    """What a write changed: paths relative to the docs directory."""

    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    swept: list[str] = field(default_factory=list)


def _check_path(path: str) -> None:
    """Refuse a page path outside the generated subtrees (absolute, `..`, backslashes)."""
    parts = path.split("/")
    if (
        not path
        or "\\" in path
        or path.startswith("/")
        or posixpath.normpath(path) != path
        or any(p in {"", ".", ".."} or p.startswith(".") for p in parts)
        or _CONTROL.search(path) is not None
    ):
        raise BuildFailed(f"refusing to write generated page {path!r}: not a plain relative path")
    if path not in OWNED_FILES and (len(parts) < 2 or parts[0] not in OWNED_DIRS):
        raise BuildFailed(
            f"refusing to write {path!r}: generated pages live only in "
            f"{', '.join(d + '/' for d in OWNED_DIRS)} and {', '.join(OWNED_FILES)}"
        )


def _is_generated(path: Path, rel: str) -> bool:
    """Tell whether an existing file is ours to replace or delete."""
    if rel.startswith(MARKERLESS_DIRS):
        return True
    try:
        with path.open("rb") as handle:
            return handle.read(len(_MARKER_LINE)) == _MARKER_LINE
    except OSError:
        return False


def copy_handwritten_docs(source: Path, target: Path) -> Path:
    """Copy a docs dir's hand-written pages, never generated ones, into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for item in sorted(source.iterdir()):
        if item.name in OWNED_DIRS:
            continue
        if item.is_dir():
            shutil.copytree(item, target / item.name)
        elif not _is_generated(item, item.name):
            shutil.copy2(item, target / item.name)
    return target


def _inside(docs: Path, target: Path, safe: set[Path]) -> None:
    """Refuse a target whose real location leaves docs/ (a symlinked directory, say).

    `safe` holds the directories already resolved inside docs/ during this write: most pages
    share a directory (papers/), so each is resolved once, not once per page.
    """
    if target.parent not in safe:
        parent = target.parent
        while not parent.exists():
            parent = parent.parent
        if not parent.resolve().is_relative_to(docs):
            raise BuildFailed(f"refusing to write {target}: it resolves outside {docs} (symlink?)")
        if parent == target.parent:
            safe.add(parent)
    if target.is_symlink():
        raise BuildFailed(f"refusing to write {target}: it is a symlink; remove it")


def check_pages(pages: Iterable[PageText]) -> list[PageText]:
    """Refuse unsafe paths and two pages on one path, one URL, or one case-folded name."""
    seen: dict[str, str] = {}
    result = []
    for page in pages:
        _check_path(page.path)
        # NFKC too: macOS stores é and e+combining accent as one file name
        folded = unicodedata.normalize("NFKC", page.path).casefold()
        for key in {folded, "url:" + page_url(folded)}:
            if key in seen:
                raise BuildFailed(
                    f"two generated pages on one path: {seen[key]!r} and {page.path!r}; "
                    "two records probably share an id or a name that maps to the same URL"
                )
            seen[key] = page.path
        result.append(page)
    return result


def _is_temporary(name: str) -> bool:
    """Tell whether a file name is one atomic_write gives its temporary file (.<name>.<random>.tmp)."""
    return name.startswith(".") and name.endswith(".tmp") and name.count(".") >= 3


@dataclass
class GeneratedFiles:
    """What one walk of the generated subtrees found, before a build writes into them.

    Paths are relative to the docs directory. `files` holds every entry that is not a folder
    (symlinks too; not temporary files), in walk order (a folder's entries by name, its files
    before its folders), with the size and modification time (ns) of the entry itself;
    `temporary` the names atomic_write gives its temporary files, beside index.md too;
    `folders` every folder walked. Symlinked folders are not entered.
    """

    files: dict[str, tuple[int, int]] = field(default_factory=dict)
    temporary: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


def scan_generated(docs: Path) -> GeneratedFiles:
    """Walk the generated subtrees once (os.scandir on strings: 16,000 files at 10,000 papers).

    The generator's cache compares the files with the page records of the last build, the
    write sweeps the temporary files and removes the files no page claims (the build lock
    keeps other writers out meanwhile).
    """
    found = GeneratedFiles()
    if not docs.is_dir():
        return found
    found.temporary += sorted(
        name
        for name in os.listdir(docs)
        if _is_temporary(name) and any(name.startswith(f".{page}.") for page in OWNED_FILES)
    )
    for name in OWNED_DIRS:
        root = docs / name
        if root.is_dir() and not root.is_symlink():
            _scan(f"{docs}/", name, found)
    return found


def _scan(base: str, rel: str, found: GeneratedFiles) -> None:
    found.folders.append(rel)
    with os.scandir(base + rel) as listed:
        entries = sorted(listed, key=lambda e: e.name)
    below = []
    for entry in entries:
        child = f"{rel}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            below.append(child)
        elif _is_temporary(entry.name):
            found.temporary.append(child)
        else:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone since it was listed
            found.files[child] = (info.st_size, info.st_mtime_ns)
    for child in below:
        _scan(base, child, found)


def sweep_temporary_files(docs: Path, found: GeneratedFiles | None = None) -> list[str]:
    """Remove temporary files a killed write left in the generated subtrees and beside index.md.

    atomic_write names them `.<page>.<random>.tmp` and renames them into place; one left behind
    belongs to a writer that died (the build lock guarantees no other writer is running).
    `found` is the walk of the generated subtrees made in this build (else it is made here).
    """
    found = scan_generated(docs) if found is None else found
    swept = []
    for rel in found.temporary:
        path = docs / rel
        if path.is_file() and not path.is_symlink():
            path.unlink()
            swept.append(rel)
    return sorted(swept)


def write_pages(
    pages: Iterable[PageText],
    docs_dir: Path,
    kept: Collection[str] = (),
    *,
    found: GeneratedFiles | None = None,
    paths_checked: bool = False,
) -> WriteResult:
    """Write pages that changed, remove stale generated pages, leave everything else alone.

    `kept` are pages not rendered in this build because the file in place is what they would
    be (pagecache.py): they count as unchanged and are neither read nor removed. `found` is
    this build's walk of the generated subtrees (`scan_generated` of the resolved docs
    directory, made before anything was written; else it is made here). `paths_checked` says
    that these very paths passed `check_pages` before (pagecache.CheckedPaths).
    """
    pages = list(pages)
    if not paths_checked:
        check_pages([*pages, *(PageText(path, "") for path in kept)])
    checked = pages
    docs_dir.mkdir(parents=True, exist_ok=True)
    docs = docs_dir.resolve()
    result = WriteResult(unchanged=len(kept))
    found = scan_generated(docs) if found is None else found
    result.swept = sweep_temporary_files(docs, found)
    wanted = {page.path for page in checked} | set(kept)
    safe: set[Path] = set()
    for page in checked:
        target = docs / page.path
        _inside(docs, target, safe)
        data = page.text.encode("utf-8")
        if target.is_file():
            if target.read_bytes() == data:
                result.unchanged += 1
                continue
            if not _is_generated(target, page.path):
                raise BuildFailed(
                    f"{target} was written by hand (no paperbrief marker); move its text to another "
                    "page (for instance docs/about.md) so the generated page can take its place"
                )
        atomic_write(target, data, durable=False)
        result.written.append(page.path)
    result.removed = _remove_stale(docs, wanted, found)
    return result


def _remove_stale(docs: Path, wanted: set[str], found: GeneratedFiles) -> list[str]:
    """Remove generated files no page claims, then the generated folders left empty.

    The files are those of this build's walk (every file written since is wanted); a folder
    is looked at again only when it was empty, or lost a file or a folder.
    """
    removed: list[str] = []
    candidates = [name for name in OWNED_FILES if name not in wanted]
    candidates += [rel for rel in found.files if rel not in wanted]
    for rel in candidates:
        path = docs / rel
        if not path.is_file() or path.is_symlink() or not _is_generated(path, rel):
            continue
        path.unlink()
        removed.append(rel)
    filled = {rel.rpartition("/")[0] for rel in found.files}
    filled |= {rel.rpartition("/")[0] for rel in found.temporary}
    filled |= {rel.rpartition("/")[0] for rel in found.folders}
    emptied = {rel.rpartition("/")[0] for rel in removed}
    emptied |= {rel.rpartition("/")[0] for rel in found.temporary if not (docs / rel).exists()}
    look = {rel for rel in found.folders if rel not in filled or rel in emptied}
    for rel in sorted(found.folders, key=lambda f: -f.count("/")):
        if rel not in look or "/" not in rel:
            continue
        path = docs / rel
        if not any(path.iterdir()):
            path.rmdir()
            look.add(rel.rpartition("/")[0])
    return removed
