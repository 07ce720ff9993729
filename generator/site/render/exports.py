"""Render the downloadable files: papers.json, papers.csv, and BibTeX for everything and per report."""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from generator.records.collection import Paper
from generator.site.index import SiteModel
from generator.site.render.bibtex import BibEntry, bibtex_entry, bibtex_texts
from generator.site.render.citation import pdf_url
from generator.site.render.context import PageText, RenderContext
from generator.site.render.html import safe_url
from generator.site.render.paths import paper_path

SCHEMA_VERSION = 1
EXPORTS_DIR = "exports"
JSON_PATH = f"{EXPORTS_DIR}/papers.json"
CSV_PATH = f"{EXPORTS_DIR}/papers.csv"
BIB_PATH = f"{EXPORTS_DIR}/papers.bib"
# The exports are kept or made together, as one unit of the generator's cache (pagecache.py).
EXPORTS_UNIT = "exports"

CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "author_count",
    "year",
    "venue",
    "added",
    "institutions",
    "institution_ids",
    "techniques",
    "technique_ids",
    "reports",
    "arxiv",
    "doi",
    "pdf",
    "code",
    "project",
    "citations",
    "citations_as_of",
    "brief",
    "tldr",
    "url",
    # added later: new columns go at the end, so a reader by position keeps working
    "published",
    "venue_status",
    "arxiv_category",
)
LIST_SEPARATOR = "; "
# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection); so
# does it a piece of a cell when it splits the line at `;` (many locales), `,`, `|` or a tab
# without honouring quotes. Each such start gets a `'` before it, after any spaces or quotes.
_FORMULA_START = re.compile(r"(^|[;,|\t])([\s\"]*)([=+\-@＝＋－＠])")


def report_bib_path(report_id: str) -> str:
    """Return the path of a report's .bib file (under docs/, served at the same URL)."""
    return f"{EXPORTS_DIR}/reports/{report_id}.bib"


def csv_cell(value: object) -> str:
    """Return a CSV cell: one line, and text a spreadsheet shows instead of evaluating."""
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(int(value))
    text = " ".join(str(value).split())
    return _FORMULA_START.sub(lambda m: f"{m.group(1)}{m.group(2)}'{m.group(3)}", text)


def _json_text(data: Any) -> str:
    """Serialise to JSON with no raw <, > or & (inert even if a page inlines it)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _csv_line(cells: Iterable[str]) -> str:
    """Return one papers.csv line, with its line end."""
    out = io.StringIO()
    # every cell quoted: a reader that honours quotes keeps a cell whole, whatever delimiter
    # its locale splits at
    csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL).writerow(cells)
    return out.getvalue()


# (kind, paper, make) -> make() or the same value kept from an earlier build
Pieces = Callable[[str, Paper, Callable[[], Any]], Any]


def _fresh(kind: str, paper: Paper, make: Callable[[], Any]) -> Any:
    return make()


class Exporter:
    """Turn the site model into export records; URLs come from the caller's page_url."""

    def __init__(
        self,
        model: SiteModel,
        url_of: Callable[[Paper], str],
        untitled: Callable[[Paper], str],
        pieces: Pieces | None = None,
    ) -> None:
        self.model = model
        self.url_of = url_of
        self.untitled = untitled
        # each paper's line, row and entry from an earlier build (pagecache.Fragments)
        self.pieces = pieces or _fresh
        self._records: dict[str, dict[str, Any]] = {}

    def record(self, paper: Paper) -> dict[str, Any]:
        """Return one paper as plain data (the papers.json item; unknown values are null).

        Made once per paper (papers.json and papers.csv both ask); do not change what it returns.
        """
        found = self._records.get(paper.id)
        if found is None:
            found = self._records[paper.id] = self._record(paper)
        return found

    def _record(self, paper: Paper) -> dict[str, Any]:
        rec = paper.record
        links = rec.links
        cited = self.model.citations.get(paper.id)
        generated = paper.generated_brief
        return {
            "id": paper.id,
            "url": self.url_of(paper),
            "title": rec.title,
            "authors": list(rec.authors) if rec.authors else None,
            "author_count": rec.author_total,
            "published": rec.published.isoformat() if rec.published else None,
            "year": rec.citation_year,
            "venue": rec.venue,
            "venue_status": rec.venue_status,
            "arxiv_category": rec.arxiv_category,
            "added": rec.added.isoformat(),
            "institutions": [
                {"id": i.id, "en": i.en, "zh": i.zh, "country": i.country}
                for i in paper.institutions
            ],
            "techniques": [{"id": t.id, "en": t.en, "zh": t.zh} for t in paper.techniques],
            "reports": [r.id for r in self.model.reports_of.get(paper.id, [])],
            "links": {
                "arxiv": links.arxiv,
                "doi": links.doi,
                "pdf": pdf_url(paper),
                "code": safe_url(links.code),
                "project": safe_url(links.project),
            },
            "sources": rec.sources.model_dump(exclude_none=True) or None,
            "brief": paper.brief_text,
            "brief_source": "generated" if generated else ("record" if rec.brief else None),
            "brief_model": generated.model if generated else None,
            "tldr": paper.tldr,
            "abstract": rec.abstract,
            "citations": None
            if cited is None
            else {
                "count": cited.count,
                "as_of": cited.as_of.isoformat(),
                "venue": cited.venue,
                "year": cited.year,
                "url": safe_url(cited.url),
                "source": cited.source,
            },
            "bibtex_key": paper.id,
        }

    def papers_json(self) -> str:
        """Return papers.json: a header, then one paper per line (small diffs, easy to stream)."""
        head = _json_text({"schema": "paperbrief/papers", "version": SCHEMA_VERSION})[:-1]
        items = ",\n".join(
            self.pieces("json", p, functools.partial(self._json_line, p)) for p in self.model.papers
        )
        return f'{head},"count":{len(self.model.papers)},"papers":[\n{items}\n]}}\n'

    def csv_row(self, paper: Paper) -> list[str]:
        """Return one papers.csv row in CSV_COLUMNS order."""
        data = self.record(paper)
        cited = data["citations"] or {}
        values: dict[str, object] = {
            **{
                k: data[k]
                for k in (
                    "id",
                    "title",
                    "published",
                    "year",
                    "venue",
                    "venue_status",
                    "arxiv_category",
                    "added",
                    "brief",
                    "tldr",
                    "url",
                )
            },
            "authors": LIST_SEPARATOR.join(data["authors"] or []),
            "author_count": data["author_count"],
            "institutions": LIST_SEPARATOR.join(i["en"] for i in data["institutions"]),
            "institution_ids": LIST_SEPARATOR.join(i["id"] for i in data["institutions"]),
            "techniques": LIST_SEPARATOR.join(t["en"] for t in data["techniques"]),
            "technique_ids": LIST_SEPARATOR.join(t["id"] for t in data["techniques"]),
            "reports": LIST_SEPARATOR.join(data["reports"]),
            **data["links"],
            "citations": cited.get("count"),
            "citations_as_of": cited.get("as_of"),
        }
        return [csv_cell(values[column]) for column in CSV_COLUMNS]

    def papers_csv(self) -> str:
        """Return papers.csv: RFC 4180, UTF-8 with a byte-order mark so Excel reads Chinese.

        Each paper's line is its piece (a CSV writer keeps nothing from one row to the next,
        so the lines joined are what one writer gives).
        """
        lines = [_csv_line(CSV_COLUMNS)]
        lines += (
            self.pieces("csv", p, functools.partial(self._csv_text, p)) for p in self.model.papers
        )
        return "\ufeff" + "".join(lines)

    def _csv_text(self, paper: Paper) -> str:
        return _csv_line(self.csv_row(paper))

    def entry(self, paper: Paper) -> BibEntry:
        """Return a paper's BibTeX entry."""
        return bibtex_entry(paper, self.untitled(paper))

    def bib_files(self) -> list[tuple[str, str]]:
        """Return (path, text) of the .bib of every paper and of each report (entries only)."""
        files = [(BIB_PATH, bibtex_texts(self._bib(p) for p in self.model.papers))]
        for view in self.model.reports:
            files.append(
                (report_bib_path(view.id), bibtex_texts(self._bib(p) for p in view.papers))
            )
        return files

    def _bib(self, paper: Paper) -> str:
        text: str = self.pieces("bib", paper, lambda: self.entry(paper).format())
        return text

    def _json_line(self, paper: Paper) -> str:
        return _json_text(self.record(paper))


def render_exports(ctx: RenderContext, pieces: Pieces | None = None) -> list[PageText]:
    """Render papers.json, papers.csv and the .bib files (docs/exports.md describes them).

    `pieces` gives each paper's JSON line, CSV row and BibTeX entry, made by the function it is
    handed unless an earlier build made it for the same inputs (pagecache.Fragments).
    """
    exporter = Exporter(
        ctx.model,
        url_of=lambda p: ctx.abs_url(paper_path(p.id)),
        untitled=ctx.untitled,
        pieces=pieces,
    )
    files = [
        PageText(JSON_PATH, exporter.papers_json()),
        PageText(CSV_PATH, exporter.papers_csv()),
    ]
    files += [PageText(path, text) for path, text in exporter.bib_files()]
    return files
