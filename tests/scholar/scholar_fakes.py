"""A fake Google Scholar on 127.0.0.1 serving saved result pages; test data helpers."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator.enrich.scholar import ScholarSettings
from generator.enrich.sources.scholar.lookup import Candidate, LookupResult

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
NETGUARD = HERE / "netguard"

TIDAL = "Tidal Decoding: Speculative Token Trees for Fast Diffusion LLM Inference"

PROXY_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "PAPERBRIEF_SCHOLAR_PROXY",
    "PAPERBRIEF_SCRAPERAPI_KEY",
)


@dataclass
class Route:
    """How the fake Scholar answers one query."""

    page: str | None = None
    status: int = 200
    hang: bool = False


@dataclass
class FakeScholar:
    """Routes by the `q` parameter; records every request path."""

    port: int = 0
    routes: dict[str, Route] = field(default_factory=dict)
    default: Route = field(default_factory=lambda: Route(page="results_empty.html"))
    requests: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def settings(self, **changes: object) -> ScholarSettings:
        """Return run settings pointed at this server, fast and without pauses."""
        base: dict[str, object] = {"endpoint": self.url, "delay_s": 0.0, "deadline_s": 20.0}
        base.update(changes)
        return ScholarSettings(**base)  # type: ignore[arg-type]


def handler_for(fake: FakeScholar) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            query = parse_qs(urlsplit(self.path).query).get("q", [""])[0]
            route = fake.routes.get(query, fake.default)
            if route.hang:
                fake.release.wait(60)
                return
            body = (FIXTURES / route.page).read_bytes() if route.page else b""
            self.send_response(route.status)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def write_data(tmp: Path, papers: dict[str, str | None]) -> Path:
    """Create a minimal data directory: one record per id with the given title."""
    data = tmp / "data"
    (data / "papers").mkdir(parents=True)
    (data / "techniques.yaml").write_text("techniques: []\n", encoding="utf-8")
    (data / "institutions.yaml").write_text("institutions: []\n", encoding="utf-8")
    for paper_id, title in papers.items():
        lines = [f"title: {json.dumps(title, ensure_ascii=False)}"] if title else []
        lines.append("added: 2026-11-01")
        (data / "papers" / f"{paper_id}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return data


TIDAL_CANDIDATE = Candidate(
    title=TIDAL,
    authors=("M Okafor", "L Chen", "R Varga", "S Ito"),
    venue="arXiv preprint arXiv:2511.04321",
    year="2025",
    citations=42,
    pub_url="https://arxiv.org/abs/2511.04321",
    eprint_url="https://arxiv.org/pdf/2511.04321",
    citedby_url="/scholar?cites=12938823761234567891&hl=en",
)


def answer(*candidates: Candidate) -> LookupResult:
    return LookupResult(
        "answer", candidates=candidates, search_url="https://scholar.google.com/scholar?q=x"
    )


BLOCKED = LookupResult("blocked", reason="Scholar refused the request: HTTP 403 (access denied)")


@dataclass
class ScriptedLookup:
    """A stand-in for the worker: answers by title (or a default) and records each call."""

    answers: dict[str, LookupResult] = field(default_factory=dict)
    default: LookupResult = field(default_factory=answer)
    calls: list[str] = field(default_factory=list)

    def __call__(self, title: str) -> LookupResult:
        self.calls.append(title)
        return self.answers.get(title, self.default)
