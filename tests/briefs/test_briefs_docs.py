"""docs/briefs.md stays true to the code it describes."""

from __future__ import annotations

from pathlib import Path

from generator.enrich.briefs import (
    BRIEF_TEMPLATE,
    DEFAULT_MODEL,
    PROMPT_VERSION,
    BriefSettings,
    grounding,
)
from generator.enrich.sources.mistral import MistralClient

DOC = (Path(__file__).resolve().parents[2] / "docs" / "briefs.md").read_text(encoding="utf-8")


def test_doc_names_the_current_prompt_model_and_template() -> None:
    assert f"`{PROMPT_VERSION}`" in DOC
    assert f"`{DEFAULT_MODEL}`" in DOC
    assert BRIEF_TEMPLATE in DOC


def test_doc_states_the_limits_the_code_uses() -> None:
    settings = BriefSettings(api_key="x")
    client = MistralClient.__dataclass_fields__
    assert f"{settings.timeout_s:g} s limit" in DOC
    assert f"{settings.max_attempts} attempts" in DOC
    assert f"more than {settings.max_wait_s:g} s" in DOC
    assert client["backoff_s"].default == 2.0 and "(2 s, 4 s, 8 s)" in DOC
    assert f"{grounding.MIN_PART} to {grounding.MAX_PART} characters" in DOC
    assert f"at most {grounding.MAX_SENTENCE_WITHOUT_TITLE}" in DOC
    assert f"at least {round(grounding.MIN_CJK_SHARE * 100)}%" in DOC
    assert settings.max_service_failures_in_row == 3 and "three papers in a row" in DOC
