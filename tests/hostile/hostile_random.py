"""Random data directories drawn from hostile values, for checking that validate and build agree.

Each seed gives the same directory. Most values are hostile but valid (markup, BibTeX and CSV
injections, the report format's headings, Unicode at the edges, dates at the ends of their range);
in about a third of the directories one or two are invalid (non-characters, bidi overrides, tag characters, look-alike letters, dates out of
range), so both sides of validation are exercised.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hostile_payloads import LINE_PAYLOADS, PROSE_EXTRAS
from hostile_records import to_yaml

BIBTEX = [
    'AI推理加速 @misc(cast, title="Retracted: plagiarised", author="Nobody")',
    "} @article{forged, title = {Forged}, year = 1999}",
    "@comment{ @misc{inside, title={x}} }",
    '@string{ evil = "x" }',
    "@preamble{ \\write18{rm -rf} }",
    "{{{ unbalanced",
    "unbalanced }}}",
    "% a percent line \\ and a backslash",
    "title = {Injected}, note = {",
]
REPORT_FORMAT = [
    "## 论文详细信息",
    "### 1. Fake entry",
    "**摘要**: fake",
    "生成时间: 2020-01-01 00:00:00",
    "# a heading",
]
CSV = ["=1+1", "a;=HYPERLINK(1)", "x|@SUM(1)", "-2+3", "+cmd", "a, =b", "＝1+1", "a; @x"]
UNICODE = [
    "مرحبا بالعالم",
    "שלום",
    "Zürich École naïve",
    "量化 😀 模型",
    "é (e + combining acute)",
    "ﬁ ligature",
    "A" * 300,
    "]]> &#0; &#xFFFE; &amp;",
    "x\u2003y",
]
LINES_OK = LINE_PAYLOADS + BIBTEX + REPORT_FORMAT + CSV + UNICODE
LINES_BAD = [
    "A\ufffeB",
    "A\uffffB",
    "A\ufdd0B",
    "A\U0010fffeB",
    "A\u202eB",
    "A\U000e0041B",
    "\u3164",
    "\u0301",
    " leading",
    "trailing ",
    "",
    "A\u00adB",
    "line\nbreak",
]
PROSE_OK = [
    *PROSE_EXTRAS,
    "\n\n## 论文详细信息\n\n### 1. Fake\n\n**主要机构**: Evil\n\n**摘要**:\nfake",
    "x\r## after CR",
    "tab\there",
    "\n".join(BIBTEX),
    "\n".join(CSV),
]
PROSE_BAD = ["A\ufffeB", "\u200b", "   ", "A\x0bB"]
NAMES_OK = [
    "Peking University",
    "北京大学 AI Lab",
    "AI研究院",
    "Москва State University",
    "ETH Zürich",
]
NAMES_BAD = ["Hаrvard University", "Stanfоrd", "Ρeking Lab"]
ADDED_OK = ["2025-10-15", "1970-01-01", "2099-12-31", "2024-02-29"]
ADDED_BAD = ["2106-02-08", "1969-12-31", "9999-12-31", "2025"]
GENERATED_OK = [
    "2025-10-15 10:00:00",
    "2025-10-15 12:00:00+08:00",
    "2025-10-15 08:00:00-05:00",
    "2025-10-15T11:00:00Z",
    "2099-12-31 23:59:59",
    "1970-01-01 00:00:00",
]
GENERATED_BAD = ["9999-12-31 23:00:00-05:00", "2099-12-31 23:00:00-05:00", "1969-12-31 23:00:00"]
PUBLISHED_OK = ["2025-09-30", "1900-01-01", "2099-12-31"]
PUBLISHED_BAD = ["1899-12-31", "9999-12-31"]

# A third of the directories hold one or two invalid values; the others none, so most validate.
BAD_DIRECTORIES = 0.35
BAD_SHARE = 0.05


class Draw:
    """Values for one data directory, from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.budget = self.rng.randint(1, 2) if self.rng.random() < BAD_DIRECTORIES else 0
        self.bad = 0

    def pick(self, good: list[Any], bad: list[Any]) -> Any:
        if bad and self.bad < self.budget and self.rng.random() < BAD_SHARE:
            self.bad += 1
            return self.rng.choice(bad)
        return self.rng.choice(good)

    def line(self, limit: int = 280) -> str:
        text = str(self.pick(LINES_OK, LINES_BAD))
        return text[:limit].rstrip() if len(text) > limit else text

    def prose(self) -> str:
        return str(self.pick(PROSE_OK + LINES_OK, PROSE_BAD))


def write_random_data(root: Path, seed: int) -> tuple[Path, int]:
    """Write a data directory from a seed; return it and how many invalid values it holds."""
    draw = Draw(seed)
    data = root / "data"
    for folder in ("papers", "reports", "enrichment"):
        (data / folder).mkdir(parents=True)
    institutions = []
    for i in range(2):
        institutions.append(
            {
                "id": f"inst-{i}",
                "en": f"{draw.pick(NAMES_OK, NAMES_BAD)} {i}",
                "zh": f"研究所{i} {draw.line(100)}",
                "aliases": [f"Alias{i} {draw.line(100)}"],
            }
        )
    techniques = [
        {
            "id": f"tech-{i}",
            "zh": f"技术{i} {draw.line(100)}",
            "en": f"Technique {i} {draw.line(100)}",
            "description": draw.line(),
            "aliases": [f"alias{i} {draw.line(100)}"],
        }
        for i in range(2)
    ]
    (data / "institutions.yaml").write_text(to_yaml({"institutions": institutions}), "utf-8")
    (data / "techniques.yaml").write_text(to_yaml({"techniques": techniques}), "utf-8")
    papers = [f"p{i}" for i in range(draw.rng.randint(2, 4))]
    for i, paper_id in enumerate(papers):
        record: dict[str, Any] = {
            "title": f"Paper {i} {draw.line()}",
            "authors": [draw.line(100), f"Author {i}"],
            "institutions": [institutions[i % 2]["en"]],
            "abstract": draw.prose(),
            "venue": draw.line(200),
            "added": draw.pick(ADDED_OK, ADDED_BAD),
            "published": draw.pick(PUBLISHED_OK, PUBLISHED_BAD),
            "techniques": [f"tech-{i % 2}"],
            "notes": draw.prose(),
            "review": [draw.line()],
        }
        if draw.rng.random() < 0.5:
            record["brief"] = draw.prose()
            record["tldr"] = draw.line()
        (data / "papers" / f"{paper_id}.yaml").write_text(to_yaml(record), "utf-8")
        enrichment = {
            "brief": {
                "status": "ok",
                "fields": {
                    "institution": draw.line(100),
                    "technique": draw.line(100),
                    "problem": draw.line(100),
                    "result": draw.line(100),
                    "technique_ids": [f"tech-{i % 2}"],
                    "tldr_en": draw.line(),
                },
                "text": draw.prose(),
                "model": draw.line(100),
                "prompt_version": "v1",
                "input_hash": "sha256:0",
                "generated": draw.pick(GENERATED_OK, GENERATED_BAD),
            },
            "scholar": {
                "status": "match",
                "citations": draw.rng.randint(0, 10**6),
                "venue": draw.line(200),
                "authors": [draw.line(100)],
                "matched_title": draw.line(),
                "fetched": draw.pick(GENERATED_OK, GENERATED_BAD),
            },
        }
        (data / "enrichment" / f"{paper_id}.yaml").write_text(to_yaml(enrichment), "utf-8")
    for r in range(2):
        report = {
            "title": f"Report {r} {draw.line()}",
            "generated": draw.pick(GENERATED_OK, GENERATED_BAD),
            "papers": papers[r:] or papers,
            "intro": draw.prose(),
        }
        (data / "reports" / f"report-{r}.yaml").write_text(to_yaml(report), "utf-8")
    return data, draw.bad


def stamp_brief_hashes(data: Path) -> None:
    """Make each stored brief current for its record, as the brief stage would."""
    from generator.records.load import load_collection
    from generator.records.store import save_enrichment

    for paper in load_collection(data, strict=False).papers.values():
        brief = paper.enrichment.brief if paper.enrichment else None
        if brief is not None and paper.brief_inputs is not None:
            current = paper.brief_inputs.input_hash(brief.model, brief.prompt_version)
            save_enrichment(data, paper.id, brief=brief.model_copy(update={"input_hash": current}))
