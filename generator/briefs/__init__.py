"""LLM briefs: ask Mistral for structured fields, check them against the paper, cache the result."""

from __future__ import annotations

from .client import DEFAULT_MODEL, BriefClient, CallMeter, MistralBriefClient
from .prompt import BRIEF_TEMPLATE, PROMPT_VERSION, BriefReply, render_brief
from .run import BriefRunReport, BriefSettings, enrich_briefs, input_hash

__all__ = [
    "BRIEF_TEMPLATE",
    "DEFAULT_MODEL",
    "PROMPT_VERSION",
    "BriefClient",
    "BriefReply",
    "BriefRunReport",
    "BriefSettings",
    "CallMeter",
    "MistralBriefClient",
    "enrich_briefs",
    "input_hash",
    "render_brief",
]
