"""Scan every file of a built site for markup, handlers or URLs that came alive from record text.

The scan dispatches on what a file is (by content as well as by name), so an output nobody has
written yet is checked the day it appears: HTML is parsed, XML is parsed and its text nodes are
read as HTML (feed readers do), gzip is opened, JSON is decoded, and every text file is searched
for payload tags that escaped escaping.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hostile_payloads import MARKER, RENDERED_JINJA, SNIPPET_SENTINEL

# Elements no record text may ever produce, and that neither the theme nor our templates emit.
FORBIDDEN_ELEMENTS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "math", "portal"}
)
# Attributes whose value the browser loads or navigates to.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "data",
        "poster",
        "background",
        "cite",
        "longdesc",
        "ping",
        "manifest",
        "codebase",
        "lowsrc",
        "dynsrc",
        "icon",
        "archive",
        "classid",
        "usemap",
        "profile",
    }
)
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|livescript|data):", re.IGNORECASE)
# Browsers drop ASCII whitespace and controls inside a URL's scheme: "java\tscript:" runs.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
# A payload tag that reached a file unescaped: `<` then the payload's own marker in the same tag.
# (Escaped text never holds `<`, so these shapes only appear where escaping was skipped.)
_LIVE_TAG = re.compile(r"<(?:[a-z]+\s+|!--\s*|/?)" + MARKER + r"\d\d", re.IGNORECASE)
_LIVE_SCRIPT = re.compile(r"<script>alert\([\"']?" + MARKER + r"\d\d", re.IGNORECASE)
_MARKER_RE = re.compile(MARKER + r"\d\d", re.IGNORECASE)
# Plain-text data formats: a payload is correct there as the characters it is.
PLAIN_DATA_SUFFIXES = frozenset({".csv", ".tsv", ".bib", ".txt"})
# A cell a spreadsheet evaluates: a formula start, after any spaces or quotes (full-width too).
_FORMULA_START = re.compile(r"^[\s\"]*[=+\-@＝＋－＠]")


@dataclass(frozen=True)
class Finding:
    """One way a payload came alive: where, which rule, what was seen."""

    path: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}: {self.rule}: {self.detail[:200]!r}"


def dangerous_url(value: str) -> bool:
    """Tell whether a browser would run or inline this URL (javascript:, vbscript:, data:)."""
    return bool(_BAD_SCHEME.match(_URL_NOISE.sub("", value)))


class _HtmlChecker(HTMLParser):
    """Walk HTML (a page or a fragment) and record every live payload."""

    def __init__(self, where: str, findings: list[Finding]) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.findings = findings
        self.raw_text: str | None = None  # open <script> or <style>

    def _add(self, rule: str, detail: str) -> None:
        self.findings.append(Finding(self.where, rule, detail))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)
        if tag in {"script", "style"}:
            self.raw_text = tag
            src = dict(attrs).get("src")
            if src and re.match(r"^(?:[a-z][a-z0-9+.-]*:|//)", src.strip(), re.IGNORECASE):
                self._add("script from another origin", src)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._element(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == self.raw_text:
            self.raw_text = None

    def _element(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        shown = f"<{tag} " + " ".join(f"{k}={v!r}" for k, v in attrs) + ">"
        if tag in FORBIDDEN_ELEMENTS:
            self._add("forbidden element", shown)
        if MARKER in tag:
            self._add("payload element", shown)
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._add("event handler attribute", shown)
            if MARKER in name:
                self._add("payload attribute", shown)
            if name in URL_ATTRIBUTES and dangerous_url(value):
                self._add("dangerous URL", shown)
            if name == "srcset" and any(dangerous_url(p) for p in value.split(",")):
                self._add("dangerous URL", shown)
            if name == "style" and re.search(
                r"expression\(|javascript:|url\(", _URL_NOISE.sub("", value), re.IGNORECASE
            ):
                self._add("style attribute with script or URL", shown)
        if tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh":
            self._add("meta refresh", shown)

    def handle_data(self, data: str) -> None:
        if self.raw_text and (_MARKER_RE.search(data) or "alert(" in data):
            self._add(f"payload inside <{self.raw_text}>", data)

    def handle_comment(self, data: str) -> None:
        if _MARKER_RE.search(data):
            self._add("payload comment", data)

    def unknown_decl(self, data: str) -> None:
        if _MARKER_RE.search(data):
            self._add("payload declaration", data)

    def handle_pi(self, data: str) -> None:
        if _MARKER_RE.search(data):
            self._add("payload processing instruction", data)


def check_html(text: str, where: str) -> list[Finding]:
    """Return the live payloads in an HTML page or fragment."""
    findings: list[Finding] = []
    checker = _HtmlChecker(where, findings)
    checker.feed(text)
    checker.close()
    return findings


def check_raw(text: str, where: str, *, plain_data: bool = False) -> list[Finding]:
    """Search a file's text for unescaped payload tags, evaluated templates and included files."""
    findings: list[Finding] = []
    if not plain_data:
        for pattern in (_LIVE_TAG, _LIVE_SCRIPT):
            for match in pattern.finditer(text):
                findings.append(Finding(where, "unescaped payload tag", match.group()))
    for marker in RENDERED_JINJA:
        if marker in text:
            findings.append(Finding(where, "rendered template syntax", marker))
    for sentinel in (SNIPPET_SENTINEL, "root:x:0:0"):
        if sentinel in text:
            findings.append(Finding(where, "file included by a snippet marker", sentinel))
    return findings


def _xml_local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def check_xml(text: str, where: str) -> list[Finding]:
    """Parse XML; check its elements like HTML ones and read every text node as HTML."""
    findings: list[Finding] = []
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        return [Finding(where, "XML does not parse", str(exc))]
    for element in root.iter():
        tag = _xml_local(element.tag) if isinstance(element.tag, str) else ""
        attrs = [(_xml_local(k) if k.startswith("{") else k, v) for k, v in element.attrib.items()]
        if tag in {"script", "foreignobject"} | FORBIDDEN_ELEMENTS:
            findings.append(Finding(where, "forbidden XML element", tag))
        for name, value in attrs:
            if name.lower().startswith("on") or MARKER in name.lower():
                findings.append(Finding(where, "XML attribute", f"{tag} {name}={value!r}"))
            if name.lower() in URL_ATTRIBUTES and dangerous_url(value):
                findings.append(Finding(where, "dangerous URL", f"{tag} {name}={value!r}"))
        for chunk in (element.text, element.tail):
            if chunk and "<" in chunk:
                findings += check_html(chunk, f"{where} <{tag}> text as HTML")
    return findings


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def html_bearing_strings(data: Any) -> Iterator[tuple[str, str]]:
    """Yield the JSON strings some reader inserts as HTML: search index text, feed content_html."""
    if isinstance(data, dict) and isinstance(data.get("docs"), list):
        # MkDocs/Material search index: the search UI shows title and text as HTML
        for i, doc in enumerate(data["docs"]):
            if isinstance(doc, dict):
                for key in ("title", "text", "location"):
                    if isinstance(doc.get(key), str):
                        yield f"docs[{i}].{key}", doc[key]
    if isinstance(data, dict) and str(data.get("version", "")).startswith("https://jsonfeed.org/"):
        for i, item in enumerate(data.get("items") or []):
            if isinstance(item, dict) and isinstance(item.get("content_html"), str):
                yield f"items[{i}].content_html", item["content_html"]


def check_json(text: str, where: str) -> list[Finding]:
    """Decode JSON; read the fields a UI inserts as HTML as HTML."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return [Finding(where, "JSON does not parse", str(exc))]
    findings: list[Finding] = []
    for path, value in html_bearing_strings(data):
        findings += check_html(value, f"{where} {path}")
    return findings


def check_pagefind_fragment(text: str, where: str) -> list[Finding]:
    """Check a Pagefind fragment against what Pagefind's UI inserts as HTML.

    Content, meta values and anchor text are plain text (pagefind.js escapes content before it
    builds an excerpt; the UI prints meta as text). Filter names and values are inserted as
    HTML, and meta.image becomes an <img src>.
    """
    try:
        data = json.loads(text)
    except ValueError as exc:
        return [Finding(where, "Pagefind fragment does not parse", str(exc))]
    findings: list[Finding] = []
    for name, values in (data.get("filters") or {}).items():
        findings += check_html(name, f"{where} filter name")
        for value in values:
            findings += check_html(value, f"{where} filter {name!r} value")
    meta = data.get("meta") or {}
    for key in ("image", "image_alt"):
        if isinstance(meta.get(key), str):
            findings += check_html(f'<img src="{meta[key]}">' if key == "image" else "", where)
            if key == "image" and dangerous_url(meta[key]):
                findings.append(Finding(where, "dangerous URL", meta[key]))
    return findings


def check_csv(text: str, where: str) -> list[Finding]:
    """Check that no cell starts like a spreadsheet formula (CSV injection).

    Read as spreadsheets in any locale read it: split at `,`, `;`, a tab or `|`, honouring
    quotes or not.
    """
    findings: list[Finding] = []
    for delimiter in (",", ";", "\t", "|"):
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            rows = csv.reader(
                io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter, quoting=quoting
            )
            for row_no, row in enumerate(rows, start=1):
                findings += [
                    Finding(where, f"formula cell in row {row_no} split at {delimiter!r}", cell)
                    for cell in row
                    if _FORMULA_START.match(cell)
                ]
    return findings


def check_bibtex(text: str, where: str) -> list[Finding]:
    """Check that record text never opened a new BibTeX field or entry.

    Read twice: as BibTeX 0.99 reads it (an `@` anywhere outside an entry starts one, repeated
    keys, unbalanced braces), and with bibtexparser for the fields of each entry.
    """
    import bibtexparser
    from bibtex_reader import bib_problems
    from bibtexparser.bparser import BibTexParser

    findings = [Finding(where, "BibTeX as BibTeX reads it", p) for p in bib_problems(text)]
    parser = BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    try:
        database = bibtexparser.loads(text, parser=parser)
    except Exception as exc:  # bibtexparser raises many kinds; any means a broken file
        return [Finding(where, "BibTeX does not parse", repr(exc))]
    expected = text.count("\n@") + (1 if text.startswith("@") else 0)
    if len(database.entries) != expected:
        findings.append(
            Finding(
                where, "BibTeX entry count", f"{len(database.entries)} parsed, {expected} written"
            )
        )
    for entry in database.entries:
        for key, value in entry.items():
            if key == "injected" or (
                key
                not in {
                    "title",
                    "author",
                    "note",
                    "abstract",
                    "howpublished",
                    "journal",
                    "booktitle",
                    "keywords",
                    "institution",
                    "organization",
                    "publisher",
                    "annote",
                    "venue",
                }
                and _MARKER_RE.search(value)
            ):
                findings.append(Finding(where, "BibTeX field injected", f"{key} = {value}"))
    return findings


def _decode(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def check_file(raw: bytes, name: str, where: str) -> list[Finding]:
    """Check one file's bytes, dispatching on what it is."""
    if raw[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(raw)
        except OSError as exc:
            return [Finding(where, "gzip does not open", str(exc))]
        inner_name = name[:-3] if name.endswith(".gz") else name
        return check_file(inner, inner_name, where + "!gunzip")
    text = _decode(raw)
    suffix = Path(name).suffix.lower()
    if text is not None and text.startswith("pagefind_dcd"):
        body = text[len("pagefind_dcd") :]
        return check_raw(body, where, plain_data=True) + check_pagefind_fragment(body, where)
    if text is None:
        # binary (images, fonts, Pagefind's CBOR index and filters): its text runs must hold
        # no payload tag (Pagefind filter values end up in its UI as HTML)
        return check_raw(raw.decode("utf-8", errors="ignore"), where)
    findings = check_raw(text, where, plain_data=suffix in PLAIN_DATA_SUFFIXES)
    head = text.lstrip("\ufeff \r\n\t")[:200].lower()
    if suffix in {".html", ".htm"} or head.startswith(("<!doctype html", "<html")):
        findings += check_html(text, where)
    elif suffix in {".xml", ".rss", ".atom", ".svg"} or head.startswith("<?xml"):
        findings += check_xml(text, where)
    elif suffix in {".json", ".webmanifest"} or head.startswith(("{", "[")):
        findings += check_json(text, where)
    elif suffix == ".csv":
        findings += check_csv(text, where)
    elif suffix == ".bib":
        findings += check_bibtex(text, where)
    return findings


def walk(root: Path) -> Iterable[Path]:
    """Yield every file under root, in a stable order."""
    return sorted(p for p in root.rglob("*") if p.is_file())


def scan_tree(root: Path) -> tuple[list[Finding], dict[str, int]]:
    """Scan every file under root; return the findings and how many files of each kind were read."""
    findings: list[Finding] = []
    kinds: dict[str, int] = {}
    for path in walk(root):
        rel = path.relative_to(root).as_posix()
        suffix = path.suffix.lower() or "(none)"
        kinds[suffix] = kinds.get(suffix, 0) + 1
        findings += check_file(path.read_bytes(), path.name, rel)
    return findings, kinds
