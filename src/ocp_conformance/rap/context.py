"""What the validator may ask the outside world about a record: a pluggable ``RecordContext``.

The file validator checks layout rules on its own. Whether an announcement id names a real corporate-action
event, and whether a participant holds enough stock, depend on the system receiving the file; the simulator
(or any caller) supplies that knowledge by passing an object with these two methods. With no context those
two checks are skipped, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["CaEvent", "RecordContext"]


@dataclass(frozen=True, slots=True)
class CaEvent:
    """A corporate-action event as the validator needs it: its id and the stock instructions must quote."""

    announcement_id: str
    stock_code: str


class RecordContext(Protocol):
    """Knowledge of the receiving system; see :func:`ocp_conformance.rap.validate`.

    Example:
        >>> class Demo:
        ...     def event(self, announcement_id: str) -> CaEvent | None:
        ...         return CaEvent(announcement_id, "00005") if announcement_id == "CA2026110001" else None
        ...     def available(self, participant: str, account: str, stock: str) -> int:
        ...         return 1_000_000
    """

    def event(self, announcement_id: str) -> CaEvent | None:
        """The event with this announcement id, or ``None`` if there is none (UNKNOWN_EVENT)."""
        ...

    def available(self, participant: str, account: str, stock: str) -> int:
        """The quantity of ``stock`` available in the participant's ``account`` (0 if none)."""
        ...
