"""Citation metadata of a paper: venue kind, best links, and Highwire `citation_*` meta tags."""

from __future__ import annotations

import functools
import re
from datetime import date

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


def _publication_date(published: date | None, year: int | None) -> str | None:
    """Return the first version's date (YYYY/MM/DD) when it falls in the year to cite, else that year.

    A paper published at ICLR 2026 but first posted in 2025 is cited as of 2026: Zotero takes
    the item's year from this tag, and it must agree with the BibTeX entry.
    """
    if published is not None and (year is None or published.year == year):
        return published.strftime("%Y/%m/%d")
    return str(year) if year else None


def highwire_tags(paper: Paper) -> list[tuple[Html, str]]:
    """Return (name, content) pairs of Highwire meta tags: our names as HTML, contents as text."""
    record = paper.record
    tags: list[tuple[str, str]] = []
    if record.title:
        tags.append(("citation_title", record.title))
    tags += [("citation_author", name) for name in record.authors or []]
    when = _publication_date(record.published, record.citation_year)
    if when:
        tags += [("citation_publication_date", when), ("citation_date", when)]
    if record.published:
        tags.append(("citation_online_date", record.published.strftime("%Y/%m/%d")))
    # Only a venue the paper is published or accepted at names it; a submission is no paper of it.
    venue = record.venue if record.venue_status in ("published", "accepted") else None
    kind = venue_kind(venue)
    if venue and kind == "conference":
        tags.append(("citation_conference_title", venue))
    elif venue:
        tags.append(("citation_journal_title", venue))
    pdf = pdf_url(paper)
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if record.links.arxiv:
        tags.append(("citation_arxiv_id", record.links.arxiv))
    if record.links.doi:
        tags.append(("citation_doi", record.links.doi))
    tags += [("citation_keywords", t.en) for t in paper.techniques]
    return [(_tag_name(name), content) for name, content in tags]
