"""Participant A never sees or affects B's CNS positions, DIs or DI requirements (and the other way round)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from di_support import ENQUIRE, DiFailure, book, open_di_input, position, require_positions, signed_outstanding

from ocp_conformance.client import OcpClient
from ocp_conformance.targets import Target


def _all_positions(client: OcpClient, participant: str, **filters: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        page = client.call(ENQUIRE, as_participant=participant, limit=200, **filters,
                           **({"cursor": cursor} if cursor else {}))
        if page.status != 200:
            raise DiFailure(ENQUIRE, f"enquiring as {participant}", received=page.status, expected=200,
                            exchange=page)
        items += page.expect()["items"]
        cursor = page.body.get("nextCursor")
        if not cursor:
            break
    return items


@pytest.mark.ocp(functions=[ENQUIRE], check="security")
def test_enquiry_lists_only_the_callers_positions(ocp_client: OcpClient, ocp_target: Target) -> None:
    require_positions(ocp_client, ocp_target)
    owner, other = ocp_target.acting_pair()
    sold = 1 + uuid.uuid4().int % 10_000
    book(ocp_client, owner, "00700", "SELL", sold)
    try:
        _only_own(ocp_client, other)
    finally:  # a buy of as much nets the short out again, so no later batch run delivers it
        book(ocp_client, owner, "00700", "BUY", sold)


def _only_own(ocp_client: OcpClient, other: str) -> None:
    for filters in ({}, {"stockCode": "700"}, {"direction": "SHORT"}):
        foreign = [i for i in _all_positions(ocp_client, other, **filters) if i.get("participantId") != other]
        if foreign:
            raise DiFailure(ENQUIRE, f"Enquire Due/Overdue Position as {other} with {filters or 'no filter'}",
                            received=f"positions of {sorted({str(i.get('participantId')) for i in foreign})}",
                            expected=f"only {other}'s own positions")


@pytest.mark.ocp(functions=["Change DI Requirement"], check="security")
def test_di_requirement_is_the_participants_own(ocp_client: OcpClient, ocp_target: Target) -> None:
    require_positions(ocp_client, ocp_target)
    owner, other = ocp_target.acting_pair()
    mine = 900_000_000_000 + uuid.uuid4().int % 10**9
    ocp_client.call("Change DI Requirement", as_participant=other, stockCode="00388", holdBackQuantity=mine)
    book(ocp_client, other, "00388", "SELL", 10)  # a position to read the requirement back on
    theirs = 1 + uuid.uuid4().int % 10**6
    ocp_client.call("Change DI Requirement", as_participant=owner, stockCode="00388", holdBackQuantity=theirs)
    try:
        item = position(ocp_client, other, "00388")
    finally:
        book(ocp_client, other, "00388", "BUY", 10)
    ocp_client.call("Change DI Requirement", as_participant=owner, stockCode="00388", holdBackQuantity=0)
    seen = (item or {}).get("diRequirement", {}).get("holdBackQuantity")
    if seen != mine:
        raise DiFailure("Change DI Requirement", f"{other}'s DI requirement for 00388 after {owner} changed its own",
                        received=seen, expected=mine)


@pytest.mark.ocp(functions=["Input DI"], check="security")
def test_di_cannot_deliver_against_another_participants_position(ocp_client: OcpClient, ocp_target: Target) -> None:
    require_positions(ocp_client, ocp_target)
    open_di_input(ocp_client)
    owner, other = ocp_target.acting_pair()
    stock = "00001"
    if signed_outstanding(position(ocp_client, other, stock)) < 0:
        pytest.skip(f"{other} has its own short position in {stock}")
    book(ocp_client, owner, stock, "SELL", 1 + uuid.uuid4().int % 10_000)
    before = signed_outstanding(position(ocp_client, owner, stock))
    exchange = ocp_client.call("Input DI", as_participant=other, stockCode=stock, quantity=1)
    code = exchange.body.get("code") if isinstance(exchange.body, dict) else None
    after = signed_outstanding(position(ocp_client, owner, stock))
    if exchange.status != 422 or code != "NO_DUE_SHORT_POSITION" or after != before:
        raise DiFailure("Input DI", f"{other} input a DI in {stock}, where only {owner} is short",
                        received=f"HTTP {exchange.status} {code}; {owner}'s outstanding {before} -> {after}",
                        expected=f"HTTP 422 NO_DUE_SHORT_POSITION and {owner}'s position untouched",
                        exchange=exchange)
    ocp_client.call("Input DI", as_participant=owner, stockCode=stock, quantity=-before)  # leave no short behind
