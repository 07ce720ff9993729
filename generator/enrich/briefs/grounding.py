"""Check a model's reply against the paper before it may become a published brief."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from generator.enrich.briefs.prompt import (
    MAX_TECHNIQUE_IDS,
    UNKNOWN_INSTITUTION,
    BriefReply,
    BriefRequest,
    institution_names,
)
from generator.records.models import BriefFields, Institution
from generator.records.registry import InstitutionRegistry

# Length bounds in characters, per field and for the sentence without the title.
MAX_INSTITUTION = 120
MIN_PART, MAX_PART = 2, 120
MAX_SENTENCE_WITHOUT_TITLE = 320
MAX_TLDR = 300
MIN_CJK_SHARE = 0.3

_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LETTER_OR_CJK = re.compile(r"[^\W\d_]")
_URL = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|www\.|\bmailto:|\b[\w-]+\.(?:com|org|net|io|ai|cn|edu|dev|ly)\b)",
    re.IGNORECASE,
)
_HTML = re.compile(r"<\s*/?\s*[a-z!?]|&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
_MARKDOWN = re.compile(r"\*\*|__|`|\[[^\]]*\]\(|^\s*(?:#|>|[-*+]\s|\d+\.\s)|\|")
_COMPANY_SUFFIX = re.compile(r"(?:inc|ltd|llc|co|corp|gmbh|plc)\.?", re.IGNORECASE)
_SPLIT_INSTITUTIONS = re.compile(r"\s*(?:[、，,；;/&]|\band\b|与|和|以及|及)\s*")

# Phrases the template already supplies; a model often repeats them.
_LEADING = {
    "technique": ("使用", "采用", "利用"),
    "problem": ("解决了", "解决"),
    "result": ("达成了", "达成", "实现了"),
}
_TRAILING = {"result": ("的效果", "效果")}
_END_PUNCTUATION = "。.，,；;！!　 "


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def numbers_in(text: str) -> set[Decimal]:
    """Return the numbers in a text as values (1,000 equals 1000; 2.50 equals 2.5)."""
    found: set[Decimal] = set()
    for match in _NUMBER.finditer(_fold(text)):
        try:
            found.add(Decimal(match.group().replace(",", "")).normalize())
        except InvalidOperation:  # pragma: no cover - the pattern only matches valid numbers
            continue
    return found


def _tidy(name: str, value: str) -> str:
    value = value.strip().strip(_END_PUNCTUATION)
    for prefix in _LEADING.get(name, ()):
        if value.startswith(prefix):
            value = value[len(prefix) :].lstrip()
            break
    for suffix in _TRAILING.get(name, ()):
        if value.endswith(suffix):
            value = value[: -len(suffix)].rstrip()
            break
    return value.strip(_END_PUNCTUATION)


def _markup_problem(name: str, value: str) -> str | None:
    if _URL.search(value):
        return f"{name} contains a URL or domain"
    if _HTML.search(value):
        return f"{name} contains HTML"
    if _MARKDOWN.search(value):
        return f"{name} contains Markdown"
    if "《" in value or "》" in value:
        return f"{name} contains 《》 quotes"
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} for ch in value):
        return f"{name} contains a line break or control character"
    return None


def _cjk_share(text: str) -> float:
    letters = _LETTER_OR_CJK.findall(text)
    if not letters:
        return 0.0
    return sum(1 for ch in letters if _CJK.match(ch)) / len(letters)


def resolve_institution(
    text: str, allowed: tuple[Institution, ...], registry: InstitutionRegistry
) -> tuple[str | None, str | None]:
    """Match a named institution against the record's; return (canonical name, problem)."""
    if not allowed:
        if text == UNKNOWN_INSTITUTION:
            return UNKNOWN_INSTITUTION, None
        return None, f"institution must be {UNKNOWN_INSTITUTION} (the record lists none)"
    whole = registry.resolve(text)
    parts = [text] if whole is not None else [p for p in _SPLIT_INSTITUTIONS.split(text) if p]
    chosen: list[Institution] = []
    allowed_ids = {inst.id for inst in allowed}
    for part in parts:
        if chosen and _COMPANY_SUFFIX.fullmatch(part):
            continue  # the tail of "Futurewei Technologies, Inc", split at its comma
        inst = registry.resolve(part)
        if inst is None or inst.id not in allowed_ids:
            expected = institution_names(allowed)
            return None, f"institution {part!r} is not one of this paper's ({expected})"
        if inst not in chosen:
            chosen.append(inst)
    if not chosen:
        return None, "institution is empty"
    return institution_names(chosen), None


def check_reply(
    reply: BriefReply,
    request: BriefRequest,
    registry: InstitutionRegistry,
    known_technique_ids: frozenset[str],
) -> tuple[BriefFields | None, list[str]]:
    """Return accepted, tidied fields, or None with every reason the reply was rejected."""
    reasons: list[str] = []
    parts = {name: _tidy(name, getattr(reply, name)) for name in ("technique", "problem", "result")}
    institution_text = _tidy("institution", reply.institution)
    tldr = reply.tldr_en.strip() if reply.tldr_en and reply.tldr_en.strip() else None

    # plain text only, everywhere
    for name, value in (("institution", institution_text), *parts.items(), ("tldr_en", tldr)):
        if value is None:
            continue
        problem = _markup_problem(name, value)
        if problem:
            reasons.append(problem)

    # lengths and language
    if not institution_text or len(institution_text) > MAX_INSTITUTION:
        reasons.append(f"institution must be 1 to {MAX_INSTITUTION} characters")
    for name, value in parts.items():
        if not MIN_PART <= len(value) <= MAX_PART:
            reasons.append(f"{name} must be {MIN_PART} to {MAX_PART} characters, not {len(value)}")
        elif len(_CJK.findall(value)) < 2:
            reasons.append(f"{name} is not written in Chinese")
    if sum(len(v) for v in parts.values()) + len(institution_text) > MAX_SENTENCE_WITHOUT_TITLE:
        reasons.append(f"the brief is longer than {MAX_SENTENCE_WITHOUT_TITLE} characters")
    if _cjk_share("".join(parts.values())) < MIN_CJK_SHARE:
        reasons.append("the brief is mostly not Chinese")
    if tldr is not None:
        if len(tldr) > MAX_TLDR:
            reasons.append(f"tldr_en is longer than {MAX_TLDR} characters")
        if _CJK.search(tldr):
            reasons.append("tldr_en must be English")

    # grounding: numbers and names must come from the paper
    abstract_numbers = numbers_in(request.abstract)
    paper_numbers = abstract_numbers | numbers_in(request.title)
    invented = sorted(numbers_in(parts["result"]) - abstract_numbers)
    if invented:
        shown = ", ".join(format(n, "f") for n in invented[:5])
        reasons.append(f"result states numbers that are not in the abstract: {shown}")
    others = (("technique", parts["technique"]), ("problem", parts["problem"]), ("tldr_en", tldr))
    for name, value in others:
        stray = sorted(numbers_in(value or "") - paper_numbers)
        if stray:
            shown = ", ".join(format(n, "f") for n in stray[:5])
            reasons.append(f"{name} states numbers that are not in the title or abstract: {shown}")
    institution, problem = resolve_institution(institution_text, request.institutions, registry)
    if problem:
        reasons.append(problem)

    ids = list(dict.fromkeys(reply.technique_ids))
    unknown = [i for i in ids if i not in known_technique_ids]
    if unknown:
        reasons.append(f"unknown technique ids: {', '.join(repr(i) for i in unknown[:5])}")
    if len(ids) > MAX_TECHNIQUE_IDS:
        reasons.append(f"at most {MAX_TECHNIQUE_IDS} technique ids are allowed")

    if reasons or institution is None:
        return None, reasons
    try:
        fields = BriefFields(
            institution=institution,
            technique=parts["technique"],
            problem=parts["problem"],
            result=parts["result"],
            technique_ids=ids,
            tldr_en=tldr,
        )
    except ValidationError as exc:
        return None, [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return fields, []
