"""Clean text taken from PDFs: ligatures, spacing accents, quotes, hyphenated line ends."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# TeX without the T1 encoding prints an accent as its own spacing glyph placed before the
# letter ("F´ısica"); fold each into the combining mark it stands for.
_SPACING_ACCENTS = {
    "\u00b4": "\u0301",  # acute
    "\u02dd": "\u030b",  # double acute
    "\u00a8": "\u0308",  # diaeresis
    "\u02c6": "\u0302",  # circumflex
    "\u02dc": "\u0303",  # tilde
    "\u00b8": "\u0327",  # cedilla
    "\u02c7": "\u030c",  # caron
    "\u02da": "\u030a",  # ring
    "\u02d8": "\u0306",  # breve
    "\u00af": "\u0304",  # macron
    "\u02d9": "\u0307",  # dot above
}
_ACCENT_BEFORE = re.compile("([" + "".join(_SPACING_ACCENTS) + r"])\s?([A-Za-zıȷ])")
_DOTLESS = {"ı": "i", "ȷ": "j"}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _fold_accent(match: re.Match[str]) -> str:
    letter = _DOTLESS.get(match.group(2), match.group(2))
    return letter + _SPACING_ACCENTS[match.group(1)]


def clean_text(text: str) -> str:
    """Fold ligatures and spacing accents, drop control characters, keep line breaks."""
    text = _ACCENT_BEFORE.sub(_fold_accent, text)
    # a dotless i that carries a combining accent is an ordinary accented i
    text = re.sub("[ıȷ](?=[\u0300-\u036f])", lambda m: _DOTLESS[m.group()], text)
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text.replace("\t", " "))
    return unicodedata.normalize("NFC", text)


def squash(text: str) -> str:
    """Collapse runs of whitespace into one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def plain_quotes(text: str) -> str:
    """Replace typographic apostrophes and quotes with ASCII ones (for names)."""
    return text.translate(_QUOTES)


_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def vocabulary(texts: Iterable[str]) -> set[str]:
    """Collect the lowercase words of some texts (to judge line-end hyphens)."""
    words: set[str] = set()
    for text in texts:
        # fragments of words broken at a line end are not words
        text = re.sub(r"[^\W\d_]+-[ \t]*\n\s*[^\W\d_]+", " ", text)
        for word in _WORD.findall(text):
            word = word.lower()
            words.add(word)
            if "-" in word:
                words.update(word.split("-"))
    return words


def join_lines(lines: Iterable[str], vocab: set[str] | None = None) -> str:
    """Join wrapped lines into one paragraph, undoing hyphenation at line ends."""
    return tidy_brackets(_join(lines, vocab))


def tidy_brackets(text: str) -> str:
    """Remove the spaces a PDF leaves inside brackets: '( 1 )' becomes '(1)'."""
    return re.sub(r"\s+([)\]])", r"\1", re.sub(r"([(\[])\s+", r"\1", text))


def _join(lines: Iterable[str], vocab: set[str] | None) -> str:
    vocab = vocab or set()
    out = ""
    for raw in lines:
        line = squash(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        match = re.search(r"([^\W\d_]+)-$", out)
        first = re.match(r"([^\W\d_]+)", line)
        if match and first and line[0].islower():
            left, right = match.group(1), first.group(1)
            if _keep_hyphen(left, right, vocab):
                out += line
            else:
                out = out[:-1] + line
        else:
            out += " " + line
    return out


def _keep_hyphen(left: str, right: str, vocab: set[str]) -> bool:
    """Decide whether a hyphen at a line end belongs to a compound word."""
    joined = (left + right).lower()
    if joined in vocab:
        return False
    if f"{left}-{right}".lower() in vocab:
        return True
    # "automatically-generated": an adverb before a participle keeps its hyphen
    return len(left) >= 6 and left.lower().endswith("ly")
