"""Index the built site with Pagefind: paper pages only, with filters and briefs, Chinese segmented."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BuildFailed

BUNDLE_DIR = "pagefind"
# Only paper pages are search results; listings, technique, institution and report pages are
# reached through the filters and links instead, so no page holds a listing's worth of text.
PAGE_GLOB = "papers/*/index.html"
ROOT_SELECTOR = "article"
# Material's "¶" permalinks would glue onto the heading's last word; related papers' titles
# are other papers' text; the edit button and source-file dates are chrome.
EXCLUDE_SELECTORS = (".headerlink", ".pb-noindex", ".md-content__button", ".md-source-file")
# The bundle files whose bytes depend on Rust hash-map order (see canonicalize_bundle).
_PF_PREFIX = b"pagefind_dcd"


@dataclass
class SearchIndexReport:
    """What the Pagefind run indexed and how long it took."""

    pages: int
    seconds: float
    bundle_bytes: int


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
        # One index in the language of the briefs: the extended build segments Chinese only
        # for zh, and an English interface still shows Chinese briefs.
        "--force-language",
        "zh" if language.lower().startswith("zh") or language == "en" else language,
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


def _write_pagefind_file(path: Path, value: Any) -> None:
    path.write_bytes(gzip.compress(_PF_PREFIX + cbor_encode(value), mtime=0))


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
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")
