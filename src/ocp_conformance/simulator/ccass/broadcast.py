"""Broadcast messages: operational notices every participant sees (Enquire Broadcast Message).

[F] CCASS broadcasts operational notices such as "final batch settlement run completed". [M] Each message
has a sequential id, a time, a category and a text; the simulator publishes one after each batch run and at
day end (:func:`message_for`), and tests or operators may publish others.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from .clock import HKT, BusinessClock, ClockEvent
from .errors import DomainError

__all__ = [
    "CATEGORY_SETTLEMENT",
    "CATEGORY_SYSTEM",
    "FINAL_RUN_LABEL",
    "BroadcastBoard",
    "BroadcastMessage",
    "message_for",
]

CATEGORY_SETTLEMENT: Final = "SETTLEMENT"
CATEGORY_SYSTEM: Final = "SYSTEM"
# BusinessClock labels the last batch run of the day "final batch run N of N (HH:MM)".
FINAL_RUN_LABEL: Final = "final batch run"


@dataclass(frozen=True, slots=True)
class BroadcastMessage:
    """One broadcast notice.

    Attributes:
        message_id: ``"BM"`` + 8 digits, sequential (so id order is publication order and time order).
        at: when it was published (+08:00).
        category: e.g. ``"SETTLEMENT"`` or ``"SYSTEM"``.
        text: the notice, e.g. ``"Final batch settlement run completed"``.
        business_date: the business date ``at`` belongs to.
    """

    message_id: str
    at: datetime
    category: str
    text: str
    business_date: date


def message_for(event: ClockEvent, final_label: str = FINAL_RUN_LABEL) -> tuple[str, str] | None:
    """The ``(category, text)`` to broadcast once ``event`` has been processed, or ``None``.

    Args:
        event: a clock event (``"batch_run"`` or ``"day_end"``).
        final_label: label prefix that marks the final batch run of the day (case-insensitive).

    Example:
        >>> from ocp_conformance.simulator.ccass import HKT, ClockEvent
        >>> at = datetime(2027, 4, 6, 10, 30, tzinfo=HKT)
        >>> message_for(ClockEvent("batch_run", at, "batch run 1 of 4 (10:30)"))
        ('SETTLEMENT', 'Batch settlement run 10:30 completed')
    """
    if event.kind == "batch_run":
        if event.label.lower().startswith(final_label.lower()):
            return CATEGORY_SETTLEMENT, "Final batch settlement run completed"
        return CATEGORY_SETTLEMENT, f"Batch settlement run {event.at.astimezone(HKT):%H:%M} completed"
    if event.kind == "day_end":
        return CATEGORY_SYSTEM, f"Business day {event.at.astimezone(HKT).date().isoformat()} closed"
    return None


class BroadcastBoard:
    """Every broadcast message, oldest first; enquiries bisect rather than scan.

    Publication times never go backwards, so id order, list order and time order coincide and ``since`` and
    ``after_id`` each locate their start in O(log n) or O(1).

    Args:
        clock: simulated time; messages default to :attr:`BusinessClock.now`.

    Example:
        >>> from ocp_conformance.simulator.ccass import HKT, BusinessClock, TradingCalendar
        >>> board = BroadcastBoard(BusinessClock(TradingCalendar(), datetime(2027, 4, 6, 9, 0, tzinfo=HKT)))
        >>> board.publish("SYSTEM", "OCP API Services available").message_id
        'BM00000001'
        >>> [m.text for m in board.enquire(category="SYSTEM")]
        ['OCP API Services available']
    """

    __slots__ = ("_by_category", "_clock", "_messages", "_position", "_times")

    def __init__(self, clock: BusinessClock) -> None:
        self._clock = clock
        self._messages: list[BroadcastMessage] = []
        self._times: list[datetime] = []
        self._position: dict[str, int] = {}  # message id -> index in _messages
        self._by_category: dict[str, list[int]] = {}  # category -> indexes, ascending

    def __len__(self) -> int:
        return len(self._messages)

    def publish(self, category: str, text: str, at: datetime | None = None) -> BroadcastMessage:
        """Publish a message to every participant.

        Raises:
            ValueError: empty category or text, a naive ``at``, or ``at`` before the last message.
        """
        if not category or not text:
            raise ValueError(f"Received category={category!r} text={text!r}. Expected both non-empty.")
        moment = self._clock.now if at is None else _aware(at, "at")
        if self._times and moment < self._times[-1]:
            raise ValueError(
                f"Received at={moment.isoformat()}, before the last message ({self._times[-1].isoformat()}). "
                "Expected messages in time order."
            )
        index = len(self._messages)
        message = BroadcastMessage(f"BM{index + 1:08d}", moment, category, text, self._clock.business_date_of(moment))
        self._messages.append(message)
        self._times.append(moment)
        self._position[message.message_id] = index
        self._by_category.setdefault(category, []).append(index)
        return message

    def publish_event(self, event: ClockEvent, final_label: str = FINAL_RUN_LABEL) -> BroadcastMessage | None:
        """Publish :func:`message_for` ``event`` at the event's time; ``None`` if it has no message."""
        found = message_for(event, final_label)
        return None if found is None else self.publish(*found, at=event.at)

    def get(self, message_id: str) -> BroadcastMessage:
        """The message ``message_id``.

        Raises:
            DomainError: BROADCAST_MESSAGE_NOT_FOUND (404) for an unknown id.
        """
        position = self._position.get(message_id)
        if position is None:
            raise DomainError(
                "BROADCAST_MESSAGE_NOT_FOUND",
                f"Received messageId {message_id!r}, which is not a broadcast message. Expected the id of a "
                "listed message (BM + 8 digits); enquire the broadcast messages to list them.",
                status=404,
                pointer="/messageId",
            )
        return self._messages[position]

    def enquire(
        self, since: datetime | None = None, category: str | None = None, after_id: str | None = None,
        business_date: date | None = None,
    ) -> list[BroadcastMessage]:
        """Enquire Broadcast Message: messages oldest first, all criteria applying together.

        Args:
            since: only messages published at or after this time (timezone-aware).
            category: only this category.
            after_id: only messages published after this one (for polling).
            business_date: only messages of this business date (business dates never go backwards either).

        Raises:
            DomainError: FIELD_INVALID for a naive ``since``; BROADCAST_MESSAGE_NOT_FOUND (404) for an
                unknown ``after_id``.
        """
        start = 0
        if since is not None:
            if since.tzinfo is None or since.utcoffset() is None:
                raise DomainError(
                    "FIELD_INVALID",
                    f"Received since={since.isoformat()} without a UTC offset. Expected e.g. "
                    "2027-04-06T09:00:00+08:00.",
                    pointer="/query/since",
                )
            start = bisect_left(self._times, since)
        if after_id is not None:
            position = self._position.get(after_id)
            if position is None:
                raise DomainError(
                    "BROADCAST_MESSAGE_NOT_FOUND",
                    f"Received afterId={after_id!r}. Expected the id of a broadcast message (BM + 8 digits); "
                    "omit it to read from the oldest message.",
                    status=404,
                    pointer="/query/afterId",
                )
            start = max(start, position + 1)
        if category is None:
            found = self._messages[start:]
        else:
            indexes = self._by_category.get(category, [])
            found = [self._messages[i] for i in indexes[bisect_left(indexes, start) :]]
        if business_date is None:
            return found
        return [m for m in found if m.business_date == business_date]

    def __repr__(self) -> str:
        return f"BroadcastBoard(messages={len(self._messages)})"


def _aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"Received a naive datetime for {name}: {value.isoformat()}. Expected a timezone-aware one.")
    return value.astimezone(HKT)
