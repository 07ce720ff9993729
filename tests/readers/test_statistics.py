"""The statistics page: right tallies, bounded size at scale, charts that parse and stay inert."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from synthetic import synthetic_collection

from generator.records.load import load_collection
from generator.site.index import SiteModel, index_site
from generator.site.render.charts import Bar, bar_chart, clip, column_chart, heat_map, text_width
from generator.site.render.context import RenderContext as Renderer
from generator.site.render.context import RenderSettings
from generator.site.render.stats import (
    MATRIX_INSTITUTIONS,
    MATRIX_TECHNIQUES,
    TIMELINE_LIMIT,
    TOP_INSTITUTIONS,
    TOP_TECHNIQUES,
    render_statistics,
    tally_statistics,
)

FIXTURE_DATA = Path(__file__).resolve().parents[1] / "fixtures" / "site-data"
SVG = re.compile(r"<svg .*?</svg>", re.DOTALL)


def _page(model: SiteModel, language: str = "zh") -> str:
    return render_statistics(model, Renderer(model, RenderSettings(language=language))).text


def test_fixture_tallies() -> None:
    model = index_site(load_collection(FIXTURE_DATA))
    st = tally_statistics(model)
    assert [(g.technique.id, len(g.papers)) for g in st.techniques] == [
        ("pruning", 2),
        ("quantization", 2),
        ("kv-cache", 1),
        ("post-training-quantization", 1),
    ]
    assert st.technique_others == (0, 0)
    assert st.matrix_rows[0].institution.id == "tsinghua-university"
    tsinghua = dict(zip([g.technique.id for g in st.matrix_columns], st.matrix[0], strict=True))
    assert tsinghua == {
        "pruning": 1,
        "quantization": 2,
        "kv-cache": 1,
        "post-training-quantization": 1,
    }
    assert [(p.label, p.papers) for p in st.timeline] == [("2025-10-15", 3), ("2025-11-02", 2)]
    assert st.timeline_unit == "report"
    assert dict(st.author_buckets)["2"] == 3 and dict(st.author_buckets)["3"] == 1
    assert st.authors_unknown == 1


def test_page_has_five_charts_each_with_a_table() -> None:
    model = index_site(load_collection(FIXTURE_DATA))
    text = _page(model)
    charts = SVG.findall(text)
    assert len(charts) == 5
    # every chart is followed by a data table before the next heading
    sections = text.split("<h2 ")[1:]
    assert len(sections) == 5
    for section in sections:
        assert "<svg " in section and "<table>" in section.split("</svg>")[1], section[:40]
    assert (
        '<a href="../institutions/tsinghua-university/">清华大学 (Tsinghua University)</a>' in text
    )


def test_charts_are_well_formed_svg_with_hostile_labels_escaped() -> None:
    model = index_site(load_collection(FIXTURE_DATA))
    for svg in SVG.findall(_page(model)):
        # numeric character references only (no HTML named entities): XML parses it as is
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-labelledby")
        assert root.get("fill") == "currentColor"
        for element in root.iter():
            assert not any(name.startswith("on") for name in element.attrib)
            assert element.tag.split("}")[-1] not in {"script", "foreignObject", "a", "image"}
    assert "<script" not in _page(model).split("---", 2)[2].replace("&lt;script", "")


def test_page_stays_bounded_at_scale() -> None:
    small = index_site(synthetic_collection(200))
    large = index_site(synthetic_collection(2000))
    st = tally_statistics(large)
    assert len(st.techniques) == TOP_TECHNIQUES and st.technique_others[0] > 0
    assert len(st.institutions) == TOP_INSTITUTIONS and st.institution_others[0] > 0
    assert len(st.matrix_rows) == MATRIX_INSTITUTIONS
    assert len(st.matrix_columns) == MATRIX_TECHNIQUES
    assert len(st.timeline) <= TIMELINE_LIMIT and st.timeline_unit == "month"
    # others counts each paper once
    rest = {p.id for g in large.techniques[TOP_TECHNIQUES:] for p in g.papers}
    assert st.technique_others[1] == len(rest)
    small_page, large_page = _page(small), _page(large)
    assert len(large_page) < 1.2 * len(small_page) + 2000
    assert len(large_page.encode()) < 80_000


def test_english_statistics_page() -> None:
    model = index_site(load_collection(FIXTURE_DATA))
    text = _page(model, "en")
    assert "<h1>Statistics</h1>" in text and '>Papers per technique<a class="headerlink"' in text
    assert ">Quantization<" in text


def test_labels_are_clipped_to_fit() -> None:
    assert clip("short", 100) == "short"
    long = clip("一个非常非常非常非常长的机构名称", 80)
    assert long.endswith("…") and text_width(long) <= 80


_NS = "{http://www.w3.org/2000/svg}"
_LENGTHS = ("x", "y", "width", "height", "x1", "y1", "x2", "y2")


def _drawn(svg: str) -> dict[str, list[ET.Element]]:
    """Parse a chart; check its frame; return its elements by class."""
    root = ET.fromstring(svg)
    assert root.tag == _NS + "svg"
    width, height = float(root.attrib["width"]), float(root.attrib["height"])
    assert width > 0 and height > 0
    assert root.attrib["viewBox"] == f"0 0 {root.attrib['width']} {root.attrib['height']}"
    title = root.find(_NS + "title")
    assert title is not None and title.text == "t"
    assert root.attrib["aria-labelledby"] == title.attrib["id"] == "c-title"
    by_class: dict[str, list[ET.Element]] = {}
    assert root.attrib["class"] == "pb-chart"
    for element in root.iter():
        if element is root:
            continue
        for name in _LENGTHS:
            if name in element.attrib:
                value = float(element.attrib[name])  # no nan or inf from a zero maximum
                assert math.isfinite(value) and value >= 0, (element.attrib, name)
                limit = width if name.startswith("x") or name == "width" else height
                assert value <= limit, (element.attrib, name)
        if "class" in element.attrib:
            by_class.setdefault(element.attrib["class"], []).append(element)
    return by_class


def test_an_empty_bar_chart_is_a_titled_empty_frame() -> None:
    assert _drawn(bar_chart("c", "t", [])) == {}


def test_a_zero_column_is_drawn_flat_with_its_value_and_label() -> None:
    drawn = _drawn(column_chart("c", "t", [Bar("2025-01", 0)]))
    (bar,) = drawn["pb-chart__bar"]
    assert float(bar.attrib["height"]) == 0
    assert [v.text for v in drawn["pb-chart__value"]] == ["0"]
    assert [label.text for label in drawn["pb-chart__label"]] == ["2025-01"]
    assert len(drawn["pb-chart__axis"]) == 1


def test_a_zero_cell_is_an_empty_cell_without_a_value() -> None:
    drawn = _drawn(heat_map("c", "t", ["a"], ["b"], [[0]]))
    assert len(drawn["pb-chart__empty"]) == 1
    assert "pb-chart__cell" not in drawn and "pb-chart__value" not in drawn
    assert sorted(label.text or "" for label in drawn["pb-chart__label"]) == ["a", "b"]


def test_bars_are_scaled_to_the_largest_value() -> None:
    drawn = _drawn(bar_chart("c", "t", [Bar("one", 1), Bar("four", 4), Bar("none", 0)]))
    widths = [float(bar.attrib["width"]) for bar in drawn["pb-chart__bar"]]
    assert widths[1] > 0 and widths == [widths[1] / 4, widths[1], 0]
    assert [v.text for v in drawn["pb-chart__value"]] == ["1", "4", "0"]
    assert [label.text for label in drawn["pb-chart__label"]] == ["one", "four", "none"]


def _section(page: str, anchor: str) -> str:
    return page.split(f'<h2 id="{anchor}">', 1)[1].split("<h2 ", 1)[0]


def test_the_rest_is_a_table_row_and_a_note_never_a_bar() -> None:
    """Summed over many, the rest would dwarf the bars (13 others with 12 papers beside 3)."""
    model = index_site(synthetic_collection(2000))
    st = tally_statistics(model)
    for language, others_word in (("zh", "其他"), ("en", "others")):
        page = _page(model, language)
        for anchor, groups, others in (
            ("per-technique", st.techniques, st.technique_others),
            ("per-institution", st.institutions, st.institution_others),
        ):
            section = _section(page, anchor)
            svg = SVG.findall(section)[0]
            drawn = _drawn_bars(svg)
            top = TOP_TECHNIQUES if "technique" in anchor else TOP_INSTITUTIONS
            assert len(drawn) == len(groups) == top
            assert others_word not in svg
            # the longest bar is the largest group's, not the others' sum
            assert max(drawn) == len(groups[0].papers)
            note = section.split("</figure>", 1)[1].split("<table>", 1)[0]
            assert f"{others[0]}" in note and f"{others[1]}" in note, note
            assert 'class="pb-figure__note"' in note
            last_row = section.split("<tr>")[-1]
            assert others_word in last_row and f">{others[1]}<" in last_row, last_row


def _drawn_bars(svg: str) -> list[float]:
    """Return the value label beside each bar of a bar chart, in order."""
    root = ET.fromstring(svg)
    bars = [e for e in root.iter() if e.attrib.get("class") == "pb-chart__bar"]
    values = [e for e in root.iter() if e.attrib.get("class") == "pb-chart__value"]
    assert len(bars) == len(values)
    return [float(e.text or "nan") for e in values]


def test_a_few_groups_get_no_note() -> None:
    page = _page(index_site(load_collection(FIXTURE_DATA)))
    assert "pb-figure__note" not in page and "其他" not in page
