"""Invisible characters, non-characters and look-alike letters, in every text field of every file.

Validation refuses them with path:line:col and the character as U+XXXX; text made only of
invisible characters is refused; a word mixing Latin with Cyrillic or Greek letters in an
institution name is refused. Escaping drops the same characters, so a feed stays XML even when
text gets past validation (enrichment from outside services reaches feeds too).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hostile_records import KINDS, get_value, text_leaves, to_yaml, with_value, write_full_data

from generator.errors import ValidationFailed
from generator.records.characters import (
    FORBIDDEN_IN_LINE,
    FORBIDDEN_IN_PROSE,
    UNPRINTABLE,
    describe_char,
    has_visible_char,
    mixed_script_word,
)
from generator.records.load import load_collection
from generator.records.parse import read_model

# (character, why it is refused)
BAD_CHARS = {
    "\ufffe": "non-character",
    "\uffff": "non-character",
    "\ufdd0": "non-character",
    "\ufdef": "non-character",
    "\U0001fffe": "non-character",
    "\U0010ffff": "non-character",
    "\U000e0001": "tag",
    "\U000e0041": "tag",
    "\U000e007f": "tag",
    "\u3164": "Hangul filler",
    "\u115f": "Hangul filler",
    "\u1160": "Hangul filler",
    "\uffa0": "Hangul filler",
    "\u00ad": "soft hyphen (format)",
    "\u061c": "Arabic letter mark (bidi)",
    "\u206a": "deprecated format control",
    "\u2800": "braille blank",
    "\U0001d173": "musical format control",
}
# Text that is not refused character by character, yet shows nothing.
INVISIBLE_ONLY = ["\u0301\u0302", "\ufe0f", "\u034f", "\U000e0100", "\u20dd"]


def _code(ch: str) -> str:
    return f"U+{ord(ch):04X}"


def _yaml_escape(ch: str) -> str:
    """Return how PyYAML writes a character in a double-quoted scalar."""
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _leaf_cases() -> list[tuple[str, tuple[str | int, ...]]]:
    return [(name, loc) for name, kind in KINDS.items() for loc in text_leaves(kind.base)]


LEAVES = _leaf_cases()


def test_every_kind_has_text_fields_to_attack() -> None:
    counts = {name: sum(1 for n, _ in LEAVES if n == name) for name in KINDS}
    assert all(count >= 2 for count in counts.values()), counts
    assert len(LEAVES) >= 70


# A slot in a double-quoted YAML value (the é makes the writer quote and escape it), where a
# test writes a character as a YAML escape: one YAML dump per field, not one per character.
_SLOT = "\u00e9PBXSLOT"


@functools.cache
def _slotted(name: str, loc: tuple[str | int, ...]) -> str:
    kind = KINDS[name]
    text = get_value(kind.base, loc)
    # in the middle of the value: neither a strip nor a prefix check can pass it
    return to_yaml(with_value(kind.base, loc, text[:1] + _SLOT + text[1:]))


@pytest.mark.parametrize("char", list(BAD_CHARS), ids=_code)
@pytest.mark.parametrize("kind_name", list(KINDS))
def test_a_bad_character_is_refused_in_every_text_field_with_its_position(
    tmp_path: Path, kind_name: str, char: str
) -> None:
    kind = KINDS[kind_name]
    path = tmp_path / Path(kind.file).name
    missed = []
    for name, loc in LEAVES:
        if name != kind_name:
            continue
        yaml_text = _slotted(name, loc).replace("PBXSLOT", _yaml_escape(char))
        path.write_text(yaml_text, encoding="utf-8")
        value, _doc, problems = read_model(path, kind.model)
        (line_no,) = [
            i for i, line in enumerate(yaml_text.splitlines(), 1) if _yaml_escape(char) in line
        ]
        col = yaml_text.splitlines()[line_no - 1].index('"') + 1
        if value is not None or not any(
            Path(p.path).name == path.name
            and (p.line, p.col) == (line_no, col)
            and _code(char) in p.message
            for p in problems
        ):
            missed.append((loc, [p.format() for p in problems]))
    assert not missed, missed


@pytest.mark.parametrize("kind_name", list(KINDS))
def test_the_full_base_records_are_valid(tmp_path: Path, kind_name: str) -> None:
    kind = KINDS[kind_name]
    path = tmp_path / "x.yaml"
    path.write_text(to_yaml(kind.base), encoding="utf-8")
    value, _doc, problems = read_model(path, kind.model)
    assert value is not None and problems == []


@functools.cache
def _whole_slot(name: str, loc: tuple[str | int, ...]) -> str:
    return to_yaml(with_value(KINDS[name].base, loc, _SLOT))


@pytest.mark.parametrize("text", INVISIBLE_ONLY, ids=lambda t: "+".join(map(_code, t)))
def test_text_made_only_of_invisible_characters_is_refused_in_every_field(
    tmp_path: Path, text: str
) -> None:
    missed = []
    escaped = "".join(map(_yaml_escape, text))
    for name, loc in LEAVES:
        kind = KINDS[name]
        path = tmp_path / "x.yaml"
        path.write_text(
            _whole_slot(name, loc).replace(_yaml_escape("\u00e9") + "PBXSLOT", escaped), "utf-8"
        )
        value, _doc, problems = read_model(path, kind.model)
        if value is not None or not any("shows nothing" in p.message for p in problems):
            missed.append((name, loc, [p.message for p in problems]))
    assert not missed, missed


@pytest.mark.parametrize(
    "raw",
    [b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xf3\xa0\x80\x81", b"\xe3\x85\xa4", b"\xf0\x9f\xbf\xbe"],
    ids=["U+FFFE", "U+FFFF", "U+E0001", "U+3164", "U+1FFFE"],
)
def test_a_raw_bad_character_in_the_file_is_refused_and_named(data_dir: Path, raw: bytes) -> None:
    char = raw.decode("utf-8")
    (data_dir / "papers" / "p.yaml").write_bytes(b'title: "A' + raw + b'b"\nadded: 2025-10-15\n')
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data_dir)
    (problem,) = [p.format() for p in caught.value.problems]
    assert problem.startswith(str(Path("papers") / "p.yaml")) or "p.yaml:1:" in problem
    assert "p.yaml:1:" in problem and _code(char) in problem, problem


def test_load_reports_each_bad_file_by_path_line_and_column(tmp_path: Path) -> None:
    char = "\ufffe"
    data = tmp_path / "data"
    replace: dict[str, dict[str, Any]] = {}
    for name, kind in KINDS.items():
        loc = next(loc for n, loc in LEAVES if n == name)
        replace[name] = with_value(kind.base, loc, "x" + char)
    write_full_data(data, **replace)
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data)
    problems = [p.format() for p in caught.value.problems]
    for kind in KINDS.values():
        assert any(
            re.search(rf"{re.escape(Path(kind.file).name)}:\d+:\d+: .*U\+FFFE", p) for p in problems
        ), (kind.name, problems)


# ---- look-alike letters in institution names -------------------------------------------------

MIXED = [
    "Hаrvard University",  # Cyrillic а
    "Stanfоrd University",  # Cyrillic о
    "Tsinghua Unіversity",  # Cyrillic і
    "Ρeking University",  # Greek capital rho
    "Mеta AI",  # Cyrillic е
    "АВС Research",  # a whole word of Cyrillic look-alikes beside Latin words
]
FINE = [
    "清华大学 AI Lab",
    "AI研究院",
    "Московский государственный университет",
    "Πανεπιστήμιο Αθηνών",
    "Москва State University",
    "ＨＫＵ",
    "Zürich Universität",
    "École Polytechnique",
]


@pytest.mark.parametrize("name", MIXED)
def test_mixed_script_names_are_flagged(name: str) -> None:
    assert mixed_script_word(name) is not None


@pytest.mark.parametrize("name", FINE)
def test_names_in_one_script_or_with_chinese_pass(name: str) -> None:
    assert mixed_script_word(name) is None


@pytest.mark.parametrize("name", MIXED)
@pytest.mark.parametrize(
    ("kind_name", "loc"),
    [
        ("institutions", ("institutions", 0, "en")),
        ("institutions", ("institutions", 0, "zh")),
        ("institutions", ("institutions", 0, "aliases", 0)),
        ("institutions", ("institutions", 1, "aliases", 0)),
        ("paper", ("institutions", 0)),
    ],
)
def test_look_alike_letters_are_refused_in_registry_and_paper_institution_names(
    tmp_path: Path, kind_name: str, loc: tuple[str | int, ...], name: str
) -> None:
    kind = KINDS[kind_name]
    path = tmp_path / "x.yaml"
    path.write_text(to_yaml(with_value(kind.base, loc, name)), encoding="utf-8")
    value, _doc, problems = read_model(path, kind.model)
    assert value is None
    assert any("mixes" in p.message or "look like Latin" in p.message for p in problems), problems
    assert any(re.search(r"x\.yaml:\d+:\d+: ", p.format()) for p in problems)


def test_a_look_alike_institution_in_a_paper_is_refused_by_validate(data_dir: Path) -> None:
    (data_dir / "papers" / "p.yaml").write_text(
        'title: T\nadded: 2025-10-15\ninstitutions: ["Nеw York University"]\n', "utf-8"
    )
    with pytest.raises(ValidationFailed) as caught:
        load_collection(data_dir)
    assert any("p.yaml:3:" in p.format() and "U+0435" in p.message for p in caught.value.problems)


# ---- the character classes themselves ---------------------------------------------------------


def test_every_format_character_python_knows_is_refused() -> None:
    # a newer Unicode may add format characters: the list in characters.py must grow with it
    missing = [
        _code(chr(c))
        for c in range(0x110000)
        if unicodedata.category(chr(c)) == "Cf" and not FORBIDDEN_IN_LINE.match(chr(c))
    ]
    assert missing == []


def test_every_non_character_and_surrogate_is_refused_and_dropped_by_escaping() -> None:
    codes = [
        *range(0xFDD0, 0xFDF0),
        *(p << 16 | low for p in range(17) for low in (0xFFFE, 0xFFFF)),
    ]
    codes += [0xD800, 0xDBFF, 0xDC00, 0xDFFF]
    for code in codes:
        ch = chr(code)
        assert FORBIDDEN_IN_LINE.match(ch) and FORBIDDEN_IN_PROSE.match(ch), _code(ch)
        assert UNPRINTABLE.match(ch), _code(ch)
    assert len(codes) == 32 + 34 + 4


def test_prose_keeps_line_breaks_and_tabs_and_lines_refuse_them() -> None:
    for ch in "\n\t\u2028\u2029":
        assert FORBIDDEN_IN_LINE.match(ch) and not FORBIDDEN_IN_PROSE.match(ch)


def test_every_character_xml_refuses_is_dropped_by_escaping() -> None:
    for code in [*range(0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]:
        ch = chr(code)
        if ch in "\t\n\r":
            continue
        assert UNPRINTABLE.match(ch), _code(ch)
        with pytest.raises(ET.ParseError):
            ET.fromstring(f"<a>{ch}</a>".encode("utf-8", "surrogatepass"))


def test_messages_name_characters_as_code_points() -> None:
    assert describe_char("\ufffe") == "U+FFFE (a Unicode non-character)"
    assert describe_char("\U000e0041") == "U+E0041 TAG LATIN CAPITAL LETTER A"
    assert describe_char("\u3164") == "U+3164 HANGUL FILLER"
    assert describe_char("\x00") == "U+0000 (control character)"
    assert describe_char("\ud800") == "U+D800 (a lone surrogate)"


def test_visible_text_is_text_with_a_letter_digit_punctuation_or_symbol() -> None:
    assert all(has_visible_char(t) for t in ["a", "1", "-", "©", "量", "a\u0301"])
    assert not any(has_visible_char(t) for t in [*INVISIBLE_ONLY, " ", "\u3164", "\u2800"])


def test_scholar_text_is_cleaned_of_what_validation_refuses() -> None:
    from generator.enrich.scholar import clean_line

    assert clean_line("A\ufffeB\u3164C\U000e0041D\u00adE\u2028F") == "ABCDE F"
    assert clean_line("\u3164\ufeff") is None


def test_pdf_text_is_cleaned_of_what_validation_refuses() -> None:
    from generator.authoring.ingest.text import clean_text

    assert clean_text("Opti\u00admal \ufffeQuant\U000e0041ization\u3164") == "Optimal Quantization"


def test_arxiv_and_semantic_scholar_text_is_cleaned_of_what_validation_refuses() -> None:
    from generator.enrich.sources.cleaning import one_line

    assert one_line("A\ufffeB\u3164C\U000e0041D") == "ABCD"
    assert one_line("\u3164\ufdd0") is None
