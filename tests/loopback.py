"""One loopback HTTP server for the fake Mistral endpoints of tests/briefs and tests/hostile."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted HTTP answer."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None  # keep the request open until this is set


def send_reply(handler: BaseHTTPRequestHandler, reply: Reply, content_type: str) -> None:
    """Answer a request with a scripted reply: hold it or delay it first if the reply says so."""
    if reply.hold is not None:
        reply.hold.wait(60)
    if reply.delay:
        threading.Event().wait(reply.delay)
    payload = b""
    if reply.body is not None:
        text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
        payload = text.encode("utf-8")
    try:
        handler.send_response(reply.status)
        handler.send_header("content-type", content_type)
        handler.send_header("content-length", str(len(payload)))
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(payload)
    except OSError:  # the client gave up (timeout) or was killed
        pass


@contextmanager
def serve_json(respond: Callable[[dict[str, str], dict[str, Any]], Reply]) -> Iterator[str]:
    """Serve POSTs on 127.0.0.1: `respond(headers, body)` chooses the reply; yield the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            reply = respond({k.lower(): v for k, v in self.headers.items()}, body)
            send_reply(self, reply, "application/json")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
