"""Our BibTeX writer: special characters escaped, entries parse, keys are paper ids."""

from __future__ import annotations

from pathlib import Path

import bibtexparser
import pytest

from generator.records.collection import Paper
from generator.records.load import load_collection
from generator.site.render.bibtex import bibtex_entry, bibtex_file, bibtex_text, bibtex_verbatim
from generator.site.render.citation import venue_kind

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "site-data"


@pytest.fixture(scope="module")
def papers() -> dict[str, Paper]:
    return load_collection(FIXTURE_DATA).papers


def _parse(text: str) -> list[dict[str, str]]:
    parser = bibtexparser.bparser.BibTexParser(common_strings=False)
    parser.ignore_nonstandard_types = False
    return bibtexparser.loads(text, parser=parser).entries


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:  # BibTeX counts braces even after a backslash
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize(
    ("raw", "written"),
    [
        ("A & B", r"A \& B"),
        ("50% of $x_1$", r"50\% of \$x\_1\$"),
        ("C# ~ ^", r"C\# \textasciitilde{} \textasciicircum{}"),
        ("{unbalanced", r"\textbraceleft{}unbalanced"),
        ("back\\slash}", r"back\textbackslash{}slash\textbraceright{}"),
        ("<script>", r"\textless{}script\textgreater{}"),
        ("two\n lines\x00", "two lines"),
    ],
)
def test_special_characters_are_written_as_commands(raw: str, written: str) -> None:
    assert bibtex_text(raw) == written
    assert _balanced(bibtex_text(raw))


def test_verbatim_fields_percent_encode_what_could_end_them() -> None:
    assert bibtex_verbatim("10.1000/a{b}c\\d<e>") == "10.1000/a%7Bb%7Dc%5Cd%3Ce%3E"
    assert bibtex_verbatim("https://x.example/a%20b") == "https://x.example/a%20b"


def test_entry_types_follow_the_venue(papers: dict[str, Paper]) -> None:
    assert venue_kind("ICLR 2026 (under review)") == "conference"
    assert venue_kind("Proceedings of the VLDB Endowment") == "conference"
    assert venue_kind("Nature Machine Intelligence") == "journal"
    assert venue_kind(None) is None
    assert bibtex_entry(papers["quant-llm"], "x").kind == "inproceedings"
    assert bibtex_entry(papers["ptq-calib"], "x").kind == "misc"


def test_fixture_entries_parse_and_read_back(papers: dict[str, Paper]) -> None:
    text = bibtex_file(bibtex_entry(p, f"untitled {p.id}") for p in papers.values())
    entries = {e["ID"]: e for e in _parse(text)}
    assert set(entries) == set(papers)
    quant = entries["quant-llm"]
    assert quant["ENTRYTYPE"] == "inproceedings"
    assert quant["title"] == "{QuantLLM: 4-bit Weights for Large Language Models}"
    assert quant["author"] == "Wei Zhang and Li Na and John Smith"
    assert quant["booktitle"] == "ICLR 2026"
    assert quant["doi"] == "10.1145/3600006.3613165"
    assert quant["eprint"] == "2510.01234"
    assert quant["url"] == "https://arxiv.org/abs/2510.01234"
    assert entries["untitled-sparse"]["title"] == "{untitled untitled-sparse}"


def test_hostile_entry_stays_one_entry_with_balanced_braces(papers: dict[str, Paper]) -> None:
    entry = bibtex_entry(papers["hostile"], "x")
    text = entry.format()
    for _name, value in entry.fields:
        assert _balanced(value), value
    assert "<" not in text and ">" not in text
    parsed = _parse(text)
    assert len(parsed) == 1 and parsed[0]["ID"] == "hostile"
    # both author names survive as two names, the title keeps its words
    assert parsed[0]["author"].count(" and ") == 1
    assert "alert(1)" in parsed[0]["title"]


def test_a_name_holding_and_stays_one_name() -> None:
    from generator.site.render.bibtex import _author

    assert _author("Procter and Gamble Lab") == "{Procter and Gamble Lab}"
    assert _author("Alexander Anderson") == "Alexander Anderson"
