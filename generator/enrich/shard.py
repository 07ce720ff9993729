"""Split work across runners: `--shard I/N` picks a stable 1/N of the papers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from generator.errors import ConfigError


def parse_shard(spec: str | None) -> tuple[int, int] | None:
    """Parse 'I/N' (1-based) into (I, N); None means all papers."""
    if spec is None:
        return None
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", spec)
    if not match:
        raise ConfigError(f"--shard {spec!r}: write it as I/N, e.g. 2/4")
    index, total = int(match.group(1)), int(match.group(2))
    if not 1 <= index <= total:
        raise ConfigError(f"--shard {spec!r}: I must be between 1 and N")
    return index, total


def in_shard(paper_id: str, shard: tuple[int, int] | None) -> bool:
    """Return True if the paper belongs to the shard; stable across runs and machines."""
    if shard is None:
        return True
    index, total = shard
    digest = hashlib.sha256(paper_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % total == index - 1


def select_shard(paper_ids: Iterable[str], shard: tuple[int, int] | None) -> list[str]:
    """Keep the ids that fall into the shard, in their given order."""
    return [p for p in paper_ids if in_shard(p, shard)]
