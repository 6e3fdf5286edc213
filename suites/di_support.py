"""What the DI suites share: making CNS positions through simulator control and reading them back.

CNS positions come from exchange trades, which a participant cannot input through OCP, so every DI suite
needs a target with clock-control (the simulator's ``simBookExchangeTrade``); on other targets they skip with
the reason. DI input opens at 10:00, so :func:`open_di_input` moves the clock there when it is earlier.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

__all__ = ["ENQUIRE", "DiFailure", "book", "holding", "open_di_input", "position", "require_positions",
           "signed_outstanding"]

ENQUIRE: Final = "Enquire Due/Overdue Position"


class DiFailure(RuleBroken):
    """The target broke a rule of a DI function (named, so the report blames exactly it)."""


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
    clock = client.call_operation("simGetClock").body
    now = datetime.fromisoformat(str(clock["now"]))
    if now.time() < time(10, 0):
        client.call_operation("simAdvanceClock", body={"to": f"{clock['businessDate']}T10:00:00+08:00"})


def book(client: OcpClient, participant: str, stock: str, side: str, quantity: int) -> dict[str, Any]:
    """Book an exchange trade settling today; returns the booking (with the position it netted into)."""
    exchange = client.call_operation("simBookExchangeTrade", body={
        "participantId": participant, "stockCode": stock, "side": side, "quantity": quantity})
    assert exchange.status == 200, f"harness: booking a trade failed: {exchange.response.text[:300]}"
    body: dict[str, Any] = exchange.body
    return body


def position(client: OcpClient, participant: str, stock: str) -> dict[str, Any] | None:
    """The participant's due/overdue position in ``stock`` (exact 5-digit code), or None."""
    exchange = client.call(ENQUIRE, as_participant=participant, stockCode=stock)
    if exchange.status != 200:
        raise DiFailure(ENQUIRE, f"enquiring {participant}'s position in {stock}", received=exchange.status,
                        expected=200, exchange=exchange)
    items = [i for i in exchange.expect()["items"] if i.get("stockCode") == stock]
    if len(items) > 1:
        raise DiFailure(ENQUIRE, f"one position per stock for today, {participant} in {stock}",
                        received=f"{len(items)} items", expected="at most 1", exchange=exchange)
    return items[0] if items else None


def signed_outstanding(item: dict[str, Any] | None) -> int:
    """A position's outstanding quantity signed from the participant's side (negative = short)."""
    if item is None:
        return 0
    quantity = int(item["outstandingQuantity"])
    return -quantity if item["direction"] == "SHORT" else quantity


def holding(client: OcpClient, participant: str, stock: str, account: str = "01") -> int:
    positions = client.call_operation("simGetPositions", participantId=participant).body
    return sum(int(h["quantity"]) for h in positions.get("holdings", [])
               if h.get("stockCode") == stock and h.get("stockAccount") == account)
