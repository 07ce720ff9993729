"""Reading a brief written to the report's template into method, problem and effect."""

from __future__ import annotations

import pytest

from generator.records.brief_parts import split_brief

TEMPLATE = (
    "帝国理工学院发布了AdaBlock论文，使用自适应块大小调度器（训练-free、即插即用），"
    "解决了固定块大小导致的解码开销问题，达成了相同吞吐量下准确率提升5.3%的效果。"
)


def test_a_template_brief_splits_into_its_parts() -> None:
    parts = split_brief(TEMPLATE)
    assert parts is not None and parts.template
    assert parts.publisher == "帝国理工学院"
    assert parts.paper == "AdaBlock"
    # a comma inside brackets does not end the method
    assert parts.method == "自适应块大小调度器（训练-free、即插即用）"
    assert parts.problem == "固定块大小导致的解码开销问题"
    assert parts.effect == "相同吞吐量下准确率提升5.3%"


@pytest.mark.parametrize(
    ("brief", "method", "problem", "effect"),
    [
        # 达成 without 了, no full stop
        (
            "X发布了Y论文，使用压缩系统，解决了高延迟问题，达成相同质量下延迟节省2倍的效果",
            "压缩系统",
            "高延迟问题",
            "相同质量下延迟节省2倍",
        ),
        # 通过 instead of 使用, 实现了 instead of 达成了, no 的效果
        (
            "ETH Zürich发布了关于DLGN的论文，通过研究输出层设计，解决了可扩展性问题（此前限于10类），实现了2000类的分类。",
            "研究输出层设计",
            "可扩展性问题（此前限于10类）",
            "2000类的分类",
        ),
        # the effect right after the problem, with commas of its own
        (
            "清华大学发布了CAST论文，使用稀疏训练框架，解决了稀疏模式与权重分离的问题，在2:4稀疏下，困惑度仅增加0.09",
            "稀疏训练框架",
            "稀疏模式与权重分离的问题",
            "在2:4稀疏下，困惑度仅增加0.09",
        ),
        # no effect at all
        (
            "KAIST发布了蒸馏论文，使用CSD技术，解决了logit蒸馏的解空间限制问题。",
            "CSD技术",
            "logit蒸馏的解空间限制问题",
            None,
        ),
    ],
)
def test_briefs_that_stray_from_the_template_give_what_can_be_read(
    brief: str, method: str, problem: str, effect: str | None
) -> None:
    parts = split_brief(brief)
    assert parts is not None and not parts.template
    assert (parts.method, parts.problem, parts.effect) == (method, problem, effect)


@pytest.mark.parametrize(
    "brief",
    [
        "An English summary of the paper.",
        "本文提出了一种新的量化方法。",
        "X发布了Y论文，解决了问题。",  # no method
        "",
    ],
)
def test_other_briefs_have_no_parts(brief: str) -> None:
    assert split_brief(brief) is None
