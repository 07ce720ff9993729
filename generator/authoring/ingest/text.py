"""Clean text taken from PDFs: ligatures, spacing accents, quotes, hyphenated line ends."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable

from generator.records.characters import FORBIDDEN_IN_PROSE

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
_MARKS_AFTER = {"\u00b8": "\u0327", "\u02db": "\u0328"}  # cedilla, ogonek
_MARK_AFTER = re.compile(r"([^\W\d_])\s?([\u00b8\u02db])")
_ACCENT_BEFORE = re.compile("([A-Za-z]?)([" + "".join(_SPACING_ACCENTS) + r"])(\s?)([A-Za-zıȷ])")
_DOTLESS = {"ı": "i", "ȷ": "j"}
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _fold_accent(match: re.Match[str]) -> str:
    """Put a spacing accent on its letter: the next one (TeX), or else the one before it.

    TeX draws an accent before its letter ("Andr´e"); some PDFs draw it after ("Ste´phane",
    "Universite´ Paris"). The accent goes on the letter before only when the letter after
    would make a character no European language writes (ṕ, Ṕ) and the letter before would not.
    """
    before, accent, space, after = match.groups()
    mark = _SPACING_ACCENTS[accent]
    forward = unicodedata.normalize("NFC", _DOTLESS.get(after, after) + mark)
    backward = unicodedata.normalize("NFC", before + mark) if before else ""
    if not _common(forward) and _common(backward):
        return backward + space + after
    return before + forward


def _common(letter: str) -> bool:
    """Tell whether an accented letter is one of the Latin letters of European languages."""
    return len(letter) == 1 and ord(letter) < 0x250


# glyph names that pypdf prints as such when a font maps them to no character: the brackets of
# the American Institute of Physics' fonts ("microscopy /H20849SP-STM/H20850" is "(SP-STM)") and
# the operators of the Mathematical Pi fonts ("Tel. /H1100181-86" is "Tel. +81-86")
_GLYPH_NAMES = {
    "/H20849": "(", "/H20850": ")", "/H20851": "[", "/H20852": "]",
    "/H11001": "+", "/H11002": "\u2212", "/H11005": "=", "/H11006": "\u00b1",
    "/H11021": "<", "/H11022": ">", "/H11009": "\u221e",
}  # fmt: skip
_GLYPH_NAME = re.compile("|".join(re.escape(name) for name in _GLYPH_NAMES))


def clean_text(text: str) -> str:
    """Fold ligatures and spacing accents, drop control characters, keep line breaks."""
    text = _GLYPH_NAME.sub(lambda m: _GLYPH_NAMES[m.group()], text)
    # a cedilla or ogonek is drawn after its letter ("Franc¸ois"), other accents before it
    text = _MARK_AFTER.sub(lambda m: m.group(1) + _MARKS_AFTER[m.group(2)], text)
    text = _ACCENT_BEFORE.sub(_fold_accent, text)
    # TeX's grave accent is a backquote before its vowel: "Vall`es" is "Vallès"
    text = re.sub(r"(?<=[^\W\d_])`([aeiouAEIOU])", "\\1\u0300", text)
    # a combining mark set apart by a space belongs to the letter before the space
    text = re.sub(r"(?<=[^\W\d_])[ \t]+(?=[\u0300-\u036f])", "", text)
    # a dotless i that carries a combining accent is an ordinary accented i
    text = re.sub("[ıȷ](?=[\u0300-\u036f])", lambda m: _DOTLESS[m.group()], text)
    text = unicodedata.normalize("NFKC", text)
    # a hyphen set as U+2010 (or U+2011, non-breaking, which NFKC folds to it) is a hyphen:
    # "Li‐Zhi" is a name like "Li-Zhi", and a line may end in one
    text = text.replace("\u2010", "-")
    text = _CONTROL.sub("", text.replace("\t", " "))
    # soft hyphens, non-characters, tag characters ...: what record validation refuses
    text = FORBIDDEN_IN_PROSE.sub("", text)
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
                parts = word.split("-")
                words.update(parts)
                # "n-domain-selective" also holds "domain-selective", for a line end after "domain-"
                words.update(f"{a}-{b}" for a, b in itertools.pairwise(parts))
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
        elif match and first and line[0].isupper():
            out += line  # a hyphen before a capital is a compound's: "Visually-" / "Rich"
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
    if len(left) >= 6 and left.lower().endswith("ly"):
        return True
    # compounds: "state-of-the-art", "high-quality", "real-time", "data-driven"
    left, right = left.lower(), right.lower()
    if (left, right) == ("of", "the") or right in _COMPOUND_RIGHT:
        return True
    # after a whole word, a long enough right part is a word too, not a suffix ("long-er")
    return left in _COMPOUND_LEFT and len(right) >= 4 and not right.endswith(_SUFFIXES)


_COMPOUND_LEFT = {
    "state", "high", "low", "real", "well", "large", "small", "long", "short", "half",
    "self", "cross", "end", "fine", "first", "second", "third", "two", "three", "four",
}  # fmt: skip
_SUFFIXES = ("ing", "ness", "ity", "ers", "est", "ings")
_COMPOUND_RIGHT = {
    "art", "based", "aware", "specific", "level", "scale", "driven", "grained", "oriented",
    "quality", "world", "dimensional", "trained", "tuning", "tuned", "known", "defined",
    "making", "off", "the-art",
}  # fmt: skip
