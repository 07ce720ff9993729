"""The build manifest: what each page of a built site was made from, kept inside that site.

A page MkDocs builds depends on its docs source and on inputs every page shares: mkdocs.yml,
the template overrides, the installed packages (MkDocs, Material, Markdown, Pagefind, ...),
paperbrief's own build code, the hand-written docs, and the navigation (titles and links of the
pages in `nav:`). `global_inputs` fingerprints the shared inputs; the manifest stores that
fingerprint, the navigation's, and per page the hash of its source with what other pages and
the search indexes need from it. The next build reuses a page only when all of it matches
(generator/site/incremental.py); any change to a shared input rebuilds every page.

The manifest lives in `site/.paperbrief/` so it is swapped in with the site it describes. MkDocs
neither copies nor cleans hidden files, and Pages artifacts leave them out.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from generator.site.write import OWNED_DIRS, OWNED_FILES

MANIFEST_DIR = ".paperbrief"
MANIFEST_FILE = "manifest.json"
SEARCH_INPUT_FILE = "pagefind-input.bin"
# Bump when the manifest's meaning changes: an old manifest then means "build everything".
FORMAT = 4
# The modules whose code shapes what MkDocs and Pagefind make of the docs (not render/, whose
# changes show up in the docs sources themselves).
_BUILD_CODE = Path(__file__).resolve().parent
# Template variables that show a page something about other pages; a template reading one of
# them makes pages depend on more than their source and the navigation.
_SITE_WIDE = re.compile(r"(?<![\w.])(pages|files|build_date_utc)(?![\w])")
_JINJA_CODE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)


class PageRecord(BaseModel):
    """What the last build made of one docs page, and what others need from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    dest: str
    title: str | None = None
    # A page that links an anchor of another page is always built again: MkDocs checks such
    # links against the other page as it is now. So is a page in the navigation whose front
    # matter does not survive JSON (the navigation shows some of it).
    reusable: bool = False
    # A prebuilt body (generator/site/prebuilt.py) holds no link MkDocs resolves; any other
    # page's links depend on which files exist (BuildManifest.files).
    prebuilt: bool = False
    # Front matter of a page in the navigation, which every page's navigation reads from.
    meta: dict[str, Any] | None = None
    anchors: tuple[str, ...] = ()
    # Material's search entries for this page, in the order the search plugin made them.
    search: tuple[dict[str, Any], ...] = ()
    # Where the article handed to Pagefind sits in SEARCH_INPUT_FILE: offset and length.
    pagefind: tuple[int, int] | None = None
    # Size in bytes of the built page. With the manifest's modification time it tells whether
    # the published page is still the one this build left (see `written_since`).
    size: int | None = None


class BuildManifest(BaseModel):
    """The manifest of one finished build."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int
    inputs: dict[str, str]
    nav: str
    # Fingerprint of every file's path in the build, which links of pages not prebuilt depend on.
    files: str
    # Fingerprint of what Pagefind indexed (URLs and articles, in order): the same means the
    # same bundle. Empty when no page was indexed.
    search_bundle: str = ""
    pages: dict[str, PageRecord]


def manifest_dir(site: Path) -> Path:
    """Return the hidden folder of a site that holds its manifest."""
    return site / MANIFEST_DIR


def manifest_time(site: Path) -> int | None:
    """Return when the manifest of a built site was written (ns), or None without one."""
    try:
        return (manifest_dir(site) / MANIFEST_FILE).stat().st_mtime_ns
    except OSError:
        return None


def written_since(path: Path, size: int | None, built: int | None) -> bool:
    """Tell whether a page of a built site was written after its build, or is missing.

    The manifest is written once every page is: a page modified later than the manifest, or
    whose size is not the recorded one, was written by something else since (a plain `mkdocs
    build` into the site, an edit by hand), so its source hash says nothing about its bytes. A
    page reused by hard link keeps its older time. Only the manifest's time is kept, so the
    manifest itself stays the same as a clean build's.
    """
    if size is None or built is None:
        return True
    try:
        status = path.stat()
    except OSError:
        return True
    return status.st_size != size or status.st_mtime_ns > built


def read_manifest(site: Path) -> BuildManifest | None:
    """Return the manifest of a built site, or None when it has none that this code can use."""
    path = manifest_dir(site) / MANIFEST_FILE
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    try:
        manifest = BuildManifest.model_validate_json(raw)
    except ValidationError:
        return None
    return manifest if manifest.format == FORMAT else None


def write_manifest(site: Path, manifest: BuildManifest) -> None:
    """Write the manifest into a site being built (its staging folder)."""
    folder = manifest_dir(site)
    folder.mkdir(parents=True, exist_ok=True)
    data = manifest.model_dump(mode="json")
    # No sort_keys: search entries keep the key order Material gave them (it is in its index).
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    (folder / MANIFEST_FILE).write_text(text + "\n", encoding="utf-8")


def _digest(parts: Iterable[bytes]) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()


def files_digest(paths: Iterable[tuple[str, str]]) -> str:
    """Fingerprint the set of files of a build: (source path, destination path) pairs."""
    return _digest([f"{src}\n{dest}".encode() for src, dest in sorted(paths)])


def source_digest(data: bytes) -> str:
    """Return the hash the manifest keeps of a docs source."""
    return hashlib.sha256(data).hexdigest()


def _tree(root: Path, *, skip: Iterable[str] = ()) -> str:
    """Hash every file under a folder (names and bytes), leaving out the top-level `skip` names."""
    skipped = set(skip)
    parts: list[bytes] = []
    if root.is_dir():
        for dirpath, dirnames, filenames in os.walk(root):
            rel_dir = Path(dirpath).relative_to(root)
            if rel_dir == Path("."):
                dirnames[:] = [d for d in dirnames if d not in skipped]
            dirnames.sort()
            for name in sorted(filenames):
                rel = (rel_dir / name).as_posix()
                if rel in skipped or name.startswith("."):
                    continue
                parts += [rel.encode("utf-8"), (Path(dirpath) / name).read_bytes()]
    return _digest(parts)


def _stable(value: Any, depth: int = 0) -> Any:
    """Return a JSON-able picture of a loaded config value, the same from run to run."""
    if depth > 20:
        return "…"
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_stable(v, depth + 1) for v in value]
    if isinstance(value, Mapping) or hasattr(value, "items"):
        try:
            items = list(value.items())
        except TypeError:
            items = []
        result = {str(k): _stable(v, depth + 1) for k, v in items}
        if hasattr(value, "config") and not isinstance(value, Mapping):
            result["config"] = _stable(value.config, depth + 1)  # a plugin's settings
        return dict(sorted(result.items()))
    if hasattr(value, "config"):
        return {"type": type(value).__qualname__, "config": _stable(value.config, depth + 1)}
    text = repr(value)
    # A default repr holds a memory address: keep only the type then.
    return type(value).__qualname__ if " at 0x" in text else text


def _packages() -> str:
    """Fingerprint the installed distributions by their metadata folder names (name-version)."""
    names: list[bytes] = []
    # The interpreter's own package folders, not sys.path: that also holds the working
    # directory, which has nothing to do with the site.
    paths = sysconfig.get_paths()
    for entry in sorted({paths["purelib"], paths["platlib"]}):
        try:
            listed = os.listdir(entry)
        except OSError:
            continue
        names += [n.encode() for n in listed if n.endswith((".dist-info", ".egg-info"))]
    return _digest([*sorted(names), sys.version.encode()])


def site_wide_template_reads(template_dirs: Iterable[str], static: Iterable[str]) -> list[str]:
    """Return the templates that read a variable describing other pages (`pages`, `files`...).

    Material 9.8 and paperbrief's overrides read none outside `sitemap.xml` and `404.html`,
    which every build renders again; a template that does would make a page depend on pages
    other than itself, so such a site is always built whole.
    """
    always = set(static)
    found: list[str] = []
    for folder in template_dirs:
        root = Path(folder)
        for path in sorted(root.rglob("*.html")):
            rel = path.relative_to(root).as_posix()
            if rel in always:
                continue
            text = _JINJA_COMMENT.sub("", path.read_text("utf-8", "replace"))
            if any(_SITE_WIDE.search(code) for code in _JINJA_CODE.findall(text)):
                found.append(f"{folder}/{rel}")
    return found


def global_inputs(config: Any, config_file: Path) -> dict[str, str]:
    """Fingerprint what every page's build depends on, one digest per kind of input."""
    config_bytes = [Path(config_file).read_bytes()]
    inherit = config.get("INHERIT")
    if isinstance(inherit, str) and Path(inherit).is_file():
        config_bytes.append(Path(inherit).read_bytes())
    skip_keys = {"config_file_path", "docs_dir", "site_dir"}
    loaded = {k: _stable(v) for k, v in config.items() if k not in skip_keys}
    loaded_text = json.dumps(loaded, ensure_ascii=False, sort_keys=True, default=str)
    custom_dir = getattr(config.theme, "custom_dir", None)
    code = [p.name.encode() + p.read_bytes() for p in sorted(_BUILD_CODE.glob("*.py"))]
    # A checkout run without installing has no version to add.
    with contextlib.suppress(PackageNotFoundError):
        code.append(version("paperbrief").encode())
    return {
        "format": str(FORMAT),
        "config": _digest([*config_bytes, loaded_text.encode("utf-8")]),
        "overrides": _tree(Path(custom_dir)) if custom_dir else "",
        "packages": _packages(),
        "paperbrief": _digest(code),
        "handwritten": _tree(Path(config.docs_dir), skip=(*OWNED_DIRS, *OWNED_FILES)),
    }
