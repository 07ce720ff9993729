"""Find a paper's title, authors, affiliations, abstract and identifiers on its first pages."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from generator.authoring.ingest.layout import Line, attach_cells, build_lines, read_spans
from generator.authoring.ingest.people import MARK, NOTE, ORG, find_people, looks_like_name
from generator.authoring.ingest.text import clean_text, join_lines, squash, vocabulary

_ABSTRACT_HEAD = re.compile(
    r"^\s*(?:a\s?b\s?s\s?t\s?r\s?a\s?c\s?t|summary(?=\s*(?:[:.\-—–]|$))|r[ée]sum[ée]|resumen|zusammenfassung)\s*(?:[:.\-—–]\s*|\s+(?=[A-Z\d“\"(])|$)(.*)$",
    re.IGNORECASE,
)
_STOP_HEAD = re.compile(
    r"^(?:keywords|key\s?words|index terms|ccs concepts|acm reference format|general terms"
    r"|categories and subject descriptors|author keywords|acm classification|subjects\b"
    r"|introduction\b|(?:\d{1,2}|[IVX]{1,4})\s*\.?\s*introduction\b)",
    re.IGNORECASE,
)
# a kicker above the title ("Research Article") is not part of it
_KICKER = re.compile(
    r"^(?:research|review|original|short|brief|full[- ]length|regular|invited|technical|mini"
    r"|case|special issue|feature|data|methods?|software)?\s*"
    r"(?:article|paper|communication|report|letter|note|review)s?$"
    r"|^(?:review|open access|research|perspective|commentary|editorial|opinion|original research"
    r"|(?:mini|systematic) review|hypothesis and theory|brief research report|methods)$",
    re.IGNORECASE,
)
# private-use code points: glyphs of a symbol font without a Unicode mapping (formula labels)
_SYMBOL_FONT = re.compile("[\ue000-\uf8ff]")
_NUMBERED_HEAD = re.compile(r"^(?:\d{1,2}|[IVX]{1,4})(?:\.\d{1,2})*\.?\s+[A-Z][^.!?]*$")
_HEADER_NOISE = re.compile(
    r"^(?:proceedings|arxiv|preprint|journal\b|vol\.|volume\b|copyright|©|\(c\)|published|accepted"
    r"|under review|submitted|in proceedings|workshop|https?:|www\.|doi\b|issn|isbn|page \d|technical report)",
    re.IGNORECASE,
)
# a journal's masthead above the title: its publisher's line ("An IOP and SISSA journal") or
# its name set as a logo, whose first letter may be a drop capital read apart ("ournal of ...")
_MASTHEAD = re.compile(r"^(?:an?\s.{0,40}\bjournal\w?\W*$|j?ournal of\b)", re.IGNORECASE)
# the running line that cites the journal: "Future Internet 2014, 6, 61-75; doi:10.3390/..."
_CITATION_LINE = re.compile(r"^(\D{3,60}?)[\s,]+(?:19|20)\d\d\b.*\bdoi\b", re.IGNORECASE)
# what a journal prints right under its name: "ISSN 1999-5903", "journal homepage: www..."
_BELOW_MASTHEAD = re.compile(
    r"^(?:(?:e-|p-|print |online )?issn\b|journal homepage\b)", re.IGNORECASE
)
# labels that open a structured abstract without an "Abstract" heading
_ABSTRACT_LABEL = re.compile(
    r"^(?:background|objectives?|purpose|context|aims?|motivation|importance|rationale"
    r"|introduction)\s*:",
    re.IGNORECASE,
)
# lowercase words an affiliation holds in many languages: they do not make a line a sentence
_ADDRESS_PARTICLES = frozenset(
    [
        "and",
        "of",
        "the",
        "for",
        "in",
        "at",
        "di",
        "e",
        "del",
        "della",
        "degli",
        "de",
        "la",
        "le",
        "du",
        "des",
        "et",
        "y",
        "da",
        "do",
        "dos",
        "das",
        "der",
        "die",
        "und",
        "für",
        "fur",
        "van",
        "von",
        "voor",
        "en",
        "i",
        "per",
    ]
)
_ARXIV = re.compile(
    r"arXiv\s*:\s*((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?)", re.IGNORECASE
)
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)")
_BAD_META_TITLE = re.compile(
    r"(^microsoft (word|powerpoint)\b|\.(docx?|tex|dvi|pdf|rtf|odt|indd|ps)$|^untitled\b|^proceedings\b"
    r"|^title$|^paper$|^slide|^document\d*$|^\W*$)",
    re.IGNORECASE,
)
_MAX_TITLE = 300
_MAX_ABSTRACT = 5000
_MAX_PAGE_TEXT = 12000
_COLUMN_SHIFT = 150.0  # points: a line starting this far from the abstract's left edge is elsewhere


@dataclass
class PdfFields:
    """What the extractor found in one PDF (None or empty when not found)."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    affiliations: list[str] = field(default_factory=list)
    abstract: str | None = None
    arxiv: str | None = None
    doi: str | None = None
    year: int | None = None
    pages: int = 0
    metadata_title: str | None = None
    notes: list[str] = field(default_factory=list)
    page_text: str | None = None  # the first page in reading order (for an LLM to correct from)
    # what the PDF library warned about while reading (shown only with ingest --verbose)
    reader_warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PdfFields:
        """Rebuild from `to_dict` output, ignoring unknown keys."""
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass
class _Page:
    lines: list[Line]
    plain: str
    height: float


def _read_page(page: Any) -> _Page:
    spans, plain = read_spans(page)
    try:
        height = float(page.mediabox.height)
    except Exception:  # a missing mediabox: assume US letter
        height = 792.0
    lines = build_lines(spans)
    biggest = max((ln.size for ln in lines), default=0.0)
    # names set in columns whose gaps the glyph widths could not show: ask the layout mode
    unmeasured = [ln for ln in lines if any(s.right is None for s in ln.spans)]
    if any(_names_run(ln) for ln in unmeasured if ln.y > height * 0.4 and ln.size < biggest - 0.5):
        try:
            layout = page.extract_text(extraction_mode="layout")
        except Exception:  # the layout mode is only a hint for lines that hold several columns
            layout = ""
        attach_cells(lines, layout)
    return _Page(lines, clean_text(plain), height)


def _names_run(line: Line) -> bool:
    """Tell whether a line could be names set in columns by one text operator ('Ann Lee Bo Chan').

    Only the layout-mode text shows the gaps between such columns, and it is slow: ask for it
    only for a line below the title of four or more capitalised words, no marker, no
    institution word, in mixed case.
    """
    text = line.text(markers=MARK)
    words = text.split()
    return (
        len(words) >= 4
        and all(w[:1].isupper() and re.fullmatch(r"[\w.'’-]{2,}", w) for w in words)
        and not ORG.search(text)
        and any(ch.islower() for ch in text)
    )


def extract_fields(reader: Any) -> PdfFields:
    """Read the first page (and the second when the first is a title page) of a PdfReader."""
    fields = PdfFields(pages=len(reader.pages))
    fields.metadata_title = _metadata_title(reader)
    if fields.pages == 0:
        fields.notes.append("the PDF has no pages")
        return fields
    first = _read_page(reader.pages[0])
    pages = [first]
    fields.page_text = first.plain[:_MAX_PAGE_TEXT]
    vocab = vocabulary([first.plain])

    head = _abstract_heading(first.lines)
    title_lines = _title_lines(first, head)
    title_end = max((ln.index for ln in title_lines), default=-1)
    if title_lines:
        parts = [ln.text(markers="", powers=True) for ln in title_lines]
        if len(title_lines) > 1 and title_lines[0].size < title_lines[1].size * 0.92:
            parts = [f"{parts[0]}:", *parts[1:]]  # a name set smaller above the title
        title = squash(join_lines(parts, vocab)).strip(" *∗†‡,")
        if 3 <= len(title) <= _MAX_TITLE:
            fields.title = title

    abstract_start: int | None = head.index if head else None
    # the text under the heading may have been drawn before it (the heading added last)
    under = _drawn_before(first.lines, head) if head else None
    abstract = _abstract_after_heading(first.lines, head, vocab, under) if head else None
    if abstract is None:
        run = _first_paragraph(first.lines, title_end + 1)
        if run:
            abstract_start = run[0].index
            abstract = join_lines([ln.text(markers="", formulae=True) for ln in run], vocab)
        elif fields.pages > 1 and not _has_body(first.lines, first.height):
            # a title page: the abstract opens the next page, often without a heading
            second = _read_page(reader.pages[1])
            pages.append(second)
            vocab |= vocabulary([second.plain])
            head2 = _abstract_heading(second.lines)
            if head2:
                abstract = _abstract_after_heading(second.lines, head2, vocab)
            else:
                run = _first_paragraph(second.lines, 0)
                abstract = (
                    join_lines([ln.text(markers="", formulae=True) for ln in run], vocab)
                    if run
                    else None
                )
    if abstract:
        fields.abstract = abstract[:_MAX_ABSTRACT]

    end = (
        abstract_start
        if abstract_start is not None and abstract_start > title_end
        else len(first.lines)
    )
    region = [ln for ln in first.lines[title_end + 1 : end] if ln.y > first.height * 0.25]
    if head and under is not None:
        region = [ln for ln in region if ln.y > head.y]  # the abstract is not the author block
    skip = {ln.index for ln in title_lines}
    people = find_people(region, first.lines, skip, first.height, _block_above(first, title_lines))
    fields.authors, fields.affiliations = people.authors, people.affiliations

    text = "\n".join(p.plain for p in pages)
    arxiv = _ARXIV.search(text)
    if arxiv:
        fields.arxiv = arxiv.group(1)
        fields.year = _arxiv_year(fields.arxiv)
    doi = _DOI.search(text)
    if doi:
        fields.doi = doi.group(1).rstrip(".,;)]}")

    if fields.title is None and fields.metadata_title:
        fields.title = fields.metadata_title
        fields.notes.append("title: taken from the PDF's metadata, not from the page")
    return fields


def _block_above(page: _Page, title_lines: list[Line]) -> list[Line]:
    """The lines set close together right above the title, nearest last (top to bottom)."""
    if not title_lines:
        return []
    top = max(title_lines, key=lambda ln: ln.y)
    first = min(ln.index for ln in title_lines)
    higher = sorted((ln for ln in page.lines[:first] if ln.y > top.y + 1), key=lambda ln: ln.y)
    block: list[Line] = []
    edge = top
    for line in higher:
        if line.y - edge.y > 2.5 * max(line.size, min(edge.size, line.size * 1.5)):
            break
        block.append(line)
        edge = line
    return sorted(block, key=lambda ln: -ln.y)


def _metadata_title(reader: Any) -> str | None:
    try:
        meta = reader.metadata
        raw = meta.title if meta else None
    except Exception:  # broken metadata is simply absent
        return None
    if not isinstance(raw, str):
        return None
    title = squash(clean_text(raw))
    if len(title) < 8 or len(title) > _MAX_TITLE or _BAD_META_TITLE.search(title):
        return None
    return title


def _arxiv_year(arxiv: str) -> int | None:
    match = re.match(r"(\d{2})(\d{2})\.", arxiv) or re.search(r"/(\d{2})(\d{2})\d{3}", arxiv)
    if not match:
        return None
    yy = int(match.group(1))
    return 1900 + yy if yy >= 91 else 2000 + yy


def _abstract_heading(lines: list[Line]) -> Line | None:
    for line in lines:
        text = line.text()
        if len(text) < 200 and _ABSTRACT_HEAD.match(text):
            return line
    return None


def _fold_name(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text).lower().split())


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _title_lines(page: _Page, head: Line | None) -> list[Line]:
    """Pick the largest upright text above the abstract: the title, possibly on several lines."""
    limit = head.index if head else len(page.lines)
    candidates = [
        ln
        for ln in page.lines[:limit]
        if ln.y > page.height * 0.35
        and _letters(ln.text()) >= 3
        and not _SYMBOL_FONT.search(ln.text())
        and not _HEADER_NOISE.match(ln.text())
        and not _KICKER.match(ln.text())
        and "@" not in ln.text()
    ]
    journals = {
        _fold_name(m.group(1))
        for ln in page.lines[:limit]
        if (m := _CITATION_LINE.match(ln.text()))
    }
    candidates = [
        ln
        for ln in candidates
        if not _MASTHEAD.match(ln.text())
        and _fold_name(ln.text()) not in journals
        and not (
            ln.index + 1 < len(page.lines)
            and _BELOW_MASTHEAD.match(page.lines[ln.index + 1].text())
        )
    ]
    if not candidates:
        return []
    biggest = max(ln.size for ln in candidates)
    top = next(ln for ln in candidates if ln.size >= biggest - 0.05)
    group = [top]
    allowed = {ln.index for ln in candidates}
    for step in (-1, 1):
        i = top.index + step
        anchor = top
        while 0 <= i < len(page.lines) and i in allowed:
            line = page.lines[i]
            if line.size < biggest * 0.92 or abs(line.y - anchor.y) > biggest * 2.5:
                break
            group.append(line)
            anchor = line
            i += step
    group.sort(key=lambda ln: ln.index)
    lead = _title_lead(page, group[0], biggest, allowed)
    return [lead, *group] if lead else group


def _title_lead(page: _Page, first: Line, biggest: float, allowed: set[int]) -> Line | None:
    """Return a short name set smaller on its own line right above the title, or None.

    "olmOCR 2" over "Unit Test Rewards for Document OCR": the name of the system the paper is
    about, in the title's face, which the page names again (the abstract). A kicker, a
    journal's name or a byline is not such a lead.
    """
    i = first.index - 1
    if i < 0 or i not in allowed:
        return None
    line = page.lines[i]
    text = line.text(markers="")
    return (
        line
        if 0 < line.y - first.y <= 2.5 * biggest
        and biggest * 0.5 <= line.size < biggest * 0.92
        and line.bold == first.bold
        and 1 <= len(text.split()) <= 3
        and text[-1:].isalnum()
        and not looks_like_name(text)
        and page.plain.count(text) >= 2
        else None
    )


def _is_heading(line: Line, text: str, body_size: float | None) -> bool:
    if _STOP_HEAD.match(text):
        return True
    words = len(text.split())
    if words <= 6 and _NUMBERED_HEAD.match(text):
        return True
    return body_size is not None and words <= 8 and line.size > body_size * 1.12


def _drawn_before(lines: list[Line], head: Line) -> list[Line] | None:
    """Return the lines under an abstract heading, top to bottom, when they were drawn before it.

    Some PDFs draw the headings after the text they head: the line after the heading in the
    content stream is then somewhere else, while a line right under the heading came earlier.
    None when the content stream follows the heading with its text (the usual case).
    """

    def right_under(line: Line) -> bool:
        end = max(s.end for s in line.spans)
        return (
            0 < head.y - line.y <= 3 * max(head.size, line.size)
            and line.x <= head.x + 2 * head.size
            and end >= head.x
        )

    following = next((ln for ln in lines[head.index + 1 :] if ln.text()), None)
    if following is not None and (right_under(following) or abs(following.y - head.y) < 1):
        return None
    if not any(right_under(ln) for ln in lines[: head.index]):
        return None
    return sorted((ln for ln in lines if ln.y < head.y - 1), key=lambda ln: -ln.y)


def _abstract_after_heading(
    lines: list[Line], head: Line, vocab: set[str], under: list[Line] | None = None
) -> str | None:
    match = _ABSTRACT_HEAD.match(head.text(markers="", formulae=True))
    body: list[str] = []
    body_size: float | None = None
    if match and match.group(1).strip():
        body.append(match.group(1))
        body_size = head.size
    previous = head
    body_x: float | None = None
    for line in lines[head.index + 1 :] if under is None else under:
        text = line.text(markers="", formulae=True)
        if not text:
            continue
        if body_x is not None and abs(line.x - body_x) > _COLUMN_SHIFT:
            continue  # a line of the other column, written in between (row-by-row output)
        if _is_heading(line, text, body_size):
            break
        if body_size is None:
            body_size = line.size
        elif line.size < body_size * 0.8:
            if len(body) >= 2:
                break  # a footnote under the abstract
            continue
        if previous is not head and line.y > previous.y + 4 * line.size and len(body) >= 3:
            break  # jumped to the top of another column or a figure
        body.append(text)
        previous = line
        if body_x is None and len(text) > 20:
            body_x = line.x
        if sum(len(b) for b in body) > _MAX_ABSTRACT:
            break
    text = join_lines(body, vocab)
    return text if len(text) >= 40 else None


def _sentence_like(text: str) -> bool:
    words = text.split()
    if len(words) <= 8 and ORG.search(text):
        return False  # "Department of Computer and Information Science" is an affiliation
    lower = [w for w in words if w[:1].islower()]
    if ORG.search(text):
        # "Dipartimento di Fisica e Astronomia, Università di Padova, ..." is an affiliation too:
        # its lowercase words are particles of names, not the words of a sentence
        lower = [w for w in lower if w.strip(",.;:") not in _ADDRESS_PARTICLES]
    return len(text) >= 25 and len(words) >= 4 and len(lower) * 3 >= len(words)


def _first_paragraph(lines: list[Line], start: int) -> list[Line]:
    """Find the first run of at least three body-like lines before any section heading."""
    run: list[Line] = []
    skipped: Line | None = None
    for line in lines[start:]:
        text = line.text(markers="")
        if not text:
            continue
        if skipped is not None and 0 < skipped.y - line.y <= skipped.size * 1.35:
            skipped = line  # the rest of a copyright or correspondence note
            continue
        skipped = None
        if _is_heading(line, text, run[0].size if run else None) or _ABSTRACT_HEAD.match(text):
            if len(run) >= 3:
                return run
            if _STOP_HEAD.match(text) or _NUMBERED_HEAD.match(text):
                return []
            run = []
            continue
        if "@" in text or NOTE.match(text) or _HEADER_NOISE.match(text):
            if len(run) >= 3:
                return run
            run = []
            skipped = line
            continue
        # a structured abstract's label ("Background:") may be set larger than its text
        labelled = _ABSTRACT_LABEL.match(text) is not None
        body = [ln for ln in run if not _ABSTRACT_LABEL.match(ln.text(markers=""))]
        fits = not run or (
            (labelled or not body or abs(line.size - body[0].size) <= 0.6) and line.y < run[-1].y
        )
        if fits and (_sentence_like(text) or (run and len(text) >= 3)):
            run.append(line)
            if not _sentence_like(text) and len(run) >= 3:
                return run  # a short line ends the paragraph
        else:
            if len(run) >= 3:
                return run
            run = [line] if _sentence_like(text) else []
    return run if len(run) >= 3 else []


def _has_body(lines: list[Line], height: float) -> bool:
    """Tell whether a page holds running text (five sentence-like lines above the footnotes)."""
    return sum(_sentence_like(ln.text()) for ln in lines if ln.y > height * 0.4) >= 5
