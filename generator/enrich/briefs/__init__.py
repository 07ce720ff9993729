"""LLM briefs: ask Mistral for structured fields, check them against the paper, cache the result."""

from __future__ import annotations

from generator.enrich.briefs.client import BriefClient, MistralBriefClient
from generator.enrich.briefs.prompt import BRIEF_TEMPLATE, PROMPT_VERSION, BriefReply, render_brief
from generator.enrich.briefs.run import BriefRunReport, BriefSettings, enrich_briefs, input_hash
from generator.enrich.sources.mistral import DEFAULT_MODEL

__all__ = [
    "BRIEF_TEMPLATE",
    "DEFAULT_MODEL",
    "PROMPT_VERSION",
    "BriefClient",
    "BriefReply",
    "BriefRunReport",
    "BriefSettings",
    "MistralBriefClient",
    "enrich_briefs",
    "input_hash",
    "render_brief",
]
