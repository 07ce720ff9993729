"""Write BibTeX entries for papers: our own writer, every field escaped for BibTeX."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from generator.records.characters import UNPRINTABLE as INVISIBLE
from generator.records.collection import Paper
from generator.site.render.citation import paper_url, venue_kind

# Characters BibTeX or LaTeX read as syntax. BibTeX counts braces even after a backslash, so a
# lone brace becomes a command whose own braces balance. `<` and `>` print as ¡ and ¿ in LaTeX's
# default font encoding, hence the text commands.
_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}
_LATEX_SPECIAL = re.compile("[" + re.escape("".join(_LATEX)) + "]")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# Characters no reader can see (non-characters, format and tag characters, Hangul fillers:
# generator/records/characters.py) are dropped.
_INVISIBLE = INVISIBLE
# Verbatim fields (url, doi, eprint) keep their characters; these could still end the field or
# break a reader, so they are percent-encoded.
_VERBATIM_UNSAFE = re.compile(r'[{}\\<>"\s]')
_AND = re.compile(r"\band\b", re.IGNORECASE)


def bibtex_text(text: str) -> str:
    """Return text as one line that BibTeX and LaTeX print literally."""
    line = " ".join(_INVISIBLE.sub("", _UNPRINTABLE.sub(" ", text)).split())
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group()], line)


def bibtex_verbatim(text: str) -> str:
    """Return a URL-like value with the characters that could end a field percent-encoded."""
    clean = _INVISIBLE.sub("", _UNPRINTABLE.sub("", text)).strip()
    return _VERBATIM_UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), clean)


def _author(name: str) -> str:
    text = bibtex_text(name)
    # "and" separates names in BibTeX; braces keep a name holding the word whole.
    return "{" + text + "}" if _AND.search(text) else text


@dataclass(frozen=True)
class BibEntry:
    """One BibTeX entry: its type, key (the paper id) and fields in output order."""

    kind: str
    key: str
    fields: tuple[tuple[str, str], ...]

    def format(self) -> str:
        """Return the entry as BibTeX source, one field per line."""
        lines = [f"@{self.kind}{{{self.key},"]
        lines += [f"  {name} = {{{value}}}," for name, value in self.fields]
        lines.append("}")
        return "\n".join(lines)


def bibtex_entry(paper: Paper, untitled: str) -> BibEntry:
    """Build the BibTeX entry of a paper; `untitled` stands in for a missing title.

    Only a paper published or accepted at its venue is cited there (@inproceedings, @article);
    a submission under review or withdrawn, a preprint, or a venue of unknown status is @misc,
    with the arXiv eprint fields and a note saying where the paper stands.
    """
    record = paper.record
    status = record.venue_status
    venue = record.venue if status in ("published", "accepted") else None
    kind = {"conference": "inproceedings", "journal": "article"}.get(
        venue_kind(venue) or "", "misc"
    )
    fields: list[tuple[str, str]] = [
        # Double braces keep the title's capitals when a style lowercases titles.
        ("title", "{" + bibtex_text(record.title or untitled) + "}"),
    ]
    if record.authors:
        fields.append(("author", " and ".join(_author(a) for a in record.authors)))
    if venue:
        fields.append(("booktitle" if kind == "inproceedings" else "journal", bibtex_text(venue)))
    year = record.citation_year
    if year:
        fields.append(("year", str(year)))
    note = _status_note(status, record.venue)
    if note:
        fields.append(("note", bibtex_text(note)))
    elif record.venue and status is None:
        fields.append(("howpublished", bibtex_text(record.venue)))
    links = record.links
    if links.doi:
        fields.append(("doi", bibtex_verbatim(links.doi)))
    if links.arxiv:
        fields += [("eprint", bibtex_verbatim(links.arxiv)), ("archivePrefix", "arXiv")]
        if record.arxiv_category:
            fields.append(("primaryClass", bibtex_verbatim(record.arxiv_category)))
    url = paper_url(paper)
    if url:
        fields.append(("url", bibtex_verbatim(url)))
    return BibEntry(kind=kind, key=paper.id, fields=tuple(fields))


def _status_note(status: str | None, venue: str | None) -> str | None:
    """Say where a paper stands when its entry type cannot: accepted, under review, withdrawn."""
    if status == "accepted":
        return "Accepted, to appear"
    if status == "under-review" and venue:
        return f"Under review at {venue}"
    if status == "withdrawn" and venue:
        return f"Withdrawn submission to {venue}"
    return None


def bibtex_file(entries: Iterable[BibEntry]) -> str:
    """Return a .bib file: the entries separated by blank lines, and nothing else.

    BibTeX has no comment syntax: outside an entry it skips text up to the next `@`, which
    starts an entry wherever it stands. A `%` header once carried a report title there, and
    `@misc(key, ...)` in the title became an entry overriding a real one. So no text at all
    stands outside an entry's braces.
    """
    return bibtex_texts(e.format() for e in entries)


def bibtex_texts(entries: Iterable[str]) -> str:
    """Return a .bib file of formatted entries (see bibtex_file)."""
    return "\n\n".join(entries) + "\n"
