"""Which characters record text may hold, and which look-alike letters a name may not mix.

Record text reaches HTML, XML feeds, BibTeX and search indexes. Characters a reader cannot see
(format controls, bidi overrides, tag characters, Hangul fillers) hide text or change what a
reviewer sees; non-characters and controls make XML feeds invalid. Validation refuses them all,
naming the character as U+XXXX, and escaping drops them again (defence in depth).
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Format characters (general category Cf, Unicode 15.1; tests/records/test_characters.py checks
# that the running Python knows no others): soft hyphen, Arabic and Syriac number marks, the
# Mongolian vowel separator, zero-width characters, bidi marks, overrides and isolates, invisible
# operators, deprecated format controls, the BOM, interlinear annotation, Egyptian hieroglyph and
# shorthand format controls, musical format controls and the tag block (U+E0000 to U+E007F).
_FORMAT = (
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
# Letters that print as nothing at all: Hangul fillers, the braille blank.
_BLANK_LETTERS = "\u115f\u1160\u3164\uffa0\u2800"
# Non-characters: U+FDD0 to U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF,
# U+1FFFE ... U+10FFFF). XML 1.0 refuses U+FFFE and U+FFFF outright.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_SURROGATES = "\ud800-\udfff"
# C0 and C1 controls; one-line text refuses tab, newline and the Unicode line and paragraph
# separators too (a line break in a title), prose keeps them.
_CONTROLS_LINE = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_CONTROLS_PROSE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"

_INVISIBLE = _FORMAT + _BLANK_LETTERS + _NONCHARACTERS + _SURROGATES
FORBIDDEN_IN_LINE = re.compile(f"[{_CONTROLS_LINE}{_INVISIBLE}]")
FORBIDDEN_IN_PROSE = re.compile(f"[{_CONTROLS_PROSE}{_INVISIBLE}]")
# What escaping drops from text bound for HTML and XML: everything XML 1.0 refuses or a reader
# cannot see. Tab, newline and carriage return are kept (escaping turns them into spaces).
UNPRINTABLE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}]")

# A visible character: a letter, digit, punctuation mark or symbol that is not blank.
_VISIBLE_CATEGORIES = frozenset("LNPS")


def describe_char(ch: str) -> str:
    """Name a character for an error message: U+202E RIGHT-TO-LEFT OVERRIDE."""
    code = ord(ch)
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return f"U+{code:04X} (a Unicode non-character)"
    if 0xD800 <= code <= 0xDFFF:
        return f"U+{code:04X} (a lone surrogate)"
    name = unicodedata.name(ch, None)
    if name is None:
        kind = "control character" if unicodedata.category(ch) == "Cc" else "unnamed character"
        return f"U+{code:04X} ({kind})"
    return f"U+{code:04X} {name}"


def forbidden_char(text: str, *, prose: bool = False) -> str | None:
    """Return the first character record text may not hold, or None."""
    match = (FORBIDDEN_IN_PROSE if prose else FORBIDDEN_IN_LINE).search(text)
    return match.group() if match else None


def has_visible_char(text: str) -> bool:
    """Tell whether text shows anything: a letter, digit, mark of punctuation or symbol."""
    return any(
        unicodedata.category(ch)[0] in _VISIBLE_CATEGORIES and ch not in _BLANK_LETTERS
        for ch in text
    )


# ---- look-alike letters --------------------------------------------------------------------------

# Scripts whose letters pass for one another: Cyrillic а, е, о, р, с, і and Greek ο, ν, ι look like
# Latin a, e, o, p, c, i, v. A word of one of them may sit next to a word of another ("Москва
# University"), but one word mixing them is a disguise. Chinese, Japanese or Korean next to Latin
# letters ("AI研究院") is ordinary and never flagged.
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC")
# Cyrillic and Greek letters that look like a Latin letter in most fonts.
_LATIN_LOOKALIKES = frozenset("АВЕКМНОРСТХУЅІЈҮҺаеорсхуіјѕԁһӏԛԝүΑΒΕΖΗΙΚΜΝΟΡΤΥΧονικ")
_WORD = re.compile(r"\w+")


@functools.lru_cache(maxsize=4096)
def _script(ch: str) -> str | None:
    """Return the confusable script a letter belongs to, or None (digits, CJK, marks ...)."""
    if not ch.isalpha():
        return None
    # NFKC first: fullwidth Ａ and mathematical 𝐀 read as the Latin A they imitate
    folded = unicodedata.normalize("NFKC", ch)[:1] or ch
    name = unicodedata.name(folded, "")
    return next((s for s in _CONFUSABLE_SCRIPTS if name.startswith(s + " ")), None)


def mixed_script_word(name: str) -> str | None:
    """Return a problem if a word of `name` mixes Latin, Cyrillic, Greek ... letters, else None."""
    word_scripts: list[tuple[str, set[str]]] = []
    for word in _WORD.findall(name):
        if word.isascii():  # the common case, without a look-up per letter
            scripts = {"LATIN"} if word.strip("_0123456789") else set()
        else:
            scripts = {s for s in map(_script, word) if s is not None}
        if len(scripts) > 1:
            letters = ", ".join(
                f"{ch!r} {describe_char(ch)}"
                for ch in dict.fromkeys(word)
                if _script(ch) != "LATIN"
            )
            return (
                f"the word {word!r} mixes {' and '.join(sorted(s.title() for s in scripts))}"
                f" letters ({letters}); retype it in one script"
            )
        word_scripts.append((word, scripts))
    latin = any(scripts == {"LATIN"} for _, scripts in word_scripts)
    for word, scripts in word_scripts:
        if latin and scripts and scripts != {"LATIN"} and set(word) <= _LATIN_LOOKALIKES:
            (script,) = scripts
            return (
                f"the word {word!r} is written in {script.title()} letters that look like Latin"
                f" ones, next to Latin words; retype it in Latin letters"
            )
    return None
