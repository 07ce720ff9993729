"""A technique's description in the site's language: Chinese on the Chinese site, when there is one."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.records.collection import Collection, Paper
from generator.records.models import PaperRecord, Technique, TechniquesFile
from generator.records.registry import InstitutionRegistry
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

HOSTILE = '<script>alert("x")</script> {{ 7*7 }} [a](javascript:alert(1)) &amp;'
TECHS = {
    t.id: t
    for t in (
        Technique(
            id="both",
            zh="双语",
            en="Both",
            description="Store weights in fewer bits.",
            description_zh="用更少的比特存储权重。",
        ),
        Technique(id="english-only", zh="仅英文", en="English Only", description="Only English."),
        Technique(
            id="hostile", zh="恶意", en="Hostile", description="Plain.", description_zh=HOSTILE
        ),
    )
}


def _pages(language: str) -> dict[str, str]:
    registry, _ = InstitutionRegistry.build([])
    papers = {
        tid: Paper(
            id=f"p-{tid}",
            record=PaperRecord(title=f"Title {tid}", added=date(2025, 1, 1), techniques=[tid]),
            source=f"papers/p-{tid}.yaml",
            institutions=(),
            techniques=(TECHS[tid],),
        )
        for tid in TECHS
    }
    collection = Collection(
        data_dir=Path("mem"),
        papers={p.id: p for p in papers.values()},
        reports={},
        institutions=registry,
        techniques=TECHS,
    )
    settings = RenderSettings(language=language)
    return {p.path: p.text for p in render_site(index_site(collection), settings)}


@pytest.fixture(scope="module")
def zh() -> dict[str, str]:
    return _pages("zh")


@pytest.fixture(scope="module")
def en() -> dict[str, str]:
    return _pages("en")


def _lead(page: str) -> str:
    """Return the paragraph under the technique page's heading."""
    match = re.search(r"</h1>\n<p>(.*)</p>\n", page)
    assert match, page
    return match.group(1)


def _meta(page: str) -> str:
    match = re.search(r'^description: "(.*)"$', page, re.MULTILINE)
    assert match, page
    return match.group(1)


def _index_cell(pages: dict[str, str], tid: str) -> str:
    match = re.search(
        rf'<tr><td><a href="{tid}/">.*?</td><td>\d+</td><td>(.*?)</td></tr>',
        pages["techniques/index.md"],
    )
    assert match, pages["techniques/index.md"]
    return match.group(1)


def test_chinese_site_shows_the_chinese_description(zh: dict[str, str]) -> None:
    page = zh["techniques/both/index.md"]
    assert _lead(page) == "用更少的比特存储权重。"
    assert _meta(page) == "用更少的比特存储权重。"
    assert _index_cell(zh, "both") == "用更少的比特存储权重。"
    assert "Store weights in fewer bits." not in page


def test_english_site_shows_the_english_description(en: dict[str, str]) -> None:
    page = en["techniques/both/index.md"]
    assert _lead(page) == "Store weights in fewer bits."
    assert _meta(page) == "Store weights in fewer bits."
    assert _index_cell(en, "both") == "Store weights in fewer bits."
    assert "用更少的比特" not in page
    assert "用更少的比特" not in en["techniques/index.md"]
    # The hostile Chinese line is not shown on the English site at all.
    assert "alert" not in en["techniques/hostile/index.md"]


def test_chinese_site_falls_back_on_the_english_description(zh: dict[str, str]) -> None:
    page = zh["techniques/english-only/index.md"]
    assert _lead(page) == "Only English."
    assert _meta(page) == "Only English."
    assert _index_cell(zh, "english-only") == "Only English."


def test_hostile_chinese_description_is_escaped(zh: dict[str, str]) -> None:
    page = zh["techniques/hostile/index.md"]
    for text in (_lead(page), _meta(page), _index_cell(zh, "hostile")):
        for raw in ("<script", "{{", "[a]("):
            assert raw not in text, (raw, text)
        assert text.startswith("&lt;script&gt;alert(")
        assert "&#123;&#123;" in text
        assert text.endswith("&amp;amp;")  # the entity as written, not an ampersand
    assert "<script" not in page and "{{" not in page


def test_description_zh_is_optional_and_one_line() -> None:
    base = {"id": "q", "zh": "量化", "en": "Quantization", "description": "Fewer bits."}
    plain = TechniquesFile.model_validate({"techniques": [base]})
    assert plain.techniques[0].description_zh is None
    assert plain.techniques[0].description_in("zh") == "Fewer bits."
    with_zh = Technique.model_validate({**base, "description_zh": "更少的比特。"})
    assert with_zh.description_in("zh") == "更少的比特。"
    assert with_zh.description_in("zh-CN") == "更少的比特。"
    assert with_zh.description_in("en") == "Fewer bits."
    for bad in ("第一行\n第二行", 3, ["列表"]):
        with pytest.raises(ValidationError):
            Technique.model_validate({**base, "description_zh": bad})
