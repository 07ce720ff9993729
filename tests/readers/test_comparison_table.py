"""The comparison table of a technique page: one row per paper from its brief's parts, escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.render.context import RenderContext, RenderSettings
from generator.site.render.listings import render_technique

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "site-data"
HOSTILE = "<script>alert('m')</script> {{ 7*7 }} [x](javascript:alert(1)) &amp; \"q\""


def _technique_page(model: SiteModel, tech_id: str, language: str = "zh") -> str:
    ctx = RenderContext(model, RenderSettings(language=language))
    group = next(g for g in model.techniques if g.technique.id == tech_id)
    return render_technique(ctx, group)[0].text


def _table(page: str) -> tuple[list[str], list[list[str]]]:
    table = page.split('<div class="pb-compare pb-sortable">', 1)[1].split("</table>", 1)[0]
    head = re.findall(r'<th scope="col">(.*?)</th>', table)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr><td.*?</tr>", table)]
    return head, rows


def test_a_template_brief_fills_its_row() -> None:
    page = _technique_page(index_site(load_collection(FIXTURE_DATA)), "quantization")
    head, rows = _table(page)
    assert head == ["论文", "方法", "解决的问题", "效果", "机构", "年份"]
    row = next(r for r in rows if "quant-llm" in r[0])
    assert row[1:4] == ["4比特权重量化技术", "大模型显存占用高的问题", "显存减少70%"]
    assert "清华大学" in row[4] and "北京大学" in row[4] and row[5] == "2026"
    # the hostile paper's brief is not template-shaped: dashes, sorted last, explained below
    hostile = next(r for r in rows if "hostile" in r[0])
    assert hostile[1:4] == ["—", "—", "—"]
    assert '<td data-sort="">—</td>' in page
    assert "— 表示简报中没有这一项" in page.split("</table>", 2)[2]


def test_english_headings() -> None:
    page = _technique_page(index_site(load_collection(FIXTURE_DATA)), "quantization", "en")
    head, _ = _table(page)
    assert head == ["Papers", "Method", "Problem solved", "Effect", "Institutions", "Year"]
    assert '<h2 id="compare">Methods compared' in page


def test_brief_parts_are_escaped(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, data)
    record = data / "papers" / "quant-llm.yaml"
    text = record.read_text(encoding="utf-8")
    brief = f"清华大学发布了QuantLLM论文，使用{HOSTILE}技术，解决了{HOSTILE}的问题，达成了{HOSTILE}的效果。"
    quoted = brief.replace("'", "''")
    text = re.sub(r"^brief: .*$", f"brief: '{quoted}'", text, flags=re.M)
    record.write_text(text, encoding="utf-8")
    page = _technique_page(index_site(load_collection(data)), "quantization")
    _, rows = _table(page)
    row = next(r for r in rows if "quant-llm" in r[0])
    for cell in row[1:4]:
        assert "<" not in cell and "{{" not in cell and "](" not in cell, cell
        assert "&lt;script&gt;" in cell and "&amp;amp;" in cell
    assert "<script>" not in page
