"""Grounding, rule by rule: each check in grounding.py, its edge, and what it leaves alone.

Written against the mutants tests/briefs/test_briefs_grounding.py let live (docs/testing.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from briefs_fakes import ABSTRACT, GOOD_REPLY

from generator.enrich.briefs.grounding import check_reply, numbers_in
from generator.enrich.briefs.prompt import BriefReply, BriefRequest
from generator.records.models import BriefFields, Institution
from generator.records.registry import InstitutionRegistry

PKU = Institution(id="pku", en="Peking University", zh="北京大学", aliases=["PKU"])
REGISTRY, _ = InstitutionRegistry.build([PKU])
IDS = frozenset({"quantization"})
NO_NUMBERS = "We present FastQuant, a low-bit quantization method that serves models faster."


def check(
    changes: dict[str, object], *, title: str = "FastQuant", abstract: str = ABSTRACT
) -> tuple[BriefFields | None, list[str]]:
    request = BriefRequest("p", title, abstract, (PKU,), ())
    return check_reply(BriefReply.model_validate({**GOOD_REPLY, **changes}), request, REGISTRY, IDS)


def accepted(changes: dict[str, object], **request: str) -> BriefFields:
    fields, reasons = check(changes, **request)
    assert reasons == [] and fields is not None, reasons
    return fields


def rejected(changes: dict[str, object], **request: str) -> list[str]:
    fields, reasons = check(changes, **request)
    assert fields is None and reasons
    return reasons


# ---- the numbers a brief may state ---------------------------------------------------------------


def test_a_result_number_is_refused_when_the_abstract_states_no_number() -> None:
    reasons = rejected({"result": "延迟降低18%", "tldr_en": None}, abstract=NO_NUMBERS)
    assert reasons == ["result states numbers that are not in the abstract: 18"]


def test_a_result_without_numbers_passes_an_abstract_without_numbers() -> None:
    fields = accepted({"result": "延迟显著降低", "tldr_en": None}, abstract=NO_NUMBERS)
    assert fields.result == "延迟显著降低"


def test_a_result_number_found_only_in_the_title_is_refused() -> None:
    # the title's "8" names the model size; a result of "8倍" must come from the abstract
    reasons = rejected({"result": "吞吐提升8倍", "tldr_en": None}, title="FastQuant for 8B Models")
    assert reasons == ["result states numbers that are not in the abstract: 8"]


def test_other_fields_may_repeat_a_number_of_the_title() -> None:
    fields = accepted(
        {"technique": "面向8B模型的低比特量化方法", "tldr_en": "FastQuant serves 8B models."},
        title="FastQuant for 8B Models",
    )
    assert fields.technique == "面向8B模型的低比特量化方法"


@pytest.mark.parametrize("field", ["technique", "problem"])
def test_other_fields_may_not_invent_numbers(field: str) -> None:
    value = {"technique": "面向64卡集群的量化方法", "problem": "在64个GPU上推理慢的问题"}[field]
    reasons = rejected({field: value})
    assert reasons == [f"{field} states numbers that are not in the title or abstract: 64"]


def test_every_invented_number_is_named_in_order_up_to_five() -> None:
    # sorted as values, not as text: 9 before 11
    reasons = rejected({"result": "延迟降低15%、11%、9%、13%、12%、14%"})
    assert reasons == ["result states numbers that are not in the abstract: 9, 11, 12, 13, 14"]


def test_numbers_are_values_not_spellings() -> None:
    # 17.30 and 17.3 are one number; so are ２.５ (full width) and 2.5
    fields = accepted({"result": "延迟降低17.30%、显存减少２.５倍"})
    assert fields.result == "延迟降低17.30%、显存减少２.５倍"
    assert numbers_in("1,000,000 and 3,14") == {Decimal("1000000"), Decimal(3), Decimal(14)}
    assert numbers_in("no digits") == set()


# ---- tidying: the template's own words are taken off --------------------------------------------


@pytest.mark.parametrize(
    ("field", "written", "kept"),
    [
        ("technique", "使用低比特量化方法。", "低比特量化方法"),
        ("technique", "采用 低比特量化方法", "低比特量化方法"),
        ("technique", "利用低比特量化方法", "低比特量化方法"),
        ("problem", "解决了推理延迟高的问题，", "推理延迟高的问题"),
        ("problem", "解决推理延迟高的问题", "推理延迟高的问题"),
        ("result", "达成了延迟降低17.3%的效果。", "延迟降低17.3%"),
        ("result", "达成延迟降低17.3%效果", "延迟降低17.3%"),
        ("result", "实现了延迟降低17.3% 的效果", "延迟降低17.3%"),
        ("result", " 延迟降低17.3%的效果 ；", "延迟降低17.3%"),
    ],
)
def test_the_template_words_a_model_repeats_are_taken_off(
    field: str, written: str, kept: str
) -> None:
    assert getattr(accepted({field: written}), field) == kept


def test_only_one_leading_phrase_is_taken_off() -> None:
    # "使用采用…" loses 使用 only: a second phrase is the model's own text
    assert accepted({"technique": "使用采用低比特量化的方法"}).technique == "采用低比特量化的方法"


def test_the_institution_is_trimmed_of_spaces_and_end_punctuation() -> None:
    assert accepted({"institution": " 北京大学。"}).institution == "北京大学"


def test_an_empty_tldr_is_no_tldr() -> None:
    assert accepted({"tldr_en": "   "}).tldr_en is None
    assert accepted({"tldr_en": " FastQuant is fast. "}).tldr_en == "FastQuant is fast."


# ---- lengths, language and markup ---------------------------------------------------------------


def test_field_lengths_are_bounded_at_both_ends_inclusive() -> None:
    assert accepted({"problem": "延迟"}).problem == "延迟"  # 2 characters: the minimum
    assert rejected({"problem": "慢"}) == ["problem must be 2 to 120 characters, not 1"]
    long = "量化" * 60  # 120 characters: the maximum
    assert accepted({"technique": long}).technique == long
    assert (
        rejected({"technique": long + "法"})[0] == "technique must be 2 to 120 characters, not 121"
    )


def test_a_field_needs_two_chinese_characters() -> None:
    assert rejected({"problem": "OOM问"}) == ["problem is not written in Chinese"]
    assert accepted({"problem": "OOM的问题"}).problem == "OOM的问题"


def test_the_whole_brief_has_a_length_limit() -> None:
    part = "量化方法" * 27  # 108 characters each, under the field limit
    reasons = rejected({"technique": part, "problem": part, "result": part + "的结果"})
    assert reasons == ["the brief is longer than 320 characters"]


def test_the_brief_must_be_mostly_chinese() -> None:
    # each part has its two Chinese characters, but all together are mostly English
    english = {
        "technique": "low bit weight quantization 方法",
        "problem": "slow inference on small GPUs 问题",
        "result": "latency drops by 17.3% 降低",
    }
    assert rejected(english) == ["the brief is mostly not Chinese"]


def test_an_institution_over_120_characters_is_refused() -> None:
    reasons = rejected({"institution": "北" * 121})
    assert reasons[0] == "institution must be 1 to 120 characters"


def test_the_tldr_is_english_and_bounded() -> None:
    assert rejected({"tldr_en": "A" * 301}) == ["tldr_en is longer than 300 characters"]
    assert accepted({"tldr_en": "A" * 300}).tldr_en == "A" * 300


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"technique": "见www.evil量化方法"}, "technique contains a URL or domain"),
        ({"technique": "mailto:x量化方法"}, "technique contains a URL or domain"),
        ({"problem": "推理慢&amp;问题"}, "problem contains HTML"),
        ({"problem": "推理慢&#60;问题"}, "problem contains HTML"),
        ({"result": "延迟降低__17.3%__"}, "result contains Markdown"),
        ({"result": "# 延迟降低17.3%"}, "result contains Markdown"),
        ({"result": "延迟降低17.3%|显存"}, "result contains Markdown"),
        ({"technique": "量化》方法"}, "technique contains 《》 quotes"),
        ({"problem": "推理\u200b慢的问题"}, "problem contains a line break or control character"),
        ({"tldr_en": "See <b>this</b>."}, "tldr_en contains HTML"),
    ],
)
def test_markup_is_named_field_by_field(changes: dict[str, object], reason: str) -> None:
    assert rejected(changes)[0] == reason


# ---- technique ids --------------------------------------------------------------------------------


def test_unknown_ids_are_named_in_order_up_to_five() -> None:
    ids = ["a", "b", "c", "d"]
    reasons = rejected({"technique_ids": ids})
    assert reasons == ["unknown technique ids: 'a', 'b', 'c', 'd'"]


# ---- what the first mutation run left alive ------------------------------------------------------


def test_a_brief_exactly_three_tenths_chinese_is_enough() -> None:
    # 6 Chinese characters of 20 letters: the share is 0.3, the least allowed
    parts = {"technique": "量化abcde", "problem": "问题abcde", "result": "结果abcd"}
    assert accepted(parts).result == "结果abcd"


def test_a_brief_a_quarter_chinese_is_not() -> None:
    parts = {"technique": "量化abcdefg", "problem": "问题abcdefg", "result": "结果abcd"}
    assert rejected(parts) == ["the brief is mostly not Chinese"]


def test_parts_without_any_letter_are_not_chinese() -> None:
    reasons = rejected({"technique": "2.5", "problem": "7", "result": "17.3%"})
    assert reasons == [
        "technique is not written in Chinese",
        "problem must be 2 to 120 characters, not 1",
        "result is not written in Chinese",
        "the brief is mostly not Chinese",
    ]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_unicode_line_and_paragraph_separators_are_line_breaks(separator: str) -> None:
    reasons = rejected({"problem": f"推理慢{separator}的问题"})
    assert reasons == ["problem contains a line break or control character"]


def test_an_opening_book_quote_alone_is_refused() -> None:
    assert rejected({"technique": "《量化方法"}) == ["technique contains 《》 quotes"]


@pytest.mark.parametrize(
    ("field", "written", "kept"),
    [
        ("result", "延迟降低17.3%\t的效果", "延迟降低17.3%"),
        ("technique", "使用\t低比特量化方法", "低比特量化方法"),
        ("technique", "使用，低比特量化方法", "低比特量化方法"),
    ],
)
def test_whitespace_and_punctuation_left_by_the_template_words_go_too(
    field: str, written: str, kept: str
) -> None:
    assert getattr(accepted({field: written}), field) == kept


def test_numbers_are_shown_as_written_values_not_exponents() -> None:
    # Decimal("100").normalize() is 1E+2: the message must still say 100
    assert rejected({"problem": "在100个GPU上推理慢的问题"}) == [
        "problem states numbers that are not in the title or abstract: 100"
    ]
    assert rejected({"result": "吞吐提升100倍"}) == [
        "result states numbers that are not in the abstract: 100"
    ]


def test_at_most_five_stray_numbers_are_named_per_field() -> None:
    reasons = rejected({"problem": "在11、12、13、14、15和16个GPU上慢的问题"})
    assert reasons == [
        "problem states numbers that are not in the title or abstract: 11, 12, 13, 14, 15"
    ]


def test_a_reply_built_past_its_schema_is_still_held_to_four_known_ids() -> None:
    reply = BriefReply.model_construct(**{**GOOD_REPLY, "technique_ids": list("abcdef")})
    request = BriefRequest("p", "FastQuant", ABSTRACT, (PKU,), ())
    fields, reasons = check_reply(reply, request, REGISTRY, IDS)
    assert fields is None
    assert reasons == [
        "unknown technique ids: 'a', 'b', 'c', 'd', 'e'",
        "at most 4 technique ids are allowed",
    ]


def test_what_the_record_model_refuses_is_reported_by_field() -> None:
    # a non-character is no control character to the grounding check; the model refuses it
    (reason,) = rejected({"problem": "推理慢\ufffe的问题"})
    assert reason.startswith("problem: Value error, contains the invisible or control character")
    assert "U+FFFE" in reason


def test_markup_in_the_institution_is_named_as_the_institution() -> None:
    reasons = rejected({"institution": "北京大学 www.pku.edu.cn"})
    assert reasons[0] == "institution contains a URL or domain"


def test_an_institution_of_120_characters_is_judged_by_name_not_length() -> None:
    reasons = rejected({"institution": "北" * 120})
    assert reasons == [f"institution {'北' * 120!r} is not one of this paper's (北京大学)"]


def test_the_brief_may_be_320_characters_with_the_institution_but_not_more() -> None:
    # parts of 106, 105 and 105 characters, and 北京大学: 320 in all
    base = {"technique": "量" * 106, "problem": "问" * 105, "result": "果" * 105}
    assert accepted(base).technique == "量" * 106
    longer = {**base, "problem": "问" * 107}
    assert rejected(longer) == ["the brief is longer than 320 characters"]


def test_a_chinese_tldr_is_refused_in_so_many_words() -> None:
    assert rejected({"tldr_en": "一个中文的总结"}) == ["tldr_en must be English"]


@pytest.mark.parametrize("written", ["", "、", " 与 "])
def test_an_institution_with_no_name_in_it_is_empty(written: str) -> None:
    assert "institution is empty" in rejected({"institution": written})


def test_a_registered_name_holding_a_separator_is_not_split() -> None:
    tamu = Institution(id="tamu", en="Texas A&M University", aliases=["Hong Kong and Macau Lab"])
    registry, _ = InstitutionRegistry.build([tamu])
    request = BriefRequest("p", "FastQuant", ABSTRACT, (tamu,), ())
    for written in ("Texas A&M University", "Hong Kong and Macau Lab"):
        reply = BriefReply.model_validate({**GOOD_REPLY, "institution": written})
        fields, reasons = check_reply(reply, request, registry, IDS)
        assert reasons == [] and fields is not None
        assert fields.institution == "Texas A&M University"


def test_a_model_error_inside_a_list_is_located_by_field_and_index() -> None:
    # a caller's list of known ids may hold one the record model refuses: name where it sits
    request = BriefRequest("p", "FastQuant", ABSTRACT, (PKU,), ())
    reply = BriefReply.model_validate({**GOOD_REPLY, "technique_ids": ["quantization", "Bad Id"]})
    fields, reasons = check_reply(reply, request, REGISTRY, IDS | {"Bad Id"})
    assert fields is None
    assert len(reasons) == 1 and reasons[0].startswith("technique_ids.1: ")
