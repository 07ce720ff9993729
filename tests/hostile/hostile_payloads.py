"""Hostile payloads, and a data directory that carries them in every text field a record has.

Every payload that could become live markup carries a marker (`pbx` and a number) inside its own
tag, as an attribute name or inside a handler: escaped text can never turn it into an attribute
name, so a marker found in an attribute name, a comment or a script means the payload came alive.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from generator.enrich.scholar import enrichment_from
from generator.enrich.sources.scholar.lookup import Candidate, LookupResult
from generator.records.models import BriefEnrichment, BriefFields
from generator.records.store import dump_model, save_enrichment

MARKER = "pbx"

# One-line payloads: allowed in titles and other single-line fields (no tabs or controls).
LINE_PAYLOADS: list[str] = [
    '<script>alert("pbx01")</script>',
    "<img pbx02 src=x onerror=alert(2)>",
    "<svg pbx03 onload=alert(3)>",
    "</title><b pbx04>t</b>",
    "</div></article><p pbx05>a</p>",
    "{: onclick=\"alert('pbx06')\" }",
    "{ onmouseover=\"alert('pbx07')\" }",
    "{#pbx08 .evil onfocus=alert(8) autofocus}",
    '[x](javascript:alert("pbx09"))',
    '[x](JaVaScRiPt:alert("pbx10"))',
    '[x](JAVASCRIPT:alert("pbx11"))',
    '[x](jav&#x61;script:alert("pbx12"))',
    '[x](&#106;avascript:alert("pbx13"))',
    '[x](java&#9;script:alert("pbx14"))',
    '<a pbx15 href="javascript:alert(15)">a</a>',
    '<a pbx16 href=" &#14;jAvAsCrIpT:alert(16)">a</a>',
    "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=)",
    "![i](data:image/svg+xml,%3Csvg%20onload%3Dalert(18)%3E)",
    '<iframe pbx19 src="data:text/html,x"></iframe>',
    '[v](vbscript:msgbox("pbx20"))',
    '--8<-- "snippet-target.md"',
    '--8<-- "/etc/passwd"',
    "JJ{{ 7*7 }}JJ",
    "JK{{ config.site_name }}JK",
    "JR{% raw %}JRX{% endraw %}",
    '{%- include "base.html" -%}',
    "<!-- pbx23 hides the rest",
    "<style pbx24>body{display:none}</style>",
    '<base pbx25 href="https://evil.example/">',
    '<meta pbx26 http-equiv="refresh" content="0;url=javascript:alert(26)">',
    '<form pbx27 action="javascript:alert(27)"><button>go</button></form>',
    '<object pbx28 data="javascript:alert(28)"></object>',
    '<math><mi pbx29 xlink:href="javascript:alert(29)">m</mi></math>',
    '&lt;script&gt;alert("pbx30")&lt;/script&gt;',
    '=HYPERLINK("https://evil.example","pbx31")',
    "}, injected = {pbx32",
    '"><svg pbx33 onload=alert(33)>',
    "'><img pbx34 src=x onerror=alert(34)>",
    ']]><script>alert("pbx35")</script>',
    "@import url(javascript:alert(36))",
    # BibTeX: an `@` outside an entry starts one; braces end a value (each with markup too, so
    # every group of payloads holds markup)
    '<b pbx37>@misc(pbx37, title="Retracted: plagiarised", author="Nobody")</b>',
    "} @article{pbx38, title = {Forged}, year = 1999} <i pbx38>x</i>",
    "@comment{ @misc{pbx39, title={x}} } {{{ }}} <u pbx39>x</u>",
]
# A report title as issue 17 found it: a .bib header line once carried it outside every entry.
BIBTEX_REPORT_TITLE = (
    'AI推理加速 @misc(cast, title="Retracted: plagiarised", author="Nobody",'
    ' url="http://evil.example/cast.pdf")'
)

# Multi-line payloads: prose fields (abstract, notes, brief, intro) keep newlines and tabs.
PROSE_EXTRAS: list[str] = [
    '[x](java\tscript:alert("pbx40"))',
    '[r]: javascript:alert("pbx41")\n\n[click][r]',
    "    <script>alert('pbx42')</script>\n    indented",
    "```\n<script>alert('pbx43')</script>\n```",
    '<div pbx44 markdown="1">**bold**</div>',
    '!!! danger "pbx45"\n    admonition body',
    "Setext\n======",
    "| a | b |\n|---|---|\n| <img pbx46 src=x onerror=alert(46)> | c |",
    "line one\r\nline two <svg pbx47 onload=alert(47)>",
    "*[HTML]: <script>alert('pbx48')</script>",
]

# Markers whose appearance means a template engine evaluated record text.
RENDERED_JINJA = ["JJ49JJ", "JRJRX"]
SNIPPET_SENTINEL = "SNIPPET-LEAK-SENTINEL-5b1d"


def groups(limit: int = 280) -> list[str]:
    """Split the one-line payloads into space-joined groups of at most `limit` characters."""
    out: list[str] = []
    current = ""
    for payload in LINE_PAYLOADS:
        if current and len(current) + 1 + len(payload) > limit:
            out.append(current)
            current = payload
        else:
            current = f"{current} {payload}" if current else payload
    out.append(current)
    return out


GROUPS = groups()
ALL_PROSE = "\n\n".join(LINE_PAYLOADS + PROSE_EXTRAS)


def prose(group: int) -> str:
    """Return a multi-line payload for a short prose field: one group plus every prose extra."""
    return "\n\n".join([GROUPS[group % len(GROUPS)], *PROSE_EXTRAS])


def _q(value: Any) -> str:
    """Quote a value for YAML: JSON strings are valid YAML double-quoted scalars."""
    return json.dumps(value, ensure_ascii=False)


def paper_id(i: int) -> str:
    """Return the id of hostile paper i."""
    return f"hostile-{i}"


N_PAPERS = len(GROUPS)


def write_hostile_data(root: Path) -> Path:
    """Write a valid data directory whose every text field carries payloads; return it."""
    data = root / "data"
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    (data / "enrichment").mkdir()
    g = GROUPS

    techniques = []
    for i in range(3):
        techniques.append(
            "\n".join(
                [
                    f"  - id: hostile-tech-{i}",
                    f"    zh: {_q('技术' + str(i) + ' ' + g[i % len(g)])}",
                    f"    en: {_q('Technique ' + str(i) + ' ' + g[(i + 1) % len(g)])}",
                    f"    description: {_q(g[(i + 2) % len(g)])}",
                    f"    aliases: [{_q('alias' + str(i) + ' ' + g[(i + 3) % len(g)])}]",
                    *([f"    parent: hostile-tech-{i - 1}"] if i else []),
                ]
            )
        )
    (data / "techniques.yaml").write_text(
        "techniques:\n" + "\n".join(techniques) + "\n", encoding="utf-8"
    )

    institutions = []
    for i in range(3):
        institutions.append(
            "\n".join(
                [
                    f"  - id: hostile-inst-{i}",
                    f"    en: {_q('Institute ' + str(i) + ' ' + g[i % len(g)])}",
                    f"    zh: {_q('研究所' + str(i) + ' ' + g[(i + 2) % len(g)])}",
                    f"    aliases: [{_q('Alias' + str(i) + ' ' + g[(i + 4) % len(g)])}]",
                    "    country: CN",
                    f"    url: {_q(f'https://inst{i}.example/?a=1&b=%3Cscript%3E')}",
                ]
            )
        )
    (data / "institutions.yaml").write_text(
        "institutions:\n" + "\n".join(institutions) + "\n", encoding="utf-8"
    )

    for i in range(N_PAPERS):
        group = g[i]
        record: dict[str, Any] = {
            "title": f"Hostile {i}: {group}",
            "institutions": [
                f"Institute {i % 3} {g[(i % 3) % len(g)]}",
                f"Alias{(i + 1) % 3} {g[((i + 1) % 3 + 4) % len(g)]}",
            ],
            "author_count": 2,
            "authors": [f"Author {i} {group}", f"作者 {g[(i + 1) % len(g)]}"],
            "abstract": ALL_PROSE,
            "venue": g[(i + 2) % len(g)],
            "year": 2025,
            "links": {
                "arxiv": f"2501.{10000 + i}",
                "pdf": f"https://evil.example/{i}.pdf?x=1&y=%22%3E",
                "code": f"https://code.example/{i}#javascript:alert(1)",
            },
            "techniques": [f"hostile-tech-{i % 3}", f"hostile-tech-{(i + 1) % 3}"],
            "added": f"2025-10-{10 + i:02d}",
            "notes": ALL_PROSE[:5000],
            "review": [f"review {i}: {group}"],
        }
        if i % 2 == 0:
            # a person's brief and TL;DR (odd papers get theirs from the enrichment file)
            record["brief"] = prose(i)[:2000]
            record["tldr"] = f"TLDR {i}: {g[(i + 3) % len(g)]}"
        text = "".join(f"{key}: {_q(value)}\n" for key, value in record.items())
        (data / "papers" / f"{paper_id(i)}.yaml").write_text(text, encoding="utf-8")

    fetched = datetime(2025, 11, 1, 8, 0, tzinfo=UTC)
    for i in range(N_PAPERS):
        title = f"Hostile {i}: {g[i]}"
        # Scholar's answer as the worker hands it over: raw, untrusted strings and URLs.
        candidate = Candidate(
            title=title,
            authors=(f"<img pbx90 src=x onerror=alert(90)> {g[(i + 1) % len(g)]}", "\u202eevil"),
            venue=f"Venue \x0b{g[(i + 3) % len(g)]}",
            year="2025",
            citations=40 + i,
            pub_url="javascript:alert('pbx91')",
            eprint_url="data:text/html,<script>alert('pbx92')</script>",
            citedby_url=f"/scholar?cites={i}&hl=en",
        )
        result = LookupResult(
            kind="answer",
            candidates=(candidate,),
            search_url='https://scholar.google.com/scholar?q="><script>alert(93)</script>',
        )
        scholar = enrichment_from(result, title, threshold=90.0, fetched=fetched)
        assert scholar.status == "match", scholar
        brief = None
        if i % 2 == 1:
            # An LLM answer stored as the brief stage stores it, as if grounding had let it pass.
            fields = BriefFields(
                institution=f"研究所 {g[i]}",
                technique=f"技术 {g[(i + 1) % len(g)]}",
                problem=f"问题 {g[(i + 2) % len(g)]}",
                result=f"结果 {g[(i + 3) % len(g)]}",
                technique_ids=[f"hostile-tech-{i % 3}"],
                tldr_en=f"LLM TLDR {i}: {g[(i + 4) % len(g)]}",
            )
            brief = BriefEnrichment(
                status="ok",
                fields=fields,
                text=prose(i + 1)[:2000],
                model=f"model {g[(i + 5) % len(g)]}",
                prompt_version="v1",
                input_hash="sha256:0",
                generated=datetime(2025, 11, 2, 9, 0, tzinfo=UTC),
            )
        save_enrichment(data, paper_id(i), brief=brief, scholar=scholar)

    report = {
        "title": f"Report {g[0]}",
        "generated": "2025-11-05 10:00:00",
        "papers": [paper_id(i) for i in range(N_PAPERS)],
        "intro": ALL_PROSE,
    }
    lines = [f"title: {_q(report['title'])}", f"generated: {report['generated']}"]
    lines.append("papers: [" + ", ".join(report["papers"]) + "]")
    lines.append(f"intro: {_q(report['intro'])}")
    (data / "reports" / "hostile-report.yaml").write_text("\n".join(lines) + "\n", "utf-8")
    second = [f"title: {_q('Second ' + g[-1])}", "generated: 2025-11-06 10:00:00"]
    second.append(f"papers: [{paper_id(0)}]")
    (data / "reports" / "second-report.yaml").write_text("\n".join(second) + "\n", "utf-8")
    third = [f"title: {_q(BIBTEX_REPORT_TITLE)}", "generated: 2025-11-07 10:00:00+08:00"]
    third.append(f"papers: [{paper_id(1)}, {paper_id(0)}]")
    (data / "reports" / "bibtex-report.yaml").write_text("\n".join(third) + "\n", "utf-8")
    _stamp_brief_hashes(data)
    return data


def _stamp_brief_hashes(data: Path) -> None:
    """Give each stored brief the input hash of its record, as the brief stage would."""
    from generator.records.load import load_collection

    for paper in load_collection(data, strict=False).papers.values():
        brief = paper.enrichment.brief if paper.enrichment else None
        if brief is not None and paper.brief_inputs is not None:
            current = paper.brief_inputs.input_hash(brief.model, brief.prompt_version)
            save_enrichment(data, paper.id, brief=brief.model_copy(update={"input_hash": current}))


def stored_brief_yaml(brief: BriefEnrichment) -> str:
    """Return an enrichment file holding only a brief (as the brief stage writes it)."""
    from generator.records.models import EnrichmentRecord

    return dump_model(EnrichmentRecord(brief=brief), schema="enrichment")
