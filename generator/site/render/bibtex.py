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
    """Build the BibTeX entry of a paper; `untitled` stands in for a missing title."""
    record = paper.record
    kind = {"conference": "inproceedings", "journal": "article"}.get(
        venue_kind(record.venue) or "", "misc"
    )
    fields: list[tuple[str, str]] = [
        # Double braces keep the title's capitals when a style lowercases titles.
        ("title", "{" + bibtex_text(record.title or untitled) + "}"),
    ]
    if record.authors:
        fields.append(("author", " and ".join(_author(a) for a in record.authors)))
    if record.venue:
        fields.append(
            ("booktitle" if kind == "inproceedings" else "journal", bibtex_text(record.venue))
        )
    if record.year:
        fields.append(("year", str(record.year)))
    links = record.links
    if links.doi:
        fields.append(("doi", bibtex_verbatim(links.doi)))
    if links.arxiv:
        fields += [("eprint", bibtex_verbatim(links.arxiv)), ("archiveprefix", "arXiv")]
    url = paper_url(paper)
    if url:
        fields.append(("url", bibtex_verbatim(url)))
    return BibEntry(kind=kind, key=paper.id, fields=tuple(fields))


def bibtex_file(entries: Iterable[BibEntry]) -> str:
    """Return a .bib file: the entries separated by blank lines, and nothing else.

    BibTeX has no comment syntax: outside an entry it skips text up to the next `@`, which
    starts an entry wherever it stands. A `%` header once carried a report title there, and
    `@misc(key, ...)` in the title became an entry overriding a real one. So no text at all
    stands outside an entry's braces.
    """
    return "\n\n".join(e.format() for e in entries) + "\n"
