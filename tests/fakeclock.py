"""A monotonic clock for pacing tests: it moves only when something sleeps on it (or a test moves it)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeClock:
    """Call it for the time; `sleep` records the wait and moves the time on by it."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
