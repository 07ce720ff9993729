"""Scaffold a new paper record: a commented template that a contributor fills in."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from generator.errors import ConfigError, PaperbriefError
from generator.records.models import Technique, TechniquesFile, check_id
from generator.records.store import atomic_write

SCHEMA_LINE = "# yaml-language-server: $schema=../schemas/paper.schema.json"

# Fields a contributor must look at: they are written as active keys holding an empty
# placeholder, so an untouched scaffold fails `paperbrief validate` on exactly those lines.
FILL_IN = ("title", "institutions", "techniques")

# Every other field is written commented out, as `#key: value` and `#  nested: value` (the
# '#' replaces nothing), so deleting the single '#' gives valid, correctly indented YAML.
# Prose comments start with '# ' and never with '#  ' followed by text.
_FIELDS: tuple[tuple[str, str, str], ...] = (
    (
        "title",
        """Title as printed on the paper, in its own capitalisation. Only the title: no
        venue header such as "Under review as a conference paper at ICLR 2026" (that
        goes in `venue`). If you cannot find it, delete the line and add a `review` entry.""",
        'title: ""',
    ),
    (
        "institutions",
        """Institutions of the authors, one per line, as written on the paper: English name,
        Chinese name or a known alias (e.g. University of Chicago, 清华大学, MIT). Each
        must be in data/institutions.yaml; `paperbrief validate` suggests the closest
        names. A new institution is added to that file in the same pull request.""",
        'institutions:\n  - ""',
    ),
    (
        "author_count",
        """Number of authors. It can be left out when `authors` are listed; if both are
        given, they must agree.""",
        "#author_count: 2",
    ),
    (
        "authors",
        """Author names in the order printed on the paper (arXiv's list), one per line.""",
        "#authors:\n#  - Ada Lovelace\n#  - Alan Turing",
    ),
    (
        "abstract",
        """The paper's abstract, copied as is (no Markdown). The '|' keeps line breaks;
        indent every line of it by two spaces.""",
        "#abstract: |\n#  We present a method that does less work per token.\n"
        "#  It is faster and loses no accuracy.",
    ),
    (
        "published",
        """Date of the first public version (arXiv v1), YYYY-MM-DD.""",
        "#published: 2025-10-01",
    ),
    (
        "venue",
        """Name of the venue the paper appeared in or was submitted to, e.g. "NeurIPS 2025";
        only the name: its status goes in `venue_status`. Leave it out for a preprint.""",
        "#venue: ICLR 2026",
    ),
    (
        "venue_status",
        """Where the paper stands: published, accepted, under-review, withdrawn or preprint
        (arXiv only, no venue). Only an official page (the proceedings, OpenReview, the
        conference site) settles it; say which in `sources`.""",
        "#venue_status: under-review",
    ),
    (
        "year",
        """Year to cite: the venue's year once published or accepted, else the year of the
        first version (it must then match `published`).""",
        "#year: 2025",
    ),
    (
        "links",
        """Where to read the paper. `arxiv` and `doi` are bare identifiers, not URLs; put an
        arXiv id in quotes (unquoted, YAML reads 2510.01234 as a number). `pdf`, `code`
        and `project` are full http(s) URLs. Uncomment `links:` too when you use one.""",
        '#links:\n#  arxiv: "2510.01234"\n#  doi: 10.1145/3600006.3613165\n'
        "#  pdf: https://arxiv.org/pdf/2510.01234\n"
        "#  code: https://github.com/example/example\n"
        "#  project: https://example.org/paper",
    ),
    (
        "arxiv_category",
        """arXiv primary category, e.g. cs.CL (needs `links.arxiv`).""",
        "#arxiv_category: cs.CL",
    ),
    (
        "techniques",
        """Technique ids from data/techniques.yaml, one per line; one to four is typical.
        A page per technique lists its papers, so pick the closest existing ones.""",
        'techniques:\n  - ""',
    ),
    (
        "added",
        """Date this record was added to the collection (YYYY-MM-DD); already filled in.""",
        "added: {today}",
    ),
    (
        "brief",
        """A one-sentence Chinese brief in the report's pattern (who, technique, problem,
        result). Leave it out to let the enrichment workflow propose one; a brief written
        here always wins over a generated one.""",
        "#brief: 某大学发布了示例论文，使用示例技术，解决了示例问题，达成了示例效果。",
    ),
    (
        "tldr",
        """Optional one-sentence English summary.""",
        "#tldr: Cuts decoding latency in half without losing accuracy.",
    ),
    (
        "notes",
        """Notes for readers and maintainers, shown on the paper page (plain text).""",
        "#notes: The code release covers only the evaluation scripts.",
    ),
    (
        "sources",
        """Where a fact comes from when it is not the paper's arXiv page, one line per fact
        (title, authors, institutions, published, venue, arxiv_category, doi, pdf, code,
        project). Uncomment `sources:` too when you use one.""",
        '#sources:\n#  venue: "OpenReview forum https://openreview.net/forum?id=...: ICLR 2026 Poster"',
    ),
    (
        "review",
        """Open questions for a maintainer, one per line, as "field: question": anything
        you could not confirm. They are shown on the paper page until a maintainer resolves them.""",
        '#review:\n#  - "venue: not sure this is the camera-ready version"',
    ),
)


class RecordExists(PaperbriefError):
    """A record with that id already exists; nothing was written."""


@dataclass(frozen=True)
class Scaffold:
    """What `paperbrief new` wrote and what the contributor does next."""

    path: Path
    paper_id: str
    next_steps: tuple[str, ...]


def _comment(text: str) -> list[str]:
    """Turn a paragraph into '# ' comment lines of at most 100 characters."""
    flat = " ".join(textwrap.dedent(text).split())
    return ["# " + line for line in textwrap.wrap(flat, width=96)]


def _technique_lines(techniques: Sequence[Technique]) -> list[str]:
    if not techniques:
        return ["# Known technique ids: see data/techniques.yaml."]
    width = max(len(t.id) for t in techniques)
    return ["# Known technique ids:"] + [f"#   {t.id.ljust(width)}  {t.en}" for t in techniques]


def render_template(paper_id: str, *, added: date, techniques: Sequence[Technique] = ()) -> str:
    """Return the commented record template for a new paper."""
    lines = [
        SCHEMA_LINE,
        "#",
        f"# Paper record {paper_id!r}.",
        "# The file name is the paper id; rename the file to change it.",
        "# Fill in what you know and leave the rest commented out: an unknown value is left",
        "# out, never written as n/a or an empty string. To use a commented field, delete the",
        "# single '#' in front of each of its lines. Check your work with: paperbrief validate",
    ]
    for name, help_text, example in _FIELDS:
        lines.append("")
        lines.extend(_comment(help_text))
        if name == "techniques":
            lines.extend(_technique_lines(techniques))
        lines.extend(example.format(today=added.isoformat()).splitlines())
    return "\n".join(lines) + "\n"


def template_fields() -> tuple[str, ...]:
    """Return the record fields the template explains, in order."""
    return tuple(name for name, _help, _example in _FIELDS)


def _known_techniques(data_dir: Path) -> list[Technique]:
    """Read the technique ids for the template's hint; an unreadable file gives none."""
    from generator.records.parse import read_model

    found, _doc, _problems = read_model(data_dir / "techniques.yaml", TechniquesFile)
    return list(found.techniques) if found else []


def scaffold_paper(data_dir: Path, paper_id: str, *, today: date | None = None) -> Scaffold:
    """Create data/papers/ID.yaml from the template; refuse a bad id or an existing record."""
    from generator.records.parse import display_path

    stem = paper_id.removesuffix(".yaml").removesuffix(".yml")
    if stem != paper_id:
        raise ConfigError(f"give the id without the extension: paperbrief new {stem}")
    try:
        check_id(paper_id)
    except ValueError as exc:
        raise ConfigError(f"paper id {exc}") from None
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise ConfigError(f"data directory {display_path(data_dir)} not found; pass --data DIR")
    papers = data_dir / "papers"
    for existing in (papers / f"{paper_id}.yaml", papers / f"{paper_id}.yml"):
        if existing.exists() or existing.is_symlink():
            raise RecordExists(
                f"{display_path(existing)} already exists; edit it, or choose another id"
            )
    papers.mkdir(parents=True, exist_ok=True)
    path = papers / f"{paper_id}.yaml"
    text = render_template(
        paper_id, added=today or date.today(), techniques=_known_techniques(data_dir)
    )
    try:
        atomic_write(path, text, create_only=True)
    except FileExistsError:
        raise RecordExists(
            f"{display_path(path)} already exists; edit it, or choose another id"
        ) from None
    shown = display_path(path)
    data_flag = (
        ""
        if Path(os.path.normpath(data_dir)) == Path("data")
        else f" --data {display_path(data_dir)}"
    )
    steps = (
        f"Edit {shown}: fill in title, institutions and techniques; uncomment the fields you know.",
        f"Check it: paperbrief validate{data_flag} (each problem shows file:line:column).",
        "Commit the file on a branch and open a pull request; CI validates it and builds"
        " a preview of the site.",
    )
    return Scaffold(path=path, paper_id=paper_id, next_steps=steps)
