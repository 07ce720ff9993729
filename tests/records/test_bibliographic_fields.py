"""Validation of a paper's bibliographic fields: ids, DOIs, authors, dates, venue and status."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from generator.errors import ValidationFailed
from generator.records.load import load_collection
from generator.records.models import ARXIV_PATTERN, DOI_PATTERN, PaperRecord

HEAD = "title: A paper\nadded: 2025-10-15\n"


def _problems(data_dir: Path, body: str) -> list[str]:
    """Write one paper record and return what loading reports, as 'name:line:col: message'."""
    path = data_dir / "papers" / "p.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    try:
        load_collection(data_dir)
    except ValidationFailed as exc:
        return [f"{Path(p.path).name}:{p.line}:{p.col}: {p.message}" for p in exc.problems]
    return []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("arXiv:2509.26328", "has an 'arXiv:' prefix"),
        ("https://arxiv.org/abs/2509.26328", "is a URL, not an id"),
        ("2513.12345", "has month 13"),
        ("2509.2632", "has 4 digits after the dot; ids from 2015 on have 5"),
        ("1412.12345", "has 5 digits after the dot; ids from 2007 to 2014 have 4"),
        ("2509.26328v0", "versions start at v1"),
        ("hep-th/9913001", "is not an arXiv id"),
        ("2509.26328 ", "leading or trailing whitespace"),
        ("0612.1234", "start in April 2007"),
    ],
)
def test_malformed_arxiv_ids_are_refused_at_their_position(
    data_dir: Path, value: str, reason: str
) -> None:
    problems = _problems(data_dir, f'links:\n  arxiv: "{value}"\n')
    assert len(problems) == 1
    assert problems[0].startswith("p.yaml:4:10: links.arxiv: ")
    assert reason in problems[0]


@pytest.mark.parametrize(
    "value",
    ["2509.26328", "2509.26328v2", "1412.1234", "hep-th/9901001", "math.GT/0309136", "cs/0112017"],
)
def test_well_formed_arxiv_ids_pass(data_dir: Path, value: str) -> None:
    assert _problems(data_dir, f'links:\n  arxiv: "{value}"\n') == []


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("doi:10.1145/3600006.3613165", "has a 'doi:' prefix"),
        ("https://doi.org/10.1145/3600006.3613165", "is a URL, not a DOI"),
        ("10.1145", "is not of the form 10.<registrant digits>/<suffix>"),
        ("10.abc/x", "is not of the form"),
        ("10.1145/", "has nothing after the prefix"),
        ("10.1145/a b", "contains spaces"),
        ("10.1145/x}y", "braces"),
    ],
)
def test_malformed_dois_are_refused_at_their_position(
    data_dir: Path, value: str, reason: str
) -> None:
    problems = _problems(data_dir, f'links:\n  doi: "{value}"\n')
    assert len(problems) == 1
    assert problems[0].startswith("p.yaml:4:8: links.doi: ")
    assert reason in problems[0]


def test_patterns_used_by_the_drafting_commands_agree_with_validation() -> None:
    # add and ingest test candidates with the bare patterns before writing a record
    import re

    assert re.fullmatch(ARXIV_PATTERN, "2509.26328v1")
    assert not re.fullmatch(ARXIV_PATTERN, "2513.12345")
    assert re.fullmatch(DOI_PATTERN, "10.1000.10/abc(1)")
    assert not re.fullmatch(DOI_PATTERN, "10.1145/a{b}")


def test_author_count_that_disagrees_with_the_authors_names_both_numbers(data_dir: Path) -> None:
    problems = _problems(data_dir, "authors:\n- A One\n- B Two\nauthor_count: 3\n")
    assert problems == ["p.yaml:6:15: author_count is 3 but 2 authors are listed"]


def test_author_count_may_be_left_to_the_authors(data_dir: Path) -> None:
    assert _problems(data_dir, "authors:\n- A One\n- B Two\n") == []
    record = PaperRecord(title="T", added=date(2025, 1, 1), authors=["A", "B"])
    assert record.author_total == 2
    assert PaperRecord(title="T", added=date(2025, 1, 1), author_count=7).author_total == 7


def test_year_of_a_preprint_must_be_the_year_of_its_first_version(data_dir: Path) -> None:
    body = "published: 2025-09-30\nvenue_status: preprint\nyear: 2026\n"
    assert _problems(data_dir, body) == [
        "p.yaml:5:7: year: is 2026 but published is 2025-09-30: a paper not at a venue"
        " takes the year of its first version (2025)"
    ]
    withdrawn = "published: 2025-09-30\nvenue: ICLR 2026\nvenue_status: withdrawn\nyear: 2026\n"
    assert "year: is 2026 but published is 2025-09-30" in _problems(data_dir, withdrawn)[0]


def test_year_of_a_published_paper_is_the_venue_year(data_dir: Path) -> None:
    good = "published: 2025-09-30\nvenue: ICLR 2026\nvenue_status: published\nyear: 2026\n"
    assert _problems(data_dir, good) == []
    bad = good.replace("year: 2026", "year: 2025")
    assert _problems(data_dir, bad) == [
        "p.yaml:6:7: year: is 2025 but the venue 'ICLR 2026' is of 2026"
    ]


def test_year_is_taken_from_published_when_missing() -> None:
    record = PaperRecord(title="T", added=date(2025, 1, 1), published=date(2025, 9, 30))
    assert record.citation_year == 2025
    assert PaperRecord(title="T", added=date(2025, 1, 1)).citation_year is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "venue: ICLR 2026\nvenue_status: under review\n",
            "p.yaml:4:15: venue_status: Input should be 'published', 'accepted', 'under-review',"
            " 'withdrawn' or 'preprint'",
        ),
        (
            "venue_status: withdrawn\n",
            "p.yaml:3:15: venue_status: is 'withdrawn' but no venue is given;"
            " add venue: (its name, e.g. 'ICLR 2026')",
        ),
        (
            "venue: ICLR 2026 (under review)\n",
            "p.yaml:3:8: venue: 'ICLR 2026 (under review)' has the status in the name;"
            " write venue: 'ICLR 2026' and say the status in venue_status (published,"
            " accepted, under-review, withdrawn or preprint)",
        ),
        (
            "published: 2025\n",
            "p.yaml:3:12: published: 2025 is not a date; write YYYY-MM-DD"
            " (if only the year is known, use year:)",
        ),
        (
            "arxiv_category: cs.CL\n",
            "p.yaml:3:17: arxiv_category: is set but links.arxiv is not; add the arXiv id",
        ),
        (
            'links:\n  arxiv: "2509.26328"\narxiv_category: "cs CL"\n',
            "p.yaml:5:17: arxiv_category: 'cs CL' has the wrong form; write arXiv's primary category",
        ),
    ],
)
def test_status_and_category_problems_are_positioned(
    data_dir: Path, body: str, expected: str
) -> None:
    problems = _problems(data_dir, body)
    assert len(problems) == 1
    assert problems[0].startswith(expected)


@pytest.mark.parametrize("status", ["published", "accepted", "under-review", "withdrawn"])
def test_every_status_but_preprint_names_a_venue(data_dir: Path, status: str) -> None:
    assert _problems(data_dir, f"venue: NeurIPS 2025\nvenue_status: {status}\n") == []
    assert _problems(data_dir, "venue_status: preprint\n") == []


def test_sources_take_only_known_facts(data_dir: Path) -> None:
    good = "sources:\n  venue: OpenReview forum https://openreview.net/forum?id=x\n"
    assert _problems(data_dir, good) == []
    problems = _problems(data_dir, "sources:\n  venu: OpenReview\n")
    assert problems == ["p.yaml:4:3: unknown field 'venu': did you mean 'venue'?"]
