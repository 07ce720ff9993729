"""The search text a paper page carries without showing it: names, and CJK one character at a time.

Pagefind splits Chinese twice, with different dictionaries: its indexer (jieba's) when it builds
the bundle, and the reader's browser (ICU's, through `Intl.Segmenter`, different again between
browsers) on every query. A query word finds a page only when an indexed word of that page starts
with it, so 华为 (华|为 in Chromium) missed the page indexed with the word 华为: no word there
starts with 为. 6 of 107 registry names found fewer papers than carry them.

So each paper page also holds, hidden, its CJK text with a space around every character (the
indexer cannot split a single character), and the search page sends CJK queries the same way
(overrides/assets/javascripts/pb-search.js): every character of a query is then an indexed word
of every page that contains it, whatever either dictionary does, and an exact search over those
characters finds the pages that hold the whole query as written. The same hidden text lists the
names a reader may search for that the page does not show: institution aliases, the other
language's labels, technique aliases (a narrower technique's page carries its parents' names:
量化 finds post-training quantization papers), the arXiv id as Pagefind reads a query for it.

Diacritics: Pagefind 1.5 files "zürich" under "zurich" as a variant, and its exact (quoted) search
then counts a page holding both forms twice and never finds the phrase "ETH Zurich" there. So
the search page turns that folding off (exactDiacritics) and folds both sides itself: the hidden
text is written without Latin diacritics (`fold`), and so is every query. Züri, Zuri, Zürich
and Zurich then all find a page that says either.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Han (extension A, compatibility ideographs, the supplementary planes) and kana: the scripts
# browsers segment with a dictionary. Hangul and the rest are written with spaces.
_CJK = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_CHAR = re.compile(f"([{_CJK}])")
# A run of letters and digits (no spaces, no punctuation) holding a CJK character: KV缓存, 华为.
_CJK_WORDS = re.compile(rf"[^\W_]*[{_CJK}][^\W_]*")
# Combining diacritical marks (U+0300-U+036F) only: kana's voicing marks stay (デ is not テ).
_DIACRITICS = re.compile("[\u0300-\u036f]")
_PUNCTUATION = re.compile(r"[^\w\s]+")
# Between two names: not a word, so Pagefind indexes nothing for it.
SEPARATOR = " · "
# A word every paper page holds (first in its hidden text): the search page lists a filter's
# papers by searching for it. Pagefind 1.5's own filter-only search (no term) loads every index
# chunk, 5.9 MiB at 10,000 papers; this word's chunk is about 18 KiB. pb-search.js spells it too.
EVERY_PAPER = "pbeverypaper"


def fold(text: str) -> str:
    """Return text without Latin diacritics (Zürich -> Zurich), as pb-search.js folds a query."""
    return unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFD", text)))


def spaced_cjk(text: str) -> str:
    """Return text with every CJK character a word of its own (other words left as they are)."""
    return " ".join(_CJK_CHAR.sub(r" \1 ", text).split())


def name_variants(name: str) -> list[str]:
    """Return how a query for a name may reach the index: as written, split and joined at punctuation.

    A browser splits "2:4 sparsity" into 2, 4 and sparsity, but keeps "2509.26432" or "Noah's"
    as one word from which Pagefind drops the punctuation (250926432, noahs).
    """
    flat = " ".join(name.split())
    if not flat:
        return []
    split = " ".join(_PUNCTUATION.sub(" ", flat).split())
    joined = " ".join(_PUNCTUATION.sub("", flat).split())
    return list(dict.fromkeys(v for v in (flat, split, joined) if v))


def hidden_search_text(names: Iterable[str], texts: Iterable[str]) -> str:
    """Return a page's hidden search text: each name's variants, then the CJK words of its texts.

    `names` are what a reader may type that the page need not show; `texts` are what it shows
    (title, brief, abstract ...), of which only the words holding CJK are repeated (KV缓存 as
    KV 缓 存), or the whole text when it has diacritics to fold. Everything is folded.
    """
    parts: list[str] = []
    for name in names:
        parts += [spaced_cjk(fold(v)) for v in name_variants(name)]
    for text in texts:
        folded = fold(text)
        if folded != text:
            parts.append(spaced_cjk(" ".join(folded.split())))
        else:
            parts += [spaced_cjk(word) for word in _CJK_WORDS.findall(text)]
    return SEPARATOR.join(dict.fromkeys(p for p in parts if p))
