"""Account for one run's calls to an outside service: cap, pacing, deadline and breaker."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Literal

StopKind = Literal["stopped", "budget", "time", "breaker", "refused", "outage"]


class StopRun(Exception):
    """The run must stop asking: no further call may be made."""

    kind: ClassVar[StopKind] = "stopped"


class BudgetExhausted(StopRun):
    """The run may make no more calls (--max-calls, --max-lookups)."""

    kind: ClassVar[StopKind] = "budget"


class DeadlineReached(StopRun):
    """The run's time limit is reached: no call may start."""

    kind: ClassVar[StopKind] = "time"


class CircuitOpen(StopRun):
    """Several calls in a row got no answer at all: the network or the service is down."""

    kind: ClassVar[StopKind] = "breaker"

    def __init__(self, message: str, last_reason: str) -> None:
        super().__init__(message)
        self.last_reason = last_reason


class Refused(StopRun):
    """The service refused this run (its credentials): every further call would fail the same way."""

    kind: ClassVar[StopKind] = "refused"


@dataclass
class CallMeter:
    """Count one run's calls and enforce its cap, pacing, time limit and breaker.

    A source calls `before_call()` before each request, then `answered()` when a response came
    back (an HTTP error is an answer) or `no_answer(reason)` when none did (refused connection,
    timeout, a killed worker). Only answered calls count as made and against the cap; calls in a
    row without an answer open the breaker.
    """

    limit: int | None = None
    # pause after each call before the next one starts; each pause adds up to
    # `jitter` times itself again at random
    gap_s: float = 0.0
    jitter: float = 0.0
    time_limit_s: float | None = None
    max_unanswered_in_row: int | None = None
    service: str = "the service"
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    rand: Callable[[], float] = random.random
    calls: int = 0
    unanswered: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    _started: float = field(default=0.0, init=False, repr=False)
    _attempted: bool = field(default=False, init=False, repr=False)
    _in_row: int = field(default=0, init=False, repr=False)
    _last_reason: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        self._started = self.clock()

    def time_left(self) -> float | None:
        """Return the seconds left before the run's time limit, or None without a limit."""
        if self.time_limit_s is None:
            return None
        return self.time_limit_s - (self.clock() - self._started)

    def check(self) -> None:
        """Raise the reason the run may make no further call, if there is one."""
        if self.limit is not None and self.calls >= self.limit:
            raise BudgetExhausted(f"the limit of {self.limit} calls is reached")
        if self.max_unanswered_in_row is not None and self._in_row >= self.max_unanswered_in_row:
            raise CircuitOpen(
                f"{self._in_row} calls in a row got no answer from {self.service}"
                f" (last: {self._last_reason}); check the network connection and the"
                " service's address, then run the same command again",
                self._last_reason,
            )
        left = self.time_left()
        if left is not None and left <= 0:
            raise DeadlineReached(self._deadline_message())

    def before_call(self) -> None:
        """Wait for the call's turn, or raise StopRun when it may not be made."""
        self.check()
        pause = self.gap_s * (1 + self.rand() * self.jitter) if self._attempted else 0.0
        left = self.time_left()
        if left is not None and left <= pause:
            raise DeadlineReached(self._deadline_message())
        if pause > 0:
            self.sleep(pause)
        self._attempted = True

    def wait_before_retry(
        self, seconds: float, sleep: Callable[[float], None] | None = None
    ) -> None:
        """Sleep before retrying a failed call, or raise StopRun when the run may not retry."""
        self.check()
        left = self.time_left()
        if left is not None and seconds >= left:
            raise DeadlineReached(self._deadline_message())
        if seconds > 0:
            (sleep or self.sleep)(seconds)

    def answered(self, tokens_in: int = 0, tokens_out: int = 0) -> None:
        """Record a call the service answered (whatever the answer said)."""
        self.calls += 1
        self.tokens_in += tokens_in
        self.tokens_out += tokens_out
        self._in_row = 0

    def no_answer(self, reason: str) -> None:
        """Record a call that got no answer at all (unreachable, timed out, killed)."""
        self.unanswered += 1
        self._in_row += 1
        self._last_reason = reason

    def _deadline_message(self) -> str:
        return f"the run's time limit of {self.time_limit_s:g} s is reached"
