"""A generated brief is shown only while it was made from what the record says now."""

from __future__ import annotations

from pathlib import Path

from briefs_fakes import CANARY, GOOD_REPLY, FakeMistral, add_paper, make_client

from generator.enrich.briefs import BriefSettings, enrich_briefs
from generator.records.collection import Paper
from generator.records.load import load_collection
from generator.records.store import read_enrichment, save_enrichment
from generator.site.index import index_site
from generator.site.render import RenderSettings, render_site

SETTINGS = BriefSettings(api_key=CANARY)
TITLE = "FastQuant: Low-Bit Serving"


def _enrich(data: Path) -> list[str]:
    fake = FakeMistral()
    report = enrich_briefs(data, SETTINGS, client=make_client(fake, model=SETTINGS.model))
    assert report.ok
    return report.generated


def _paper(data: Path) -> Paper:
    return load_collection(data).papers["fastquant"]


def _site_text(data: Path) -> str:
    pages = render_site(index_site(load_collection(data)), RenderSettings(language="zh"))
    return "\n".join(page.text for page in pages)


def test_an_edited_title_hides_the_brief_until_it_is_regenerated(data_dir: Path) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    assert _enrich(data_dir) == ["fastquant"]
    shown = _paper(data_dir)
    brief = shown.brief_text
    assert brief is not None and f"《{TITLE}》" in brief and not shown.brief_pending
    assert shown.tldr == GOOD_REPLY["tldr_en"]
    assert brief in _site_text(data_dir)

    # the stored brief names the old title: it must not be published under the new one
    add_paper(data_dir, "fastquant", title="FastQuant: Low-Bit Serving at Scale")
    stale = _paper(data_dir)
    assert stale.brief_text is None and stale.generated_brief is None and stale.tldr is None
    assert stale.brief_pending
    assert brief not in _site_text(data_dir)

    add_paper(data_dir, "fastquant", title=TITLE)
    restored = _paper(data_dir)
    assert restored.brief_text == brief and not restored.brief_pending
    assert brief in _site_text(data_dir)


def test_enrich_regenerates_a_stale_brief(data_dir: Path) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    assert _enrich(data_dir) == []  # current: no call
    add_paper(data_dir, "fastquant", title="FastQuant Revisited")
    assert _paper(data_dir).brief_pending

    assert _enrich(data_dir) == ["fastquant"]
    fresh = _paper(data_dir)
    assert fresh.brief_text is not None and "《FastQuant Revisited》" in fresh.brief_text
    assert not fresh.brief_pending


def test_a_registry_edit_that_changes_the_inputs_makes_the_brief_stale(data_dir: Path) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    registry = data_dir / "institutions.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8").replace("zh: 北京大学", "zh: 北大"), encoding="utf-8"
    )
    assert _paper(data_dir).brief_pending


def test_a_new_technique_in_the_registry_leaves_every_brief_shown_and_asks_nothing(
    data_dir: Path,
) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    brief = _paper(data_dir).brief_text
    registry = data_dir / "techniques.yaml"
    registry.write_text(
        registry.read_text(encoding="utf-8")
        + "  - id: speculative-decoding\n    zh: 投机解码\n    en: Speculative decoding\n"
        + "    description: Draft tokens cheaply, verify them in one pass.\n",
        encoding="utf-8",
    )
    assert "speculative-decoding" in load_collection(data_dir).techniques
    shown = _paper(data_dir)
    assert shown.brief_text == brief and not shown.brief_pending
    assert _enrich(data_dir) == []  # nothing to buy again


def test_a_persons_brief_wins_whatever_the_generated_one(data_dir: Path) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    add_paper(data_dir, "fastquant", title="Renamed", brief="一句人工撰写的简报。")
    paper = _paper(data_dir)
    assert paper.brief_text == "一句人工撰写的简报。"
    assert paper.generated_brief is None and not paper.brief_pending


def test_no_brief_is_pending_when_the_record_cannot_have_one(data_dir: Path) -> None:
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    add_paper(data_dir, "fastquant", title=TITLE, abstract=None)
    paper = _paper(data_dir)
    assert paper.brief_text is None and not paper.brief_pending


def test_a_brief_made_with_an_older_prompt_stays_current_for_the_site(data_dir: Path) -> None:
    # the site compares the inputs with the model and prompt version the brief was made with;
    # `enrich --briefs` redoes it for a new prompt version, the page need not wait for that
    add_paper(data_dir, "fastquant", title=TITLE)
    _enrich(data_dir)
    paper = _paper(data_dir)
    stored = read_enrichment(data_dir, "fastquant").brief
    assert stored is not None and paper.brief_inputs is not None
    older = stored.model_copy(
        update={
            "prompt_version": "brief-v0",
            "input_hash": paper.brief_inputs.input_hash(stored.model, "brief-v0"),
        }
    )
    save_enrichment(data_dir, "fastquant", brief=older)
    assert _paper(data_dir).brief_text == stored.text
