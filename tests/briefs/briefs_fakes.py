"""Fakes at the Mistral HTTP boundary: a MockTransport handler and a local HTTP server."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2
from loopback import Reply, serve_json

from generator.enrich.briefs import MistralBriefClient

CANARY = "sk-CANARY-7f3e9c1b5a2d4e6f8091a2b3c4d5e6f7"

GOOD_REPLY: dict[str, Any] = {
    "institution": "北京大学",
    "technique": "面向大模型服务的低比特量化方法FastQuant",
    "problem": "大模型推理延迟高、显存占用大的问题",
    "result": "延迟降低17.3%、显存减少2.5倍且精度无损",
    "technique_ids": ["quantization"],
    "tldr_en": "FastQuant cuts serving latency by 17.3% with low-bit weights.",
}

ABSTRACT = (
    "We present FastQuant, a low-bit quantization method for serving large language models. "
    "On LLaMA-2 7B it reduces latency by 17.3% and memory by 2.5x without accuracy loss."
)


def paper_yaml(title: str, abstract: str | None = ABSTRACT, **extra: str) -> str:
    """Return a valid paper record (institution PKU, technique quantization)."""
    lines = [
        f"title: {json.dumps(title, ensure_ascii=False)}",
        "institutions: [Peking University]",
        "techniques: [quantization]",
        "added: 2025-10-15",
    ]
    if abstract is not None:
        lines.append(f"abstract: {json.dumps(abstract, ensure_ascii=False)}")
    lines += [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def add_paper(data: Path, paper_id: str, title: str | None = None, **kwargs: Any) -> None:
    """Write data/papers/<id>.yaml."""
    text = paper_yaml(title or f"FastQuant {paper_id}", **kwargs)
    (data / "papers" / f"{paper_id}.yaml").write_text(text, encoding="utf-8")


def completion(
    content: Any, prompt_tokens: int = 120, completion_tokens: int = 40
) -> dict[str, Any]:
    """Return a chat completion body whose message content is `content` (JSON-encoded if not str)."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    return {
        "id": "cmpl-test",
        "object": "chat.completion",
        "model": "mistral-small-2506",
        "created": 1760000000,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": text},
            }
        ],
    }


Script = Callable[[dict[str, Any], int], Reply]


def title_of(body: dict[str, Any]) -> str:
    """Return the paper title inside the user message of a chat request."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    match = re.search(r"^Title: (.*)$", user, re.MULTILINE)
    return match.group(1) if match else ""


def always(reply: dict[str, Any] | None = None) -> Script:
    """Answer every request with the same valid completion."""
    return lambda body, n: Reply(body=completion(reply or GOOD_REPLY))


def sequence(*replies: Reply) -> Script:
    """Answer the n-th request with the n-th reply (the last one repeats)."""
    return lambda body, n: replies[min(n, len(replies) - 1)]


@dataclass
class FakeMistral:
    """A fake chat-completions endpoint; records each request body and its headers."""

    script: Script = field(default_factory=always)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def respond(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        """Record a request and return the scripted reply for it."""
        self.bodies.append(body)
        self.headers.append(headers)
        return self.script(body, len(self.bodies) - 1)

    def handler(self, request: httpx2.Request) -> httpx2.Response:
        """Serve a request made through httpx2.MockTransport."""
        reply = self.respond(json.loads(request.content), dict(request.headers))
        if reply.body is None:
            return httpx2.Response(reply.status, headers=reply.headers)
        if isinstance(reply.body, str):
            return httpx2.Response(reply.status, text=reply.body, headers=reply.headers)
        return httpx2.Response(reply.status, json=reply.body, headers=reply.headers)

    @property
    def calls(self) -> int:
        """Return how many requests arrived."""
        return len(self.bodies)


def make_client(
    fake: FakeMistral, sleeps: list[float] | None = None, **options: Any
) -> MistralBriefClient:
    """Return the real SDK-backed client talking to `fake` through a MockTransport."""
    record = sleeps if sleeps is not None else []
    return MistralBriefClient(
        api_key=options.pop("api_key", CANARY),
        http_client=httpx2.Client(transport=httpx2.MockTransport(fake.handler)),
        sleep=record.append,
        **options,
    )


def local_server(fake: FakeMistral) -> AbstractContextManager[str]:
    """Serve `fake` on 127.0.0.1 over real HTTP; the context yields the base URL."""
    return serve_json(lambda headers, body: fake.respond(body, headers))
