"""Fake arXiv and Semantic Scholar APIs on 127.0.0.1, speaking each service's wire format.

The arXiv fake answers `id_list` and `search_query=ti:"..."` with Atom feeds shaped like the real
ones: titles and summaries wrapped over several lines, versioned entry ids, one <author> per
author, arxiv:primary_category, arxiv:comment, arxiv:journal_ref and arxiv:doi, the pdf link,
and the error entry arXiv sends for a malformed id. The Semantic Scholar fake answers
POST /paper/batch with a JSON list in the order asked, null for an id it does not know, and
nulls inside entries the way the real API leaves fields empty.
"""

from __future__ import annotations

import json
import re
import textwrap
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from fakeclock import FakeClock
from loopback import Reply, send_reply

from generator.enrich.sources.arxiv import ArxivClient
from generator.enrich.sources.semantic_scholar import S2Access, SemanticScholarClient
from generator.records.keys import normalize_title

ATOM = "http://www.w3.org/2005/Atom"
# the forms arXiv's API accepts in id_list (its own rule, not paperbrief's)
_ID = re.compile(r"(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?")
ARXIV_NS = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"


@dataclass
class ArxivPaper:
    """One paper the fake arXiv knows."""

    arxiv_id: str  # without version; old-style ids like hep-th/9901001 too
    title: str
    authors: list[str]
    abstract: str | None
    published: str | None = "2025-09-30T14:40:18Z"
    updated: str | None = None
    version: int = 1
    primary: str | None = "cs.CL"
    categories: list[str] = field(default_factory=lambda: ["cs.CL", "cs.AI"])
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None


FAST_DLLM = ArxivPaper(
    arxiv_id="2509.26328",
    version=2,
    title="Fast-dLLM v2: Efficient Block-Diffusion LLM",
    authors=[
        "Chengyue Wu",
        "Hao Zhang",
        "Shuchen Xue",
        "Shizhe Diao",
        "Yonggan Fu",
        "Zhijian Liu",
        "Pavlo Molchanov",
        "Ping Luo",
        "Song Han",
        "Enze Xie",
    ],
    abstract=(
        "Autoregressive (AR) large language models (LLMs) have achieved remarkable performance"
        " across a wide range of natural language tasks, yet their inherent sequential decoding"
        " limits inference efficiency. In this work, we propose Fast-dLLM v2, a carefully"
        " designed block diffusion language model (dLLM) that efficiently adapts pretrained AR"
        " models into dLLMs for parallel text generation."
    ),
    published="2025-09-30T14:40:18Z",
    updated="2025-10-02T09:12:00Z",
    comment="Technical report; 12 pages, 5 figures",
    journal_ref="ICLR 2026",
)

OLD_STYLE = ArxivPaper(
    arxiv_id="hep-th/9901001",
    title="A Note on Old-Style Identifiers in High Energy Physics",
    authors=["Ada Example", "Bo Sample"],
    abstract="We check that old-style arXiv identifiers survive a round trip.",
    published="1999-01-01T00:00:00Z",
    primary="hep-th",
    categories=["hep-th"],
    doi="10.1016/S0550-3213(99)00001-2",
)


def _wrapped(text: str, width: int, indent: str) -> str:
    """Wrap text the way arXiv's feed does: lines broken, continuation lines indented."""
    # arXiv keeps the submitted line breaks: between words, never inside a hyphenated one
    lines = textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)
    return ("\n" + indent).join(lines)


def atom_entry(paper: ArxivPaper, *, namespaces_on_elements: bool = True) -> str:
    """Return one <entry> the way arXiv writes it."""
    ns = f' xmlns:arxiv="{ARXIV_NS}"' if namespaces_on_elements else ""
    abs_url = f"http://arxiv.org/abs/{paper.arxiv_id}v{paper.version}"
    parts = ["  <entry>", f"    <id>{abs_url}</id>"]
    if paper.updated or paper.published:
        parts.append(f"    <updated>{paper.updated or paper.published}</updated>")
    if paper.published:
        parts.append(f"    <published>{paper.published}</published>")
    parts.append(f"    <title>{escape(_wrapped(paper.title, 50, '  '))}</title>")
    if paper.abstract:
        parts.append(f"    <summary>  {escape(_wrapped(paper.abstract, 78, ''))}\n</summary>")
    for name in paper.authors:
        parts.append(f"    <author>\n      <name>{escape(name)}</name>\n    </author>")
    if paper.doi:
        parts.append(f"    <arxiv:doi{ns}>{escape(paper.doi)}</arxiv:doi>")
        parts.append(
            f'    <link title="doi" href={quoteattr("http://dx.doi.org/" + paper.doi)} rel="related"/>'
        )
    if paper.comment:
        parts.append(f"    <arxiv:comment{ns}>{escape(paper.comment)}</arxiv:comment>")
    if paper.journal_ref:
        parts.append(f"    <arxiv:journal_ref{ns}>{escape(paper.journal_ref)}</arxiv:journal_ref>")
    parts += [
        f'    <link href="{abs_url}" rel="alternate" type="text/html"/>',
        f'    <link title="pdf" href="http://arxiv.org/pdf/{paper.arxiv_id}v{paper.version}"'
        ' rel="related" type="application/pdf"/>',
    ]
    if paper.primary:
        parts.append(
            f'    <arxiv:primary_category{ns} term="{paper.primary}" scheme="{ARXIV_NS}"/>'
        )
    parts += [f'    <category term="{c}" scheme="{ARXIV_NS}"/>' for c in paper.categories]
    parts.append("  </entry>")
    return "\n".join(parts)


def error_entry(bad_id: str) -> str:
    """Return the entry arXiv sends for a malformed id."""
    url = f"http://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}"
    return "\n".join(
        [
            "  <entry>",
            f"    <id>{url}</id>",
            "    <title>Error</title>",
            f"    <summary>incorrect id format for {escape(bad_id)}</summary>",
            "    <updated>2025-10-06T00:00:00-04:00</updated>",
            f'    <link href="{url}" rel="alternate" type="text/html"/>',
            "    <author>\n      <name>arXiv api core</name>\n    </author>",
            "  </entry>",
        ]
    )


def atom_feed(entries: list[str], query: str, *, namespaces_on_root: bool = False) -> str:
    """Return a whole feed around these entries."""
    root_ns = (
        f' xmlns:arxiv="{ARXIV_NS}" xmlns:opensearch="{OPENSEARCH}"' if namespaces_on_root else ""
    )
    search_ns = "" if namespaces_on_root else f' xmlns:opensearch="{OPENSEARCH}"'
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            f'<feed xmlns="{ATOM}"{root_ns}>',
            f'  <link href={quoteattr("http://arxiv.org/api/query?" + query)} rel="self"'
            ' type="application/atom+xml"/>',
            f'  <title type="html">ArXiv Query: {escape(query)}</title>',
            "  <id>http://arxiv.org/api/fake</id>",
            "  <updated>2025-10-06T00:00:00-04:00</updated>",
            f"  <opensearch:totalResults{search_ns}>{len(entries)}</opensearch:totalResults>",
            f"  <opensearch:startIndex{search_ns}>0</opensearch:startIndex>",
            f"  <opensearch:itemsPerPage{search_ns}>{len(entries)}</opensearch:itemsPerPage>",
            *entries,
            "</feed>",
            "",
        ]
    )


Script = Callable[[dict[str, list[str]]], Reply | None]


@dataclass
class FakeArxiv:
    """arXiv's query endpoint: answers from `papers`, unless `script` has a reply first."""

    papers: dict[str, ArxivPaper] = field(default_factory=dict)
    # scripted replies, used in order before the normal answers (a 503, a hang, junk)
    script: list[Reply] = field(default_factory=list)
    clock: Callable[[], float] | None = None
    namespaces_on_root: bool = False
    requests: list[dict[str, list[str]]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def add(self, *papers: ArxivPaper) -> FakeArxiv:
        """Know these papers."""
        for paper in papers:
            self.papers[paper.arxiv_id] = paper
        return self

    def respond(self, params: dict[str, list[str]]) -> Reply:
        """Answer one GET like arXiv would."""
        self.requests.append(params)
        if self.clock is not None:
            self.times.append(self.clock())
        if self.script:
            return self.script.pop(0)
        query = "&".join(f"{k}={v[0]}" for k, v in sorted(params.items()))
        if "id_list" in params:
            return self._by_ids(params["id_list"][0].split(","), query)
        wanted = params.get("search_query", [""])[0]
        phrase = wanted.removeprefix("ti:").strip('"')
        hits = [
            atom_entry(p, namespaces_on_elements=not self.namespaces_on_root)
            for p in self.papers.values()
            if normalize_title(phrase) and normalize_title(phrase) in normalize_title(p.title)
        ]
        return Reply(body=atom_feed(hits, query, namespaces_on_root=self.namespaces_on_root))

    def _by_ids(self, ids: list[str], query: str) -> Reply:
        entries: list[str] = []
        for asked in ids:
            match = _ID.fullmatch(asked)
            if match is None:
                # one malformed id: arXiv refuses the whole request with a 400 and an error entry
                return Reply(status=400, body=atom_feed([error_entry(asked)], query))
            paper = self.papers.get(match.group(1))
            if paper is not None:
                entries.append(
                    atom_entry(paper, namespaces_on_elements=not self.namespaces_on_root)
                )
        return Reply(body=atom_feed(entries, query, namespaces_on_root=self.namespaces_on_root))


@dataclass
class S2Entry:
    """One paper the fake Semantic Scholar knows (None: the API's null)."""

    title: str
    paper_id: str = "649def34f8be52c8b66281af98ae884c09aef38b"
    authors: list[str] = field(default_factory=list)
    venue: str | None = ""
    publication_venue: dict[str, Any] | None = None
    year: int | None = None
    publication_date: str | None = None
    citations: int | None = 0
    external_ids: dict[str, Any] = field(default_factory=dict)
    open_access_pdf: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the entry as the batch endpoint writes it."""
        return {
            "paperId": self.paper_id,
            "externalIds": self.external_ids,
            "title": self.title,
            "venue": self.venue,
            "publicationVenue": self.publication_venue,
            "year": self.year,
            "citationCount": self.citations,
            "openAccessPdf": self.open_access_pdf,
            "publicationDate": self.publication_date,
            "authors": [{"authorId": str(1000 + i), "name": n} for i, n in enumerate(self.authors)],
        }


FAST_DLLM_S2 = S2Entry(
    title="Fast-dLLM v2: Efficient Block-Diffusion LLM",
    authors=FAST_DLLM.authors,
    venue="International Conference on Learning Representations",
    publication_venue={
        "id": "939c6e1d-0d17-4d6e-8a82-66d960df0e40",
        "name": "International Conference on Learning Representations",
        "type": "conference",
        "alternate_names": ["ICLR"],
    },
    year=2025,
    publication_date="2025-09-30",
    citations=31,
    external_ids={
        "ArXiv": "2509.26328",
        "DBLP": "journals/corr/abs-2509-26328",
        "DOI": "10.48550/arXiv.2509.26328",
        "CorpusId": 281674389,
    },
    open_access_pdf={"url": "", "status": "GREEN", "license": None},
)


@dataclass
class FakeS2:
    """Semantic Scholar's batch endpoint: answers from `papers` by id ("ARXIV:...", "DOI:...")."""

    papers: dict[str, S2Entry] = field(default_factory=dict)
    script: list[Reply] = field(default_factory=list)
    clock: Callable[[], float] | None = None
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def respond(self, path: str, headers: dict[str, str], body: dict[str, Any]) -> Reply:
        """Answer one POST like the Graph API would."""
        self.paths.append(path)
        self.headers.append(headers)
        self.bodies.append(body)
        if self.clock is not None:
            self.times.append(self.clock())
        if self.script:
            return self.script.pop(0)
        if not urlsplit(path).path.endswith("/paper/batch"):
            return Reply(status=404, body={"error": "Not found"})
        ids = body.get("ids") or []
        answer = [self.papers[i].to_json() if i in self.papers else None for i in ids]
        return Reply(body=answer)


@contextmanager
def serve(
    get: Callable[[str, dict[str, list[str]]], Reply] | None = None,
    post: Callable[[str, dict[str, str], dict[str, Any]], Reply] | None = None,
) -> Iterator[tuple[str, threading.Event]]:
    """Serve GETs and POSTs on 127.0.0.1; yield the base URL and an event that ends held requests."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            assert get is not None
            split = urlsplit(self.path)
            reply = get(split.path, parse_qs(split.query))
            send_reply(self, reply, "application/atom+xml; charset=utf-8")

        def do_POST(self) -> None:
            assert post is not None
            length = int(self.headers.get("content-length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            headers = {k.lower(): v for k, v in self.headers.items()}
            send_reply(self, post(self.path, headers, body), "application/json")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # a short poll interval: shutting the server down takes one interval
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", release
    finally:
        release.set()
        server.shutdown()
        server.server_close()


@dataclass
class Services:
    """Both fakes, served, with clients pointed at them."""

    arxiv: FakeArxiv
    s2: FakeS2
    arxiv_url: str
    s2_url: str
    release: threading.Event  # hold a scripted reply on it: it is set when the fakes stop
    clock: FakeClock

    def arxiv_client(self, **options: Any) -> ArxivClient:
        """Return the real arXiv client, on the fake clock, pointed at the fake."""
        options.setdefault("clock", self.clock)
        options.setdefault("sleep", self.clock.sleep)
        return ArxivClient(self.arxiv_url, **options)

    def s2_client(self, api_key: str | None = None, **options: Any) -> SemanticScholarClient:
        """Return the real Semantic Scholar client, on the fake clock, pointed at the fake."""
        options.setdefault("clock", self.clock)
        options.setdefault("sleep", self.clock.sleep)
        return SemanticScholarClient(S2Access(self.s2_url, api_key), **options)

    def env(self) -> dict[str, str]:
        """Return the environment that points paperbrief at the fakes."""
        return {"PAPERBRIEF_ARXIV_URL": self.arxiv_url, "PAPERBRIEF_S2_URL": self.s2_url}


@contextmanager
def services(clock: FakeClock | None = None) -> Iterator[Services]:
    """Start both fakes (each on its own port)."""
    clock = clock or FakeClock()
    arxiv, s2 = FakeArxiv(clock=clock), FakeS2(clock=clock)
    release = threading.Event()
    with (
        serve(get=lambda path, params: arxiv.respond(params)) as (arxiv_base, _a),
        serve(post=s2.respond) as (s2_base, _s),
    ):
        try:
            yield Services(
                arxiv, s2, f"{arxiv_base}/api/query", f"{s2_base}/graph/v1", release, clock
            )
        finally:
            # held requests end before the servers shut down
            release.set()


def paper_yaml(paper_id: str, title: str | None, **fields: Any) -> str:
    """Return a valid paper record (institution HKU, technique quantization) as YAML text."""
    lines = [f"title: {json.dumps(title)}"] if title else []
    lines += ["institutions: [The University of Hong Kong]", "techniques: [quantization]"]
    lines.append("added: 2025-10-15")
    links = fields.pop("links", None)
    for key, value in fields.items():
        lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    if links:
        lines.append("links:")
        lines += [f"  {k}: {json.dumps(v)}" for k, v in links.items()]
    return "\n".join(lines) + "\n"


def write_paper(data: Path, paper_id: str, title: str | None, **fields: Any) -> Path:
    """Write data/papers/<id>.yaml and return its path."""
    path = data / "papers" / f"{paper_id}.yaml"
    path.write_text(paper_yaml(paper_id, title, **fields), encoding="utf-8")
    return path
