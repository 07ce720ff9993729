"""Build the fixture site with its Pagefind index; read what Pagefind wrote; search it in node."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.site.build import BuildReport, build_site
from generator.site.write import copy_handwritten_docs

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
CONFIG = ROOT / "mkdocs.yml"
# The papers the fixture files under quantization, directly or through a narrower technique.
QUANTIZATION_PAPERS = {"quant-llm", "ptq-calib", "hostile"}


@dataclass
class SearchSite:
    """A built fixture site: its directories and what the build reported."""

    docs: Path
    site: Path
    report: BuildReport

    @property
    def bundle(self) -> Path:
        """Return the Pagefind bundle directory."""
        return self.site / "pagefind"

    def fragments(self) -> list[dict]:
        """Return every indexed page's fragment (url, content, filters, meta)."""
        out = []
        for path in sorted((self.bundle / "fragment").glob("*.pf_fragment")):
            raw = gzip.decompress(path.read_bytes())
            assert raw.startswith(b"pagefind_dcd")
            out.append(json.loads(raw[len(b"pagefind_dcd") :]))
        return out


def build_fixture(base: Path, data: Path = FIXTURE_DATA) -> SearchSite:
    """Build `data` with the repository's mkdocs.yml into base/docs and base/site."""
    docs = copy_handwritten_docs(ROOT / "docs", base / "docs")
    report = build_site(data, docs, base / "site", config_file=CONFIG)
    return SearchSite(docs=docs, site=base / "site", report=report)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve a directory on a loopback port; yield its base URL (ending in /)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# pagefind.js is the browser's search library from the bundle itself; Node 18+ has fetch and
# WebAssembly, so it runs unchanged against a bundle served on loopback. Each query is
# {"term": str | null, "filters": {...}}; the last line printed is every query's page URLs,
# then the filter counts Pagefind read from the index.
_QUERY_SCRIPT = """
const [bundleFile, bundleUrl, queries] = process.argv.slice(2);
const pagefind = await import(bundleFile);
await pagefind.options({ basePath: bundleUrl });
const out = [];
for (const q of JSON.parse(queries)) {
  const found = await pagefind.search(q.term, { filters: q.filters || {} });
  const data = await Promise.all(found.results.map((r) => r.data()));
  out.push(data.map((d) => new URL(d.url, "http://site.invalid/").pathname));
}
out.push(await pagefind.filters());
console.log(JSON.stringify(out));
"""


def search_in_node(
    bundle: Path, bundle_url: str, queries: list[dict[str, Any]], workdir: Path
) -> tuple[list[list[str]], dict[str, dict[str, int]]]:
    """Run queries with Pagefind's own search code in node; return their URLs and the filters."""
    node = shutil.which("node")
    assert node, "node is not on PATH (tests that call this carry the `node` marker)"
    script = workdir / "pagefind-query.mjs"
    script.write_text(_QUERY_SCRIPT, encoding="utf-8")
    done = subprocess.run(
        [
            node,
            str(script),
            (bundle / "pagefind.js").resolve().as_uri(),
            bundle_url,
            json.dumps(queries),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    *results, filters = json.loads(done.stdout.strip().splitlines()[-1])
    return results, filters
