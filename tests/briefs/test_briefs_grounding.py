"""Grounding rules: a reply becomes a brief only when the paper supports it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from briefs_fakes import ABSTRACT, GOOD_REPLY

from generator.enrich.briefs.grounding import check_reply, numbers_in
from generator.enrich.briefs.prompt import BriefReply, BriefRequest, render_brief
from generator.records.models import Institution
from generator.records.registry import InstitutionRegistry

PKU = Institution(id="pku", en="Peking University", zh="北京大学", aliases=["PKU"])
HKU = Institution(id="hku", en="The University of Hong Kong", zh="香港大学", aliases=["HKU"])
KAIST = Institution(id="kaist", en="KAIST")
NYU = Institution(id="nyu", en="New York University", zh="纽约大学")
REGISTRY, _ = InstitutionRegistry.build([PKU, HKU, KAIST, NYU])
IDS = frozenset({"quantization", "sparse-attention"})


def check(changes: dict[str, object], institutions: tuple[Institution, ...] = (PKU,)):
    request = BriefRequest("p", "FastQuant", ABSTRACT, institutions, ())
    return check_reply(BriefReply.model_validate({**GOOD_REPLY, **changes}), request, REGISTRY, IDS)


def test_a_grounded_reply_is_accepted() -> None:
    fields, reasons = check({})
    assert reasons == [] and fields is not None
    assert render_brief(fields, "FastQuant").startswith("北京大学发布了《FastQuant》论文，使用")


def test_numbers_are_compared_as_values() -> None:
    assert numbers_in("１７.３％, 1,000 tokens, 2.50x, LLaMA-2 7B") == {
        Decimal("17.3"),
        Decimal("1000"),
        Decimal("2.5"),
        Decimal("2"),
        Decimal("7"),
    }


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"result": "延迟降低18%"}, "not in the abstract: 18"),
        ({"problem": "在32个GPU上推理慢的问题"}, "problem states numbers"),
        ({"tldr_en": "It is 40% faster."}, "tldr_en states numbers"),
        ({"result": "latency drops by 17.3 percent"}, "result is not written in Chinese"),
        ({"technique": "见 https://evil.example/x 的方法"}, "technique contains a URL"),
        ({"technique": "访问 evil.com 的方法"}, "technique contains a URL"),
        ({"problem": "<script>alert(1)</script>问题"}, "problem contains HTML"),
        ({"result": "**延迟降低17.3%**"}, "result contains Markdown"),
        ({"result": "[延迟降低](x)17.3%"}, "result contains Markdown"),
        ({"technique": "《另一篇论文》中的方法"}, "technique contains 《》"),
        ({"result": "延迟降低\n17.3%"}, "result contains a line break"),
        ({"technique": "量" * 130}, "technique must be 2 to 120 characters"),
        ({"institution": "清华大学"}, "institution '清华大学' is not one of this paper's"),
        ({"institution": "香港大学"}, "institution '香港大学' is not one of this paper's"),
        ({"technique_ids": ["quantization", "made-up"]}, "unknown technique ids: 'made-up'"),
        ({"tldr_en": "一个中文的总结"}, "tldr_en must be English"),
    ],
)
def test_rejections_say_why(changes: dict[str, object], reason: str) -> None:
    fields, reasons = check(changes)
    assert fields is None
    assert any(reason in r for r in reasons), reasons


def test_more_than_four_technique_ids_fail_the_schema() -> None:
    with pytest.raises(ValueError):
        BriefReply.model_validate({**GOOD_REPLY, "technique_ids": ["a", "b", "c", "d", "e"]})


@pytest.mark.parametrize(
    ("written", "institutions", "expected"),
    [
        ("北京大学", (PKU,), "北京大学"),
        ("Peking University", (PKU,), "北京大学"),
        ("PKU", (PKU,), "北京大学"),
        ("香港大学、北京大学", (HKU, PKU), "香港大学、北京大学"),
        ("HKU and Peking University", (HKU, PKU), "香港大学、北京大学"),
        ("KAIST", (KAIST,), "KAIST"),
        ("KAIST, Inc.与NYU", (KAIST, NYU), "KAIST、纽约大学"),
        ("研究团队", (), "研究团队"),
    ],
)
def test_institutions_match_the_record_and_take_the_registry_name(
    written: str, institutions: tuple[Institution, ...], expected: str
) -> None:
    fields, reasons = check({"institution": written}, institutions)
    assert reasons == [] and fields is not None and fields.institution == expected


def test_a_paper_without_institutions_must_say_research_team() -> None:
    fields, reasons = check({"institution": "北京大学"}, ())
    assert fields is None and "研究团队" in reasons[0]


def test_duplicate_technique_ids_are_merged() -> None:
    fields, _ = check({"technique_ids": ["quantization", "quantization"]})
    assert fields is not None and fields.technique_ids == ["quantization"]
