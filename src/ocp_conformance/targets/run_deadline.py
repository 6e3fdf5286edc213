"""The whole-run time limit: how long is left, and the reason reported for the checks it leaves unrun."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["RUN_LIMIT_REASON", "RunDeadline", "RunDeadlineReached"]

RUN_LIMIT_REASON = "not run: the run time limit"
"""How every reason the limit causes starts (readiness reads ``stopped_early`` from it)."""


class RunDeadlineReached(Exception):
    """The run's time limit passed: the check in progress (and every later one) is *not run*, never failed.

    Deliberately not an ``httpx.TransportError`` or ``AssertionError``: it is neither the target's failure
    nor a crash of ours.
    """


@dataclass(slots=True)
class RunDeadline:
    """``seconds`` from the moment it is made (``None``: no limit).

    Example:
        >>> deadline = RunDeadline(60.0)
        >>> deadline.expired()
        False
    """

    seconds: float | None
    clock: Callable[[], float] = time.monotonic
    started: float = field(init=False)

    def __post_init__(self) -> None:
        if self.seconds is not None and self.seconds <= 0:
            raise ValueError(f"the run time limit must be positive seconds; received {self.seconds}")
        self.started = self.clock()

    def remaining(self) -> float | None:
        """Seconds left (never below 0), or ``None`` without a limit."""
        if self.seconds is None:
            return None
        return max(0.0, self.started + self.seconds - self.clock())

    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def reason(self) -> str:
        """The one-line reason given for each check the limit left unrun."""
        return f"{RUN_LIMIT_REASON} ({self.seconds:g} s, --run-timeout) was reached before this check finished"

    def check(self) -> None:
        """Raise :class:`RunDeadlineReached` once the limit has passed."""
        if self.expired():
            raise RunDeadlineReached(self.reason())
