"""Measure the Scholar worker against a local fake Scholar: start-up, lookup, deadline kill.

Run: /work/venv/bin/python benchmarks/scholar_lookup.py [--lookups N]
No network: the saved result pages of tests/scholar/fixtures are served on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.enrich.sources.scholar.lookup import SubprocessLookup, WorkerConfig  # noqa: E402

PAGE = (ROOT / "tests" / "scholar" / "fixtures" / "results_tidal.html").read_bytes()
HANG = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if "hang" in self.path:
            HANG.wait(60)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=UTF-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=30)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    config = WorkerConfig(endpoint=f"http://127.0.0.1:{server.server_address[1]}", request_timeout=120)

    with SubprocessLookup(config, deadline=2.0) as lookup:
        started = time.perf_counter()
        first = lookup("Tidal Decoding")
        cold = time.perf_counter() - started
        assert first.kind == "answer" and len(first.candidates) == 3
        times = []
        for i in range(args.lookups):
            started = time.perf_counter()
            result = lookup(f"Tidal Decoding {i}")
            times.append(time.perf_counter() - started)
            assert result.kind == "answer"
        started = time.perf_counter()
        hung = lookup("hang forever")
        killed = time.perf_counter() - started
        assert hung.kind == "blocked"
    HANG.set()
    server.shutdown()

    print(f"worker start + first lookup (import scholarly, parse a 3-row page): {cold * 1000:.0f} ms")
    print(
        f"warm lookup, {args.lookups} runs: median {statistics.median(times) * 1000:.1f} ms,"
        f" max {max(times) * 1000:.1f} ms"
    )
    print(f"hanging lookup with a 2 s deadline returned after {killed:.2f} s (worker killed)")


if __name__ == "__main__":
    main()
