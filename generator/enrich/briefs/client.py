"""What the brief stage asks of an LLM, and the Mistral client that answers it."""

from __future__ import annotations

from typing import Protocol

from generator.enrich.briefs.prompt import BriefReply
from generator.enrich.calls import CallMeter
from generator.enrich.sources.mistral import Answer, MistralClient

TEMPERATURE = 0.2
MAX_REPLY_TOKENS = 800


class BriefClient(Protocol):
    """What the brief stage needs from an LLM service."""

    def ask(self, messages: list[dict[str, str]], meter: CallMeter) -> Answer[BriefReply]:
        """Send one chat request (retrying transient failures) and return the structured answer."""
        ...

    def close(self) -> None:
        """Release network resources."""
        ...


class MistralBriefClient(MistralClient):
    """The Mistral client, asking for a BriefReply."""

    def ask(self, messages: list[dict[str, str]], meter: CallMeter) -> Answer[BriefReply]:
        """Ask for a brief's fields (retrying 429, 5xx and network failures)."""
        return self.parse(
            BriefReply, messages, meter, temperature=TEMPERATURE, max_tokens=MAX_REPLY_TOKENS
        )
