"""A Mistral-compatible chat endpoint on 127.0.0.1 that counts requests and answers from a script."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loopback import Reply as Answer
from loopback import serve_json

# Letters only, so no digit-grounding rule rejects it by luck: only a real defence keeps it out.
CANARY = "sk-CANARY-qzvxwkjbfhgmtplrsndcyeuoai"

ABSTRACT = (
    "We present QuickQuant, a weight quantization method for serving large language models. "
    "It reduces decoding latency by 21.5% and weight memory by 3x with no loss in accuracy."
)
GOOD = {
    "institution": "北京大学",
    "technique": "面向大模型推理的权重量化方法QuickQuant",
    "problem": "大模型解码延迟高且显存占用大的问题",
    "result": "解码延迟降低21.5%、权重显存减少3倍且精度无损",
    "technique_ids": ["quantization"],
    "tldr_en": "QuickQuant quantizes weights to cut decoding latency by 21.5%.",
}


def paper_yaml(title: str) -> str:
    """Return a valid record (PKU, quantization) whose abstract grounds GOOD."""
    return (
        f"title: {json.dumps(title)}\ninstitutions: [Peking University]\n"
        f"techniques: [quantization]\nadded: 2025-10-15\nabstract: {json.dumps(ABSTRACT)}\n"
    )


def write_quickquant_data(data: Path, paper_ids: list[str], *, report: bool) -> Path:
    """Write a small data directory: one technique, one institution, QuickQuant papers by id,
    and (if asked) one report holding them all."""
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    (data / "techniques.yaml").write_text(
        "techniques:\n  - {id: quantization, zh: 量化, en: Quantization,"
        " description: Fewer bits.}\n",
        "utf-8",
    )
    (data / "institutions.yaml").write_text(
        "institutions:\n  - {id: pku, en: Peking University, zh: 北京大学, aliases: [PKU]}\n",
        "utf-8",
    )
    for i, paper_id in enumerate(paper_ids):
        (data / "papers" / f"{paper_id}.yaml").write_text(paper_yaml(f"QuickQuant {i}"), "utf-8")
    if report:
        (data / "reports" / "r.yaml").write_text(
            "title: A report\ngenerated: 2025-10-15 10:00:00\npapers: ["
            + ", ".join(paper_ids)
            + "]\n",
            "utf-8",
        )
    return data


def completion(fields: dict[str, Any]) -> dict[str, Any]:
    """Return a chat completion whose message content is the JSON of `fields`."""
    return {
        "id": "cmpl-hostile",
        "object": "chat.completion",
        "model": "mistral-small-2506",
        "created": 1760000000,
        "usage": {"prompt_tokens": 100, "completion_tokens": 30, "total_tokens": 130},
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": json.dumps(fields, ensure_ascii=False)},
            }
        ],
    }


Script = Callable[[int, dict[str, Any]], Answer]


@dataclass
class FakeMistral:
    """Counts requests, remembers their headers, answers from `script`."""

    script: Script = field(default=lambda n, body: Answer(body=completion(GOOD)))
    requests: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def calls(self) -> int:
        """Return how many requests arrived."""
        return len(self.requests)

    def answer(self, headers: dict[str, str], body: dict[str, Any]) -> Answer:
        """Record one request and choose its answer."""
        with self.lock:
            self.requests.append(headers)
            n = len(self.requests) - 1
        return self.script(n, body)


def serve(fake: FakeMistral) -> AbstractContextManager[str]:
    """Serve `fake` on 127.0.0.1; the context yields its base URL."""
    return serve_json(fake.answer)
