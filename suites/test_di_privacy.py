"""Participant A never sees or affects B's CNS positions, DIs or DI requirements (and the other way round).

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from di_support import (
    ENQUIRE,
    DiFailure,
    Position,
    book,
    open_di_input,
    position,
    require_positions,
    signed_outstanding,
)

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.pytest_plugin import Harness


def _all_positions(bound: BoundClient, participant: str, **filters: Any) -> list[Position]:
    positions: list[Position] = []
    cursor: object = None
    for _ in range(100):
        page = bound.call(ENQUIRE, "list", as_participant=participant, limit=200, **filters,
                          **({"cursor": cursor} if cursor else {}))
        if not page.ok:
            raise DiFailure(ENQUIRE, f"enquiring as {participant}", received=page.status, expected="2xx",
                            exchange=page.exchange)
        page.expect()
        positions += [Position.read(page, item) for item in page.items()]
        cursor = page.get("next_cursor", None)
        if not cursor:
            break
    return positions


@pytest.mark.ocp(functions=[ENQUIRE], check="security")
def test_enquiry_lists_only_the_callers_positions(ocp_harness: Harness) -> None:
    client, target = ocp_harness.client, ocp_harness.target
    require_positions(client, target)
    owner, other = target.acting_pair()
    sold = 1 + uuid.uuid4().int % 10_000
    book(client, owner, "00700", "SELL", sold)
    try:
        _only_own(ocp_harness.bound, other)
    finally:  # a buy of as much nets the short out again, so no later batch run delivers it
        book(client, owner, "00700", "BUY", sold)


def _only_own(bound: BoundClient, other: str) -> None:
    filters: dict[str, Any]
    for filters in ({}, {"stock_code": "700"}, {"direction": "SHORT"}):
        foreign = [p for p in _all_positions(bound, other, **filters) if p.participant != other]
        if foreign:
            raise DiFailure(ENQUIRE, f"Enquire Due/Overdue Position as {other} with {filters or 'no filter'}",
                            received=f"positions of {sorted({str(p.participant) for p in foreign})}",
                            expected=f"only {other}'s own positions")


@pytest.mark.ocp(functions=["Change DI Requirement"], check="security")
def test_di_requirement_is_the_participants_own(ocp_harness: Harness) -> None:
    client, bound, target = ocp_harness.client, ocp_harness.bound, ocp_harness.target
    require_positions(client, target)
    owner, other = target.acting_pair()
    mine = 900_000_000_000 + uuid.uuid4().int % 10**9

    def requirement(participant: str, hold_back: int) -> None:
        bound.call("Change DI Requirement", "change", as_participant=participant, stock_code="00388",
                   hold_back_quantity=hold_back)

    requirement(other, mine)
    book(client, other, "00388", "SELL", 10)  # a position to read the requirement back on
    requirement(owner, 1 + uuid.uuid4().int % 10**6)
    try:
        item = position(bound, other, "00388")
    finally:
        book(client, other, "00388", "BUY", 10)
    requirement(owner, 0)
    seen = item.hold_back if item is not None else None
    if seen != mine:
        raise DiFailure("Change DI Requirement", f"{other}'s DI requirement for 00388 after {owner} changed its own",
                        received=seen, expected=mine)


@pytest.mark.ocp(functions=["Input DI"], check="security")
def test_di_cannot_deliver_against_another_participants_position(ocp_harness: Harness) -> None:
    client, bound, target = ocp_harness.client, ocp_harness.bound, ocp_harness.target
    require_positions(client, target)
    open_di_input(client)
    owner, other = target.acting_pair()
    stock = "00001"
    if signed_outstanding(position(bound, other, stock)) < 0:
        pytest.skip(f"{other} has its own short position in {stock}")
    book(client, owner, stock, "SELL", 1 + uuid.uuid4().int % 10_000)
    before = signed_outstanding(position(bound, owner, stock))
    answer = bound.call("Input DI", "create", as_participant=other, stock_code=stock, quantity=1)
    business = bound.binding.error_status("business", function="Input DI")
    code = answer.error_code()
    after = signed_outstanding(position(bound, owner, stock))
    if answer.status != business or code != "NO_DUE_SHORT_POSITION" or after != before:
        raise DiFailure("Input DI", f"{other} input a DI in {stock}, where only {owner} is short",
                        received=f"HTTP {answer.status} {code}; {owner}'s outstanding {before} -> {after}",
                        expected=f"HTTP {business} NO_DUE_SHORT_POSITION and {owner}'s position untouched",
                        exchange=answer.exchange)
    # leave no short behind
    bound.call("Input DI", "create", as_participant=owner, stock_code=stock, quantity=-before)
