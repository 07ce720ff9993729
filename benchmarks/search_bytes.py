"""Measure what one search costs a reader: bytes fetched from pagefind/, cold cache, per query.

    python benchmarks/search_bytes.py SITE [QUERY ...] [--filter GROUP=VALUE ...]

SITE is a built site (`benchmarks/build_scale.py N --keep DIR` leaves one in DIR/site). Each query
loads `search/?q=QUERY` in a fresh headless Chromium context (/usr/bin/chromium, nothing cached)
served from loopback, waits for the page's results, and prints the bytes fetched from pagefind/
(split into the scripts and WebAssembly, the metadata, filter files, index chunks and result
fragments; counted by the server as it sends them), the bytes of everything, and the page's status line (how many papers hold the whole
query, how many its words). With no query it runs the figures of docs/scale.md: 量化,
quantization, an institution, the filter 年份 = 2025 alone and a long phrase from the briefs.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_QUERIES = ["量化", "quantization", "昆明大学", "解决了显存占用高的问题", "显存占用高的问题"]
DEFAULT_FILTERS = ["年份=2025"]
CHROMIUM = "/usr/bin/chromium"


class _Counting(http.server.SimpleHTTPRequestHandler):
    """Serve files and note (path, body bytes) of each as it is sent: the browser's own figures
    miss the Pagefind worker's script (Playwright reports 0 bytes for it, 40 KiB)."""

    sent: list[tuple[str, int]]

    def log_message(self, *args: object) -> None:
        pass

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        start = source.tell()
        super().copyfile(source, outputfile)
        self.sent.append((urllib.parse.urlsplit(self.path).path, source.tell() - start))


@contextmanager
def served(site: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """Serve site on a loopback port; yield its base URL and the list of files sent, filled
    as they are sent (clear it before a measurement)."""
    sent: list[tuple[str, int]] = []
    handler = type("_Handler", (_Counting,), {"sent": sent})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", sent
    finally:
        server.shutdown()
        server.server_close()


def _kind(url: str) -> str:
    path = urllib.parse.urlparse(url).path
    for part, name in (("/index/", "index"), ("/fragment/", "fragments"), ("/filter/", "filters")):
        if part in path:
            return name
    return "meta" if path.endswith(".pf_meta") else "code"


def measure(
    browser: object, base: str, sent: list[tuple[str, int]], params: str
) -> dict[str, object]:
    """Load search/?PARAMS cold; return bytes by kind, the total and the status line."""
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    sent.clear()
    page.goto(f"{base}search/?{params}")
    page.wait_for_selector("#pb-search[data-ready]", timeout=120_000)
    page.wait_for_function(
        "!document.getElementById('pb-search').hasAttribute('aria-busy')", timeout=120_000
    )
    page.wait_for_load_state("networkidle")
    status = page.locator(".pb-search__status").inner_text()
    shown = page.locator(".pb-search__result").count()
    context.close()
    sizes = list(sent)
    out: dict[str, object] = {"status": status, "shown": shown}
    bundle = [(u, s) for u, s in sizes if "/pagefind/" in u]
    for name in ("code", "meta", "filters", "index", "fragments"):
        out[name] = sum(s for u, s in bundle if _kind(u) == name)
    out["chunks"] = sum(1 for u, _ in bundle if _kind(u) == "index")
    out["pagefind"] = sum(s for _, s in bundle)
    out["all"] = sum(s for _, s in sizes)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("queries", nargs="*")
    parser.add_argument("--filter", action="append", default=[], metavar="GROUP=VALUE")
    args = parser.parse_args()
    queries = args.queries or ([] if args.filter else DEFAULT_QUERIES)
    filters = args.filter or ([] if args.queries else DEFAULT_FILTERS)
    cases = [(q, urllib.parse.urlencode({"q": q})) for q in queries]
    for f in filters:
        group, _, value = f.partition("=")
        cases.append((f"[{group} = {value}]", urllib.parse.urlencode({group: value})))
    from playwright.sync_api import sync_playwright

    print(
        "query | pagefind/ KiB (KB) | code | meta | filters | index (chunks) | fragments | all KiB | status"
    )
    with served(args.site) as (base, sent), sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for name, params in cases:
            m = measure(browser, base, sent, params)
            kib = {k: v / 1024 for k, v in m.items() if isinstance(v, int)}
            print(
                f"{name} | {kib['pagefind']:.0f} ({m['pagefind'] / 1000:.0f}) | {kib['code']:.0f} | "  # type: ignore[operator]
                f"{kib['meta']:.0f} | {kib['filters']:.0f} | {kib['index']:.0f} ({m['chunks']}) | "
                f"{kib['fragments']:.0f} | {kib['all']:.0f} | {m['status']}",
                flush=True,
            )
        browser.close()


if __name__ == "__main__":
    main()
