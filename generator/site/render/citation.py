"""Citation metadata of a paper: venue kind, best links, and Highwire `citation_*` meta tags."""

from __future__ import annotations

import functools
import re

from generator.records.collection import Paper
from generator.site.render.html import Html, safe_url

# A venue naming a conference, workshop or symposium; any other venue is taken for a journal.
_CONFERENCE = re.compile(
    r"conference|proceedings|workshop|symposium|\b(?:NeurIPS|NIPS|ICML|ICLR|CVPR|ICCV|ECCV|"
    r"ACL|EMNLP|NAACL|COLING|AAAI|IJCAI|KDD|WWW|SIGIR|SIGMOD|VLDB|OSDI|SOSP|NSDI|EuroSys|ATC|"
    r"ISCA|MICRO|HPCA|ASPLOS|MLSys|DAC|ICCAD|DATE|FPGA|PPoPP|SC|ICDE|INTERSPEECH|ICASSP|"
    r"COLM|UAI|AISTATS|CoRL|RSS|ICRA|IROS)\b",
    re.IGNORECASE,
)

# Meta tag names are ours (citation_title …): HTML as they are, made once.
_tag_name = functools.cache(Html)


def venue_kind(venue: str | None) -> str | None:
    """Tell whether a venue is a conference or a journal (None when there is no venue)."""
    if not venue:
        return None
    return "conference" if _CONFERENCE.search(venue) else "journal"


def paper_url(paper: Paper) -> str | None:
    """Return the best public link to a paper: arXiv, then DOI, then its PDF."""
    links = paper.record.links
    if links.arxiv:
        return f"https://arxiv.org/abs/{links.arxiv}"
    if links.doi:
        return f"https://doi.org/{links.doi}"
    return safe_url(links.pdf)


def pdf_url(paper: Paper) -> str | None:
    """Return a link to the paper's PDF: the record's, else arXiv's."""
    links = paper.record.links
    return safe_url(links.pdf) or (f"https://arxiv.org/pdf/{links.arxiv}" if links.arxiv else None)


def highwire_tags(paper: Paper) -> list[tuple[Html, str]]:
    """Return (name, content) pairs of Highwire meta tags: our names as HTML, contents as text."""
    record = paper.record
    tags: list[tuple[str, str]] = []
    if record.title:
        tags.append(("citation_title", record.title))
    tags += [("citation_author", name) for name in record.authors or []]
    if record.year:
        tags += [
            ("citation_publication_date", str(record.year)),
            ("citation_date", str(record.year)),
        ]
    kind = venue_kind(record.venue)
    if record.venue and kind == "conference":
        tags.append(("citation_conference_title", record.venue))
    elif record.venue:
        tags.append(("citation_journal_title", record.venue))
    pdf = pdf_url(paper)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if record.links.arxiv:
        tags.append(("citation_arxiv_id", record.links.arxiv))
    if record.links.doi:
        tags.append(("citation_doi", record.links.doi))
    tags += [("citation_keywords", t.en) for t in paper.techniques]
    return [(_tag_name(name), content) for name, content in tags]
