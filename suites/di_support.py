"""What the DI suites share: making CNS positions through simulator control and reading them back by role.

CNS positions come from exchange trades, which a participant cannot input through OCP, so every DI suite
needs a target with clock-control (the simulator's ``simBookExchangeTrade``); on other targets they skip with
the reason. DI input opens at 10:00, so :func:`open_di_input` moves the clock there when it is earlier.

The target's answers are read through the binding (roles of the ``di`` field set: ``outstanding_quantity``,
``direction``...); simulator control speaks its own names, the same whatever contract is bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

__all__ = ["ENQUIRE", "DiFailure", "Position", "book", "holding", "open_di_input", "position", "require_positions",
           "seed_holding", "signed_outstanding"]

ENQUIRE: Final = "Enquire Due/Overdue Position"
_DI_OPENS: Final = time(10, 0)


class DiFailure(RuleBroken):
    """The target broke a rule of a DI function (named, so the report blames exactly it)."""


@dataclass(frozen=True, slots=True)
class Position:
    """One CNS position as the target shows it, read by role (``None`` where the answer lacks the role)."""

    participant: object
    direction: object
    quantity: object
    settled: object
    outstanding: object
    hold_back: object

    @classmethod
    def read(cls, answer: BoundExchange, item: Any) -> Position:
        """The position in ``item`` (a listed item, or the position a DI answer carries)."""
        return cls(participant=answer.item_value(item, "participant"),
                   direction=answer.item_value(item, "direction"),
                   quantity=answer.item_value(item, "quantity"),
                   settled=answer.item_value(item, "settled_quantity"),
                   outstanding=answer.item_value(item, "outstanding_quantity"),
                   hold_back=answer.item_value(item, "requirement_hold_back"))


def require_positions(client: OcpClient, target: Target) -> None:
    """Skip unless the target can book exchange trades (clock-control) and its clock is in a function window."""
    control = client.contracts.control_document
    if not target.can(CLOCK_CONTROL) or control is None or "simBookExchangeTrade" not in control.operations:
        pytest.skip("CNS positions come from exchange trades: needs a target with clock-control "
                    "(simBookExchangeTrade) to create them")
    clock = client.call_operation("simGetClock").body
    if not clock.get("inFunctionWindow", False):
        pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")


def open_di_input(client: OcpClient) -> None:
    """DI input opens at 10:00: move the target's clock there if it is earlier (no batch run is passed)."""
    now = datetime.fromisoformat(str(client.call_operation("simGetClock").expect()["now"]))
    if now.time() < _DI_OPENS:
        opens = now.replace(hour=_DI_OPENS.hour, minute=0, second=0, microsecond=0)
        client.call_operation("simAdvanceClock", minutes=max(1, -(-int((opens - now).total_seconds()) // 60)))


def book(client: OcpClient, participant: str, stock: str, side: str, quantity: int) -> dict[str, Any]:
    """Book an exchange trade settling today (simulator control); returns the booking."""
    exchange = client.call_operation("simBookExchangeTrade", participantId=participant, stockCode=stock, side=side,
                                     quantity=quantity)
    assert exchange.status == 200, f"harness: booking a trade failed: {exchange.response.text[:300]}"
    body: dict[str, Any] = exchange.body
    return body


def seed_holding(client: OcpClient, participant: str, stock: str, quantity: int) -> None:
    """Deposit stock into the participant's clearing account (simulator control)."""
    client.call_operation("simSeedHolding", participantId=participant, stockCode=stock, quantity=quantity)


def position(bound: BoundClient, participant: str, stock: str) -> Position | None:
    """The participant's due/overdue position in ``stock`` (exact 5-digit code), or None."""
    answer = bound.call(ENQUIRE, "list", as_participant=participant, stock_code=stock)
    if not answer.ok:
        raise DiFailure(ENQUIRE, f"enquiring {participant}'s position in {stock}", received=answer.status,
                        expected="2xx", exchange=answer.exchange)
    answer.expect()
    items = [i for i in answer.items() if answer.item_value(i, "stock_code") == stock]
    if len(items) > 1:
        raise DiFailure(ENQUIRE, f"one position per stock for today, {participant} in {stock}",
                        received=f"{len(items)} items", expected="at most 1", exchange=answer.exchange)
    return Position.read(answer, items[0]) if items else None


def signed_outstanding(item: Position | None) -> int:
    """A position's outstanding quantity signed from the participant's side (negative = short)."""
    if item is None:
        return 0
    if not isinstance(item.outstanding, int):
        raise DiFailure(ENQUIRE, "a position's outstanding quantity", received=item.outstanding,
                        expected="an integer")
    quantity = item.outstanding
    return -quantity if item.direction == "SHORT" else quantity


def holding(client: OcpClient, participant: str, stock: str, account: str = "01") -> int:
    """The participant's holding of ``stock`` in ``account`` (simulator control: exactly that one holding)."""
    positions = client.call_operation("simGetPositions", participantId=participant, stockAccount=account,
                                      stockCode=stock).body
    return sum(int(h["quantity"]) for h in positions.get("holdings", []))
