"""Fetch the corpus PDFs that are not committed, from the repositories and commits truth.yaml names.

Usage: python benchmarks/fetch_pdf_corpus.py [CORPUS_DIR ...]   (default: every part of benchmarks/pdf-corpus)

Each file is checked against the sha1 in truth.yaml before it is saved; a file already present is left alone.
"""

from __future__ import annotations

import hashlib
import sys
import urllib.request
from pathlib import Path
from urllib.parse import quote

import yaml

ROOT = Path(__file__).resolve().parent / "pdf-corpus"


def fetch_missing(corpus: Path) -> int:
    """Download every missing PDF of one corpus part; return how many could not be fetched."""
    failed = 0
    for entry in yaml.safe_load((corpus / "truth.yaml").read_text(encoding="utf-8")):
        target = corpus / entry["file"]
        if target.exists():
            continue
        source = entry["source"]
        # LFS-tracked fixtures come from the media host; plain files from raw. A path can hold a
        # literal '%' (paper-qa names files after URL-encoded DOIs), so it is quoted.
        where = f"{source['repo']}/{source['commit']}/{quote(source['path'])}"
        urls = [
            f"https://raw.githubusercontent.com/{where}",
            f"https://media.githubusercontent.com/media/{where}",
        ]
        for url in urls:
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    data = response.read()
            except OSError as exc:
                print(f"{entry['file']}: {url}: {exc}")
                continue
            if hashlib.sha1(data).hexdigest() == entry["sha1"]:
                target.write_bytes(data)
                print(f"{entry['file']}: fetched from {source['repo']}")
                break
        else:
            print(
                f"{entry['file']}: not fetched (no source gave the file with sha1 {entry['sha1']})"
            )
            failed += 1
    return failed


def main() -> int:
    """Fetch the missing PDFs of the given corpus parts."""
    parts = [Path(p) for p in sys.argv[1:]] or sorted(t.parent for t in ROOT.glob("*/truth.yaml"))
    return 1 if sum(fetch_missing(part) for part in parts) else 0


if __name__ == "__main__":
    sys.exit(main())
