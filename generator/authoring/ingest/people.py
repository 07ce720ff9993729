"""Find the authors and affiliations on a paper's first page: the author block and its footnotes."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from generator.authoring.ingest.layout import Line
from generator.authoring.ingest.text import plain_quotes, squash

ORG = re.compile(
    r"(\buniv|universit|institut|istituto|college|school|department|dept\b|departamento|dipartimento"
    r"|laborator|\blabs?\b|\bcent(?:er|re|ro)\b|division|faculty|facultad|academy|academia|\binc\b"
    r"|\bltd\b|\bcorp|company|gmbh|research|hospital|foundation|\bgroup\b|polytechni|\bUC\s+[A-Z]"
    r"|sciences\b|engineering|technolog|\bmit\b|\bcmu\b|\beth\b|cnrs|inria|max planck|google|amazon"
    r"|microsoft|\bmeta\b|facebook|\bibm\b|apple|nvidia|intel\b|adobe|alibaba|tencent|baidu|huawei"
    r"|bytedance|deepmind|openai|anthropic|samsung|\bsony\b|salesforce|assistant|ministry|council"
    r"|agency|national|museum|politecnic|hochschule|fakult|facult|escuela|scuola|[ée]cole"
    r"|uniwersytet|instytut|klinik|clinic|observator|zentrum|centrum|akadem"
    # institutions known by a short name alone
    r"|\bepfl\b|\bkaist\b|\bkaust\b|\bucla\b|\bnyu\b|\buiuc\b|\bkth\b|\btum\b|\blmu\b|\bucl\b"
    r"|\bnus\b|\bntu\b|\bhkust\b|\bustc\b|\bsjtu\b|\bzju\b|\bpku\b|\biit\b|\biisc\b|\bcern\b"
    r"|\bnasa\b|\bnist\b|\bnih\b|\briken\b|\bcsiro\b|a\*star|\bsri international|\bparc\b"
    r"|yahoo|twitter|linkedin|\buber\b|netflix|spotify|\bnaver\b|kakao|yandex|nokia|ericsson"
    r"|qualcomm|\bamd\b|\bcisco\b|\boracle\b|hugging\s?face|\bcohere\b"
    # universities known by their name alone (not those that are also towns: Stanford, Princeton)
    r"|\btech\b|caltech|harvard|\byale\b|cornell|purdue|johns hopkins|carnegie mellon|\ba&m\b"
    # companies named "<Name> AI" ("Together AI", "Stability AI"): capital letters only
    r"|(?-i:\b[A-Z][\w-]*\s+AI\b)"
    r"|大学|学院|研究院|研究所|实验室|公司|中心)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"(\b\d{4,6}\b|\bbox\b|\b(?:USA|U\.S\.A\.|UK|China|Germany|France|Japan|Korea|Canada|Italy|Spain"
    r"|India|Israel|Australia|Singapore|Switzerland|Netherlands|Sweden|Ireland|Brazil|Mexico|México"
    r"|Bangladesh|United Kingdom|United States)\b|^[A-Z][a-z]+(?: [A-Z][a-z]+)?,\s*[A-Z]{2}\b)"
)
# a street line under an affiliation ("1 University Station C0500", "Via Orabona 4")
_STREET = re.compile(
    r"^(?:\d{1,5}[A-Za-z]?,?\s+(?:\S.*)?\b(?:street|st\.|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?"
    r"|drive|station|plaza|lane|way|square|campus|hall|building|court|crescent|parkway)\b|(?:via|rue|calle|avenida|av\.)\s"
    r"|p\.?\s?o\.?\s?box\b)",
    re.IGNORECASE,
)
NOTE = re.compile(
    r"^\(?(?:[*∗†‡§¶\d]\s*)?(?:equal contribution|corresponding author|present address|work done|this work"
    r"|dated\b"
    r"|see\b|please\b|contact\b|correspondence|email|e-mail|these authors|now at|current address"
    r"|received\b|revised\b|accepted\b|published\b|available online|(?:academic\s+)?editors?\s*:"
    r"|citation\s*:|copyright\b|licensee\b|©)",
    re.IGNORECASE,
)
_TEAM = re.compile(r"\b(?:team|consortium|collaboration)\b", re.IGNORECASE)
# IEEE prints grades after names: "Avideh Zakhor, Senior Member, IEEE"
_GRADE = re.compile(
    r"^(?:(?:senior|student|life|associate)\s+)?(?:member|fellow)$|^ieee$|^acm$", re.I
)
# capitalised words that turn up on title pages but are not part of names
_NOT_NAMES = {
    "abstract", "keywords", "classification", "introduction", "figure", "table", "terms",
    "general", "index", "references", "contents", "section", "appendix", "acm", "ieee",
    "conference", "proceedings", "workshop", "journal", "preprint", "draft", "copyright",
    "key", "words", "methods", "results", "background", "summary", "article", "research",
    "review", "open", "access", "received", "accepted", "member", "fellow", "usa", "editor",
    "technical", "report", "project", "code", "website", "homepage", "github", "arxiv",
    "supplementary", "material", "version", "submitted", "camera", "ready", "correspondence",
}  # fmt: skip
# places of two or more capitalised words that address lines put under names ("7935, South Africa")
_PLACES = {
    "south africa", "united states", "united kingdom", "new zealand", "hong kong", "saudi arabia",
    "sri lanka", "costa rica", "puerto rico", "el salvador", "czech republic", "south korea",
    "north korea", "united arab emirates", "new york", "new jersey", "new mexico", "new hampshire",
    "north carolina", "south carolina", "north dakota", "south dakota", "west virginia",
    "rhode island", "cape town", "los angeles", "san diego", "san francisco", "san jose",
    "santa barbara", "santa cruz", "santa clara", "palo alto", "mountain view", "menlo park",
    "college park", "ann arbor", "salt lake city", "tel aviv", "new delhi", "abu dhabi",
    "buenos aires", "rio de janeiro", "sao paulo", "são paulo", "mexico city", "kuala lumpur",
    "las vegas", "new orleans", "st. louis", "saint louis", "baton rouge", "chapel hill",
    "stony brook", "yorktown heights", "research triangle park", "hong kong sar", "great britain",
    "the netherlands", "russian federation", "south australia", "new south wales",
    "british columbia", "nova scotia", "la jolla", "des moines", "el paso", "san antonio",
}  # fmt: skip
_COUNTRY = re.compile(
    r"^(?:usa|u\.s\.a\.|uk|u\.k\.|china|germany|france|japan|korea|canada|italy|spain|india|israel"
    r"|australia|singapore|switzerland|netherlands|sweden|ireland|brazil|mexico|méxico|austria"
    r"|belgium|denmark|norway|finland|poland|portugal|greece|turkey|taiwan|russia|egypt|iran"
    r"|chile|argentina|colombia|peru|nigeria|kenya|pakistan|bangladesh|vietnam|thailand|malaysia"
    r"|indonesia|philippines|qatar|hungary|romania|czechia|slovenia|croatia|serbia|estonia"
    r"|latvia|lithuania|luxembourg|iceland|morocco|tunisia|ethiopia|ghana|uganda|england"
    r"|scotland|wales|california|texas)$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^(?:II|III|IV|VI|VII|VIII)$")
_PARTICLES = {
    "de", "van", "der", "den", "von", "da", "di", "del", "della", "la", "le", "du", "dos",
    "das", "bin", "binti", "al", "el", "ter", "ten", "y", "zu", "st.",
}  # fmt: skip
MARK = "\u2016"  # stands in for a superscript marker inside a line
_SYMBOLS = "*∗†‡§¶♠♢♡♣♦⋆⋄□○•✉#★☆✦✧✝※◆◇▲△⊥⊕⊗♯♮♭⁎"
_TRAILING_MARKS = re.compile(rf"[\s,;:{_SYMBOLS}\d]+$")
_LEADING_MARKS = re.compile(rf"^[\s,;:{_SYMBOLS}\d]+(?=\S)")
# glyphs of icon fonts (an ORCID logo after a name) have no Unicode meaning
_PRIVATE_USE = re.compile("[\ue000-\uf8ff\U000f0000-\U0010ffff]")
# a superscript letter printed at full size before an affiliation: "aSchool of Forest ..."
# (the word after it names an institution, so that "eBay" stays whole)
_LETTER_LEAD = re.compile(r"^[a-z](?=[A-Z][^\W\d_]+)")


def _letter_marker(text: str) -> bool:
    """Tell whether an affiliation starts with a letter marker run into its first word."""
    return bool(_LETTER_LEAD.match(text) and ORG.match(text[1:]))


_NUMBERED_AFFILIATION = re.compile(r"^[\d*†‡§¶]{1,3}\s?(?=[A-Z])")
# numbered affiliations printed on one line without superscripts: "Princeton University 2Together AI"
_RUN_TOGETHER = re.compile(r"(?<=[^\W\d_]|[.)])\s*\d{1,2}(?=[A-Z][^\W\d_])")
# full-size numbers in a paragraph of affiliations: "..., United States of America, 2 West Florida ..."
_NUMBER_AFTER_COMMA = re.compile(r"[,;.]\s+\d{1,2}\s+(?=[A-Z][^\W\d_])")
# superscript letters printed at full size after a name: "Patrick N.J. Lanea,c,*, Alice E. Bestb,c,d"
_LETTER_MARKS = re.compile(r"(?<=[^\W\d_]{2})[a-z](?:,(?:[a-z]|[*∗†‡§¶]))+(?=,|\s|$)")
# two capitalised words with the space between them lost: "CharlesMunthali"
_GLUED_NAME = re.compile(r"^([A-Z][a-z]{3,})([A-Z][a-z]{2,})$")
_CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
# a footnote that says where an author works: "E. Chang is with the University of ..."
_WORKS_AT = re.compile(
    r"\b(?:is|are|was|were)\s+(?:currently\s+|now\s+|also\s+)?(?:with|at)\s+(?:the\s+)?(.+)$",
    re.IGNORECASE,
)
_NOT_AFFILIATION = re.compile(
    r"support|grant|fund|award|thank|acknowledg|copyright|©|licen[cs]e|permission|proceedings"
    r"|conference|symposium|preliminary version|manuscript|contributed equally",
    re.IGNORECASE,
)


@dataclass
class People:
    """Authors and affiliations found on a page."""

    authors: list[str]
    affiliations: list[str]


def find_people(
    region: list[Line],
    page: list[Line],
    skip: set[int],
    height: float,
    above: list[Line] | None = None,
) -> People:
    """Read authors and affiliations from the author block, else from name blocks and footnotes.

    `above` is the block set right above the title: some journals print the authors there.
    """
    authors, affiliations = _people(region)
    from_above = False
    if not authors and above:
        authors, extra = _people(above)
        affiliations = affiliations or extra
        from_above = bool(authors)
    if not authors or (from_above and not affiliations):
        # an author block further down (a name over its affiliation) still gives affiliations
        names, extra = _people_in_blocks([ln for ln in page if ln.index not in skip])
        authors = authors or names
        affiliations = affiliations or extra
    if not affiliations:
        affiliations = footnote_affiliations(page, height)
    return People(_unique(authors), _unique(affiliations))


def _name_word(word: str, caps: bool) -> bool:
    if word.lower() in _PARTICLES:
        return True
    if not word[:1].isupper():
        return False
    if not all(ch.isalpha() or ch in ".-'" or unicodedata.combining(ch) for ch in word):
        return False
    # a capitalised word inside a mixed-case name ("Redmond WA") is a place or an acronym
    letters = word.replace(".", "").replace("-", "")
    return caps or len(letters) < 2 or not letters.isupper() or "." in word


_HONORIFIC = re.compile(r"^(?:(?:prof|dr|professor|mr|mrs|ms|mme|mlle|sir)\.?\s+)+", re.IGNORECASE)
_DEGREE = (
    r"(?:MD|PhD|Ph\.\s?D|M\.D|MSc|M\.Sc|BSc|MPH|MBBS|MBChB|RN|DDS|DVM|MBA|FRCP|FRCS|FRACP|DPhil"
    r"|MPhil|DSc|MHSc|FACS|FACP|FACC|FAHA|MRCP|FRCPC|BPharm|PharmD"
    r"|Dr\.\s?rer\.\s?nat)\b\.?"
)
# short degrees that are also surnames or initials ("Yi MA") count only after a comma
_SHORT_DEGREE = r"(?:MS|MA|BA|BS|MM|BSN|MSN|MHS|ScD|DrPH|MPP|MSW)\b\.?"
_DEGREES = re.compile(rf"(?:,?\s+{_DEGREE}|,\s*{_SHORT_DEGREE})+$")
_DEGREE_ONLY = re.compile(rf"^(?:{_DEGREE}|{_SHORT_DEGREE})$")


# an ORCID iD printed after a name (Springer LNCS): "Alice Martin1[0000-0002-1825-0097]"
_ORCID = re.compile(r"\[?\s*\d{4}-\d{4}-\d{4}-\d{3}[\dX]\s*\]?")


def clean_name(part: str) -> str:
    """Strip markers, 'and' and stray punctuation around an author name."""
    part = plain_quotes(_PRIVATE_USE.sub("", _ORCID.sub(" ", part)))
    # "BY ALICE MARTIN AND BOB CHEN" (Annals of Statistics)
    part = re.sub(r"^(?:and|&|by)\s+", "", part.strip(), flags=re.IGNORECASE)
    part = _TRAILING_MARKS.sub("", part)
    part = _LEADING_MARKS.sub("", part)
    # titles and degrees are not part of a name: "Prof. Alice Martin", "Bob Chen MD, PhD"
    part = _HONORIFIC.sub("", part)
    part = _DEGREES.sub("", part)
    # initials run into the surname: "Yu.A.Pusep" is "Yu.A. Pusep"
    part = re.sub(r"(?<=\b[^\W\d_]\.)(?=[^\W\d_]{2})", " ", part)
    return squash(part).strip(" ,;")


def _all_caps(part: str) -> bool:
    letters = [ch for ch in part if ch.isalpha()]
    return len(letters) >= 4 and all(ch.isupper() for ch in letters)


def looks_like_name(part: str) -> bool:
    """Tell whether a short text could be a person's name (also in capitals: 'TAL AUGUST')."""
    if _CJK_NAME.match(part):
        return True
    words = part.split()
    if not 2 <= len(words) <= 5 or len(part) > 60:
        return False
    caps = _all_caps(part)
    surname = 0 if caps else _caps_surname(words)
    if ORG.search(part) or not all(
        _name_word(w, caps or i >= len(words) - surname) for i, w in enumerate(words)
    ):
        return False
    if any(w.lower().strip(".:") in _NOT_NAMES or _COUNTRY.match(w) for w in words):
        return False
    if _place(part):
        return False
    if caps:
        # in capitals, a name has at least two words of two letters or more (not "A. B.")
        return len(words) <= 4 and sum(len(w.strip(".")) >= 2 for w in words) >= 2
    # all-capital words are acronyms (IBM, USA), not names
    return any(any(ch.islower() for ch in w) for w in words)


def _caps_surname(words: list[str]) -> int:
    """Count the surname words printed in capitals after given names in normal case.

    'Chris QUIRK' and 'Ross G. DOUGLAS' give 1; 0 when the name is not of that shape. A lone
    surname of two capitals ('Andrew NG') counts unless it is a postal code of a state or
    province, or a company's legal form, so that 'Redmond WA' and 'Siemens AG' are no names.
    """
    count = 0
    for word in reversed(words):
        letters = re.sub(r"[^\w]|\d|_", "", word)
        if len(letters) < 2 or not letters.isupper() or "." in word:
            break
        count += 1
    head = words[: len(words) - count]
    if not count or not head or not any(any(ch.islower() for ch in w) for w in head):
        return 0
    tail = [re.sub(r"\W", "", w) for w in words[len(head) :]]
    if not any(len(w) >= 3 for w in tail) and (count > 1 or tail[0] in _TWO_CAPITALS):
        return 0
    return count


# two capitals after a place or a company: US states, Canadian provinces, Brazilian states,
# country codes and legal forms ("Redmond WA", "São Carlos SP", "Siemens AG")
_TWO_CAPITALS = {
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS",
    "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY",
    "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV",
    "WI", "WY", "DC", "PR", "AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK",
    "YT", "SP", "RJ", "MG", "RS", "BA", "CE", "UK", "US", "EU", "AG", "SA", "BV", "SE", "KG", "OY",
    "AS", "AI", "IT", "HR", "QA",
}  # fmt: skip


def _place(part: str) -> bool:
    """Tell whether a name-like text is a place an address names ('South Africa', 'Ann Arbor')."""
    folded = squash(part.replace(",", " ")).casefold()
    return folded in _PLACES or any(folded.endswith(" " + place) for place in _PLACES)


def recase_name(name: str) -> str:
    """Write capitals in normal case: 'MARTI A. HEARST' -> 'Marti A. Hearst', 'Chris QUIRK' -> 'Chris Quirk'."""

    def word(match: re.Match[str]) -> str:
        text = match.group()
        if len(text) == 1 or _ROMAN.match(text) or not text.isupper():
            return text
        return text[0] + text[1:].lower()

    if _all_caps(name):
        return re.sub(r"[^\W\d_]+", word, name)
    if _caps_surname(name.split()):
        return re.sub(r"[^\W\d_]+", word, name)
    return name


def _split_names(text: str) -> list[str]:
    # markers printed inline at full size ("Berardi 1 Michele Lapi 1") separate names too
    inline = r"(?<=[^\W\d_])\s*\d{1,2}(?:\s*,\s*\d{1,2})*(?=\s|$)"
    text = _LETTER_MARKS.sub(MARK, _ORCID.sub(MARK, text))
    # Springer journals set names apart with a middle dot: "Alice Martin · Bob Chen"
    # "and" in other languages too: "Alice Martin et Bob Chen", "und"
    joins = r"\band\b|\bAND\b|\bet\b|\bund\b"
    pieces = re.split(rf"\s*(?:{MARK}|{inline}|[,;·|]|{joins}|&|\s{{3,}})\s*", text)
    names = [_unglue(clean_name(p)) for p in pieces]
    names = [n for n in names if n and not _GRADE.match(n) and not _DEGREE_ONLY.match(n)]
    if any(_caps_surname(n.split()) for n in names):
        # surnames in capitals on this line: a short one is a surname too ("Wei LI")
        names = [_short_surname(n) for n in names]
    return names


def _short_surname(name: str) -> str:
    """Write a two-letter surname in capitals after given names in normal case as a name ('Wei Li')."""
    words = name.split()
    if (
        len(words) >= 2
        and re.fullmatch(r"[A-Z]{2}", words[-1])
        and words[-1].lower() not in _NOT_NAMES
        and not _COUNTRY.match(words[-1])
        and any(ch.islower() for w in words[:-1] for ch in w)
    ):
        return " ".join([*words[:-1], words[-1][0] + words[-1][1:].lower()])
    return name


def _unglue(name: str) -> str:
    """Put back the space a PDF lost inside a name ('CharlesMunthali'): a lone word is no name."""
    match = _GLUED_NAME.match(name)
    return f"{match.group(1)} {match.group(2)}" if match else name


def _lead_names(text: str) -> tuple[list[str], str] | None:
    """Split 'TAL AUGUST, University of Washington' into capital names and what follows."""
    pieces = text.split(",")
    names: list[str] = []
    for i, piece in enumerate(pieces):
        parts = [clean_name(p) for p in re.split(rf"\s*(?:\band\b|\bAND\b|&|{MARK})\s*", piece)]
        parts = [p for p in parts if p]
        if parts and all(_all_caps(p) and looks_like_name(p) for p in parts):
            names += parts
            continue
        rest = ",".join(pieces[i:]).replace(MARK, " ")
        if names and ORG.search(rest):
            return names, squash(rest).strip(" ,;")
        return None
    return None


# the local part may be a group of several, one per author: "{ann|bob}@x.org", "{ann, bob}@x.org"
_EMAIL = re.compile(r"\(?\s*(?:\{[^{}@]{1,200}\}|[\w.+-]+)@[\w-]+(?:\.[\w-]+)+\s*\)?")


def without_email(text: str) -> str:
    """Drop the e-mail addresses from a line ('UNED, Madrid, Spain (anselmo@lsi.uned.es)')."""
    return squash(_EMAIL.sub(" ", text)).strip(" ,;")


def _kind(line: Line) -> str:
    text = line.text(markers=MARK)
    # a number printed at full size before an affiliation is set apart: "2MIT, Cambridge"
    flat = re.sub(r"^([\d*†‡§¶]{1,3})(?=[A-Z])", r"\1 ", squash(text.replace(MARK, " ")))
    words = len(re.findall(r"\w{2,}", flat))
    if "@" in flat or re.search(r"https?://|www\.", flat):
        rest = without_email(flat)
        numbered = line.leading_marker or _NUMBERED_AFFILIATION.match(line.text())
        plain = "@" not in rest and not re.search(
            r"e-?mail|" + _NOT_AFFILIATION.pattern, rest, re.I
        )
        plain = plain and not NOTE.match(rest)  # "Corresponding author: ann@x.org and ..."
        if plain and re.search(r"\w{2,}", rest) and (numbered or ORG.search(rest)):
            return "affiliation+email"  # "CELCT, Trento, Italy (forner@celct.it)"
        names = _split_names(_name_part(line, text))
        if names and all(looks_like_name(n) for n in names) and not ORG.search(rest):
            return "author"  # "Alice Martin          alice@stanford.edu" (JMLR)
        return "email"
    if NOTE.match(flat):
        return "note"
    if _TEAM.search(flat) and words <= 6:
        return "team"
    names = _split_names(text)
    named = sum(looks_like_name(n) for n in names)
    if names and named == len(names) and not ORG.search(flat):
        # "950 N. Cherry Avenue", "P.O. Box 6010": a street is no name
        return "address" if _STREET.match(flat) else "author"
    if _cell_names(line):
        return "author"
    if _lead_names(text) or _paren_names(text):
        return "author+affiliation"
    if (line.leading_marker or ORG.search(flat)) and words <= 40:
        return "affiliation"
    if names and named * 2 > len(names):
        return "author"
    if words > 16:
        return "note"
    if _ADDRESS.search(flat):
        return "address"
    return "other"


def _cell_names(line: Line) -> list[str]:
    """Return the names of a line whose columns are each a name ('Ann Lee    Bo Chan'), or []."""
    if not line.cells or MARK in line.text(markers=MARK):
        return []
    names = [clean_name(c) for c in line.cells]
    return names if all(looks_like_name(n) for n in names) else []


def _affiliation_pieces(text: str) -> list[str]:
    pieces: list[str] = []
    split = text.split(MARK)
    for n, piece in enumerate(split):
        if n < len(split) - 1:
            piece = re.sub(r",?\s+and\s*$", "", piece)  # "..., UK, and ‡Next Institute"
        # between markers, a number after a comma is a street number ("…, 12 Simpson Court")
        parts = [piece] if len(split) > 1 else _numbered_parts(piece)
        for part in parts:
            pieces += _RUN_TOGETHER.split(part)
    pieces = [squash(_LEADING_MARKS.sub("", p)).strip(" ,;") for p in pieces]
    pieces = [p[1:] if _letter_marker(p) else p for p in pieces]
    return [p for p in pieces if len(p) >= 2]


_CORRESPONDENCE = re.compile(
    r"^\W*(?:correspondence\s+address|address\s+for\s+correspondence)\s*[.:]\s*(.+)$", re.I
)


def _correspondence_address(text: str, authors: list[str]) -> str | None:
    """Return the institution a correspondence note gives as its address, or None.

    "*Correspondence address. Endocrine Services, Royal Hospital for Sick Children, Glasgow":
    the corresponding author's affiliation, which may be named nowhere else. A leading name
    ("Dr. Ann Lee, Department of ...") is left out.
    """
    match = _CORRESPONDENCE.match(squash(text.replace(MARK, " ")))
    if not match:
        return None
    pieces = [p.strip() for p in without_email(match.group(1)).split(",")]
    named = {_fold(a) for a in authors}
    if pieces and (_HONORIFIC.match(pieces[0]) or _fold(clean_name(pieces[0])) in named):
        pieces.pop(0)
    rest = ", ".join(p for p in pieces if p).strip(" .;")
    rest = re.split(r"[.;]?\s+(?:e-?mail|tel|phone|fax)\b", rest, flags=re.I)[0].strip(" .;,")
    return rest if ORG.search(rest) else None


def _fold(name: str) -> str:
    return " ".join(name.casefold().replace(".", " ").split())


# a note's sentence that goes on to the next line ("This work was done while … at the")
_RUNS_ON = re.compile(r"\b(?:the|of|at|and|for|in|with|by|from|to|visiting)$", re.IGNORECASE)


def _running_on(line: Line | None) -> bool:
    """Tell whether a line of running affiliations (a marker inside it) breaks mid-name.

    "…, ‡Turner Society, …, §Assisted Conception" / "Unit, Glasgow Royal Infirmary, …": set as
    a paragraph, a line that ends without a comma stops inside a name.
    """
    if line is None:
        return False
    text = line.text(markers=MARK).strip()
    inside = MARK in text.lstrip(MARK + " ") or bool(_NUMBER_AFTER_COMMA.search(text))
    return inside and not re.search(r"[,;.:]$", text)


def _only_place(piece: str) -> bool:
    """Tell whether an affiliation piece is only a country or a place ('United States of America')."""
    return (
        not ORG.search(piece)
        and len(piece.split()) <= 4
        and (
            bool(_COUNTRY.match(piece))
            or piece.casefold() in _PLACES
            or bool(re.fullmatch(r"United (?:States|Kingdom|Arab Emirates)(?: of America)?", piece))
        )
    )


def _numbered_parts(text: str) -> list[str]:
    """Split a paragraph of affiliations at full-size numbers after commas, but not at a street."""
    parts: list[str] = []
    begin = 0
    for match in _NUMBER_AFTER_COMMA.finditer(text):
        number = match.group().lstrip(",;. ")
        if _STREET.match(number + text[match.end() :].split(",")[0]):
            continue  # "…, 12 Simpson Court": a street number, not an affiliation's
        parts.append(text[begin : match.start()])
        begin = match.end()
    return [*parts, text[begin:]]


def _near(line: Line, previous: Line | None) -> bool:
    return (
        previous is not None
        and line.index == previous.index + 1
        and abs(previous.y - line.y) <= 2 * line.size
    )


def _people(region: list[Line]) -> tuple[list[str], list[str]]:
    """Read authors and affiliations from the lines between the title and the abstract."""
    authors: list[str] = []
    affiliations: list[str] = []
    region = rows(region)
    kinds = [_kind(line) for line in region]
    for i in range(1, len(region)):
        # a line that finishes a name cut at the end of the author line above is an author line
        if kinds[i - 1] == "author" and kinds[i] != "author" and _near(region[i], region[i - 1]):
            held = _wrap_names("", region[i - 1].text(markers=MARK), True)[1]
            joined = _wrap_names(held, region[i].text(markers=MARK), False)[0] if held else ""
            names = _split_names(joined)
            if names and all(looks_like_name(n) for n in names) and not ORG.search(joined):
                kinds[i] = "author"
    previous: Line | None = None
    previous_kind = ""
    # the last affiliation was opened by a marker: the lines under it without one continue it
    # up to the next marker (AASTeX sets each part on its own line: "1 Department of ..." /
    # "P.O. Box 6010" / "Northern Arizona University" / "Flagstaff, AZ 86011")
    numbered_open = False
    pending = ""  # an author line that ends inside a name ("Corina" / "Forăscu, Nicolas ...")
    grid: list[list[str]] = []  # per column, the lines under names set in columns
    for i, line in enumerate(region):
        kind = kinds[i]
        text = line.text(markers=MARK)
        numbered = (
            line.leading_marker
            or bool(_NUMBERED_AFFILIATION.match(line.text()))
            or _letter_marker(line.text())
        )
        if (
            kind in {"affiliation", "address", "other"}
            and previous_kind in {"email", "note"}
            and _near(line, previous)
            and previous is not None
            and _RUNS_ON.search(previous.text())
        ):
            kind = "note"  # "… while this author was at the" / "University of Maryland. …"
        after_affiliation = previous_kind in {"affiliation", "address"} and _near(line, previous)
        if kind in {"affiliation", "address"} and after_affiliation and _STREET.match(line.text()):
            kind, numbered = "address", False  # "1 University Station": a street, not a marker
        if (
            kind == "other"
            and previous_kind == "author"
            and _lab_before_email(kinds[i + 1 : i + 4])
        ):
            kind = "affiliation"  # a lab between a name and its e-mail ("ID-IMAG")
        if (
            numbered_open
            and after_affiliation
            and not numbered
            and kind in {"author", "other", "address", "affiliation"}
            and "@" not in text
            and MARK not in text
            and len(_numbered_parts(text)) == 1
            and not (kind == "affiliation" and _ends_in_country(affiliations[-1]))
            and not re.match(r"(?:and|&)\s", text)
        ):
            part = squash(text.replace(MARK, " ")).strip(" ,;")
            affiliations[-1] = f"{affiliations[-1].rstrip(' ,')}, {part}"
            previous, previous_kind = line, "affiliation"
            continue
        numbered_open = False
        if grid and line.cells and len(line.cells) == len(grid) and kind != "author":
            for column, cell in zip(grid, line.cells, strict=True):
                column.append(cell)  # the affiliation lines under names set in columns
            previous, previous_kind = line, "grid"
            continue
        affiliations += _grid_affiliations(grid)
        grid = []
        if kind == "author":
            cells = _cell_names(line)
            if cells:
                authors += [recase_name(n) for n in cells]
                grid = [[] for _ in cells]
            else:
                text = _name_part(line, text) if "@" in text else text
                text, pending = _wrap_names(pending, text, kinds[i + 1 : i + 2] == ["author"])
                authors += [
                    recase_name(n)
                    for n in _split_names(text)
                    if looks_like_name(n) or _CJK_NAME.match(n)
                ]
        elif kind == "author+affiliation":
            found = _lead_names(text)
            if found:
                authors += [recase_name(n) for n in found[0]]
                affiliations.append(found[1])
            elif paren := _paren_names(text):
                authors += [recase_name(n) for n in paren[0]]
                affiliations += paren[1]
        elif kind == "note" and (address := _correspondence_address(text, authors)):
            affiliations.append(address)
        elif kind == "team":
            team = line.text(markers="").strip(" ,;*∗†‡0123456789")
            authors.append(team)
            affiliations += [p.strip() for p in team.split(",")[1:] if p.strip()]
        elif kind == "address" and after_affiliation and affiliations and not numbered:
            # an address line belongs to the affiliation above it, up to a marker that opens
            # the next affiliation on the same line ("Glasgow, UK, ‡Turner Society, ...")
            tail, *more = text.split(MARK)
            if not more:
                # "United States of America, 2 Whale Trust, …": a number opens the next one
                tail, *more = _numbered_parts(text)
            tail = squash(tail).strip(" ,;")
            if more and re.search(r"\w{2,}", tail):
                tail = re.sub(r",?\s+and$", "", tail)
                affiliations[-1] = f"{affiliations[-1].rstrip(' ,')}, {tail}"
                affiliations += _affiliation_pieces(MARK.join(more))
            else:
                address = squash(text.replace(MARK, " "))
                affiliations[-1] = f"{affiliations[-1].rstrip(' ,')}, {address}"
        elif kind in {"affiliation", "affiliation+email"}:
            pieces = _affiliation_pieces(without_email(text) if kind != "affiliation" else text)
            columns = _org_cells(line)
            if columns:
                pieces, numbered = columns, True  # affiliations side by side, one per column
            continues = (
                after_affiliation
                and not numbered
                and affiliations
                and (
                    not _ends_in_country(affiliations[-1])
                    # "…, La Jolla, California" / "United States of America, 16 …"
                    or (bool(pieces) and _only_place(pieces[0]))
                )
            )
            if continues and pieces:
                head = affiliations[-1].rstrip(" ,")
                glue = (
                    " "
                    if _OPEN_END.search(head) or pieces[0][:1].islower() or _running_on(previous)
                    else ", "
                )
                affiliations[-1] = f"{head}{glue}{pieces[0]}"
                pieces = pieces[1:]
            affiliations += pieces
            kind = "affiliation"
            numbered_open = bool(numbered) and len(pieces) == 1
        previous, previous_kind = line, kind
    return authors, affiliations + _grid_affiliations(grid)


def _name_part(line: Line, text: str) -> str:
    """Return a line's text without its e-mail: without the columns that hold one, if in columns."""
    if line.cells:
        kept = [c for c in line.cells if "@" not in c]
        if kept and len(kept) < len(line.cells):
            return ", ".join(kept)
    return without_email(text)


def _ends_in_country(affiliation: str) -> bool:
    """Tell whether an affiliation ends with its country: a line after it starts another one."""
    last = affiliation.rsplit(",", 1)[-1].strip(" .;")
    return bool(_COUNTRY.match(last)) or last.casefold() in _PLACES


def _org_cells(line: Line) -> list[str]:
    """Return the affiliations of a line set in columns, each naming an institution, or []."""
    if not line.cells or len(line.cells) < 2:
        return []
    cells = [_LEADING_MARKS.sub("", without_email(c)) for c in line.cells]
    if not all(ORG.search(c) for c in cells):
        return []
    return [p for c in cells for p in _affiliation_pieces(c)]


# "Alice Martin (Stanford University), Bob Chen (MIT)": each name followed by its affiliation
_PAREN_NAME = re.compile(r"\s*(?:(?:,|;|&|\band\b)\s*)*([^(),;&]+?)\s*\(([^()]+)\)")


def _paren_names(text: str) -> tuple[list[str], list[str]] | None:
    """Split names that each carry their affiliation in brackets, or return None."""
    flat = squash(text.replace(MARK, " "))
    if "(" not in flat:
        return None
    names: list[str] = []
    places: list[str] = []
    end = 0
    for match in _PAREN_NAME.finditer(flat):
        if match.start() != end:
            return None
        name = clean_name(match.group(1))
        if not looks_like_name(name):
            return None
        names.append(name)
        places.append(squash(match.group(2)))
        end = match.end()
    if not names or flat[end:].strip(" ,;."):
        return None
    return names, [p for p in dict.fromkeys(places) if p]


def rows(lines: list[Line]) -> list[Line]:
    """Put back together the lines that columns cut from one row ('Ann Lee' | 'Bo Chan').

    A wide gap between columns ends a line; lines that follow each other on one baseline in
    one size are one row whose cells are those columns. The rows are numbered anew.
    """
    merged: list[Line] = []
    for line in lines:
        last = merged[-1] if merged else None
        if (
            last is not None
            and abs(line.y - last.y) < 0.2 * line.size
            and abs(line.size - last.size) < 0.1 * line.size
            and line.x > last.spans[-1].x
            # cells are short: a line of running text beside the block is another column
            and len(line.text().split()) <= 10
            and len((last.cells or [last.text()])[-1].split()) <= 10
        ):
            cells = (last.cells or [last.text(markers="")]) + (
                line.cells or [line.text(markers="")]
            )
            merged[-1] = Line(last.spans + line.spans, cells=[c for c in cells if c])
        else:
            merged.append(Line(list(line.spans), cells=line.cells))
        merged[-1].index = len(merged) - 1
    return merged


def _grid_affiliations(grid: list[list[str]]) -> list[str]:
    """Return one affiliation per column of lines under names set in columns (no street or e-mail)."""
    found = []
    for column in grid:
        parts = [c for c in column if ORG.search(c) and "@" not in c and not _STREET.match(c)]
        if parts:
            found.append(", ".join(parts))
    return found


# an affiliation line that stops in the middle of a name ("Southeast Center for" / "Integrated ...")
_OPEN_END = re.compile(r"(?:&|\b(?:and|for|of|the|de|du|des|di|del|in|on|und|et))$")


def _lab_before_email(following: list[str]) -> bool:
    """Tell whether the lines after an unclassified line under a name lead to its e-mail."""
    for kind in following:
        if kind == "email":
            return True
        if kind not in {"other", "address"}:
            return False
    return False


def _wrap_names(pending: str, text: str, more: bool) -> tuple[str, str]:
    """Join an author line to the name cut at the end of the line before it.

    Return the text to split into names now and the part held back for the next author line:
    a last name-piece that is no name on its own ("Corina", "Paulo Ro-") waits for the next line
    when one follows; a name broken at a hyphen is joined without it when the rest is lowercase.
    """
    if pending:
        if pending.endswith("-") and text[:1].islower():
            text = pending[:-1] + text
        else:
            text = f"{pending} {text}"
    if not more or re.search(rf"(?:[,;&{MARK}]|\band)\s*$", text):
        return text, ""
    pieces = re.split(rf"(?:[,;&·|{MARK}]|\band\b)", text)
    last = pieces[-1].strip()
    cut = last.endswith("-") or last.split()[-1].lower() in _PARTICLES if last else False
    if not last or (looks_like_name(clean_name(last)) and not cut):
        return text, ""
    return text[: len(text) - len(pieces[-1])], last


def _people_in_blocks(lines: list[Line]) -> tuple[list[str], list[str]]:
    """Find author blocks anywhere: a name line directly followed by an affiliation or email."""
    authors: list[str] = []
    affiliations: list[str] = []
    for i, line in enumerate(lines[:-1]):
        name = clean_name(line.text(markers=""))
        if not looks_like_name(name):
            continue
        following = lines[i + 1]
        kind = _kind(following)
        if kind in {"affiliation", "email"} and following.index == line.index + 1:
            authors.append(recase_name(name))
            if kind == "affiliation":
                affiliations += _affiliation_pieces(following.text(markers=MARK))
    return authors, affiliations


def footnote_affiliations(lines: list[Line], height: float) -> list[str]:
    """Read affiliations from footnotes low on the page ('1 Dept. of ...', 'X is with the ...')."""
    chars: dict[float, int] = {}
    for ln in lines:
        chars[ln.size] = chars.get(ln.size, 0) + len(ln.text())
    body = max(chars, key=lambda size: chars[size], default=0.0)
    notes: list[list[Line]] = []
    for line in lines:
        if line.size > body + 0.05:
            continue
        text = line.text()
        numbered = line.leading_marker or _NUMBERED_AFFILIATION.match(text)
        # above the bottom of the page, only numbered notes in smaller print (a margin column)
        side = line.y > height * 0.4
        if side and not _side_note(line, body, height, notes[-1][-1] if notes else None):
            continue
        starts = numbered or _WORKS_AT.search(text) or _names_note(line) or _ELSEWHERE.match(text)
        if starts or not notes or not _near(line, notes[-1][-1]):
            notes.append([line])
        else:
            notes[-1].append(line)
    found: list[str] = []
    for note in notes:
        first = note[0]
        text = squash(" ".join(ln.text(markers=MARK) for ln in note))
        works = _WORKS_AT.search(text.replace(MARK, " "))
        if works:
            parts = [works.group(1)]
        elif _names_note(first):
            found += _under_names(note)
            continue
        elif not (first.leading_marker or _NUMBERED_AFFILIATION.match(first.text())):
            continue
        else:
            # several numbered affiliations in one note: "1Division of ..., USA. 2Department of ..."
            parts = _NOTE_NUMBER.split(text)
        for part in parts:
            # the e-mail addresses end it, "(e-mail: ...)" as well as "E-mail: ..."
            part = re.split(r"\s[\w.+-]+@|\(?\s*\be-?mail\b", part.replace(MARK, ""), flags=re.I)[0]
            part = squash(_LEADING_MARKS.sub("", _first_sentence(part))).strip(" ,;.")
            # "was with Acme Robotics when this work was done": the clause is not the place
            part = re.split(r"\s(?:when|while|during|until|where)\s", part)[0].strip(" ,;.")
            # what someone "is with" is an affiliation even without an institution word
            # ("Rockwell Automation, Cleveland, OH 44124 USA")
            named = ORG.search(part) or (works is not None and part[:1].isupper())
            if named and not _NOT_AFFILIATION.search(part) and len(part) <= 200:
                found.append(part)
    return found


def _names_note(line: Line) -> bool:
    """Tell whether a footnote line lists authors ('A. Martin (✉) · B. Chen', Springer journals)."""
    raw = line.text(markers=MARK)
    text = re.sub(r"\(\s*[✉*∗]\s*\)|✉", " ", raw)
    names = _split_names(text)
    if not names or not all(looks_like_name(n) for n in names) or ORG.search(text):
        return False
    # such notes name the authors by initials ("A. Martin", "J.-P. Diaz") or mark one with ✉
    return "✉" in raw or all(re.match(r"(?:[A-Z]\.-?)+\s", n) for n in names)


def _under_names(note: list[Line]) -> list[str]:
    """Read the affiliations that follow author names in a footnote, each up to its e-mail."""
    found: list[str] = []
    current: list[str] = []
    for line in [*note[1:], None]:
        text = line.text(markers="") if line is not None else ""
        if line is None or _names_note(line) or "@" in text or re.match(r"e-?mail\b", text, re.I):
            affiliation = squash(" ".join(current)).strip(" ,;.")
            if ORG.search(affiliation) and not _NOT_AFFILIATION.search(affiliation):
                found.append(affiliation[:200])
            current = []
            continue
        current.append(text)
    return found


def _side_note(line: Line, body: float, height: float, previous: Line | None) -> bool:
    """Tell whether a line high on the page belongs to affiliation notes in a margin column.

    Such notes are printed smaller than the body and each opens with a marker or a number of
    one or two digits; a running head ("758 IEEE TRANSACTIONS ...") sits above them.
    """
    if line.size >= body - 0.3 or line.y > height * 0.92:
        return False
    if previous is not None and _near(line, previous):
        return True
    text = line.text()
    return (line.leading_marker or bool(_SIDE_NUMBER.match(text))) and not _all_caps(text)


# a note pointing to the rest of the affiliations is a note of its own, not their last line
_ELSEWHERE = re.compile(
    r"^(?:full list of author information|(?:further|more) author information"
    r"|for (?:the )?(?:author )?affiliations?,? see)",
    re.IGNORECASE,
)
_SIDE_NUMBER = re.compile(r"^(?:[*†‡§¶]|\d{1,2})\s?(?=[A-Z][^\W\d_]*[a-z])")
_NOTE_NUMBER = re.compile(rf"(?<=[.;])\s*(?:{MARK}+|\d{{1,2}}(?=[A-Z]))")


_ABBREVIATIONS = {
    "dept",
    "univ",
    "inst",
    "lab",
    "st",
    "sci",
    "eng",
    "tech",
    "comp",
    "natl",
    "int",
    "res",
}


def _first_sentence(text: str) -> str:
    """Cut a footnote at its first full stop that is not an abbreviation's ('Dept.')."""
    for match in re.finditer(r"([^\W\d_]*)\.(?:\s|$)", text):
        word = match.group(1)
        if len(word) >= 3 and word.lower() not in _ABBREVIATIONS:
            return text[: match.start() + len(word)]
    return text


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    result: list[str] = []
    for item in items:
        key = re.sub(r"\W+", "", item).casefold()
        if key and key not in seen:
            seen.add(key)
            result.append(item)
    return result
