"""Maintain DI and Enquire Due/Overdue Position over HTTP: the contract's shapes, codes and effects."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.ccass import HKT
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    client = OcpClient(target, contracts, strict=True)
    today = client.call_operation("simGetClock").body["businessDate"]
    client.call_operation("simAdvanceClock", body={"to": f"{today}T10:00:00+08:00"})
    return client


def _sell(client: OcpClient, participant: str, stock: str, quantity: int, **extra: Any) -> dict[str, Any]:
    exchange = client.call_operation("simBookExchangeTrade", body={
        "participantId": participant, "stockCode": stock, "side": "SELL", "quantity": quantity, **extra})
    assert exchange.status == 200, exchange.body
    body: dict[str, Any] = exchange.body
    return body


def _position(client: OcpClient, participant: str, stock: str) -> dict[str, Any]:
    page = client.call("Enquire Due/Overdue Position", as_participant=participant, stockCode=stock).body
    assert len(page["items"]) == 1, page
    item: dict[str, Any] = page["items"][0]
    return item


def test_di_reduces_the_due_short_position_and_moves_stock(client: OcpClient) -> None:
    booked = _sell(client, ALPHA, "02800", 3_000)
    assert booked["position"] == {"settlementDate": booked["settlementDate"], "positionType": "DUE",
                                  "direction": "SHORT", "quantity": 3_000, "outstandingQuantity": 3_000}
    di = client.call("Input DI", as_participant=ALPHA, stockCode="02800", quantity=1_200, ownReference="di-1")
    assert di.status == 201
    assert di.body["position"]["outstandingQuantity"] == 1_800
    assert di.body["position"]["settledQuantity"] == 1_200
    position = _position(client, ALPHA, "2800")  # leading zeros are not significant
    assert (position["stockCode"], position["outstandingQuantity"], position["direction"]) == ("02800", 1_800, "SHORT")
    holdings = client.call_operation("simGetPositions", participantId=ALPHA).body["holdings"]
    held = next(h["quantity"] for h in holdings if h["stockCode"] == "02800" and h["stockAccount"] == "01")
    assert held == 1_000_000 - 1_200


def test_di_above_the_due_position_names_both_figures(client: OcpClient) -> None:
    _sell(client, ALPHA, "00001", 500)
    exchange = client.call("Input DI", as_participant=ALPHA, stockCode="00001", quantity=501)
    assert exchange.status == 422
    assert exchange.body["code"] == "DI_EXCEEDS_DUE_POSITION"
    assert "501" in exchange.body["detail"] and "500" in exchange.body["detail"]
    assert exchange.body["errors"][0]["pointer"] == "/quantity"
    assert _position(client, ALPHA, "00001")["outstandingQuantity"] == 500


def test_di_above_the_available_balance_is_rejected(client: OcpClient) -> None:
    _sell(client, ALPHA, "00005", 2_000_000)
    exchange = client.call("Input DI", as_participant=ALPHA, stockCode="00005", quantity=1_500_000)
    assert (exchange.status, exchange.body["code"]) == (422, "DI_EXCEEDS_AVAILABLE_BALANCE")


def test_di_without_a_short_position_and_before_ten(client: OcpClient) -> None:
    exchange = client.call("Input DI", as_participant=BETA, stockCode="00388", quantity=1)
    assert (exchange.status, exchange.body["code"]) == (422, "NO_DUE_SHORT_POSITION")


def test_di_input_opens_at_ten() -> None:
    contracts = load_contracts()
    target, app = simulator_target(contracts)
    with app.state.lock:  # the default start is 10:00 (the first SI matching), when DIs open: start at 09:00
        app.state.start = datetime(2027, 4, 6, 9, 0, tzinfo=HKT)
        app.state.reset()
    client = OcpClient(target, contracts, strict=True)
    _sell(client, ALPHA, "00700", 100)
    exchange = client.call("Input DI", as_participant=ALPHA, stockCode="00700", quantity=100)
    assert (exchange.status, exchange.body["code"]) == (422, "DI_INPUT_NOT_OPEN")


def test_idempotent_di_replay(client: OcpClient) -> None:
    _sell(client, ALPHA, "00700", 100)
    first = client.call("Input DI", as_participant=ALPHA, stockCode="00700", quantity=60,
                        headers={"Idempotency-Key": "di-replay-1"})
    again = client.call("Input DI", as_participant=ALPHA, stockCode="00700", quantity=60,
                        headers={"Idempotency-Key": "di-replay-1"})
    assert again.body == first.body and again.response.headers["Idempotent-Replayed"] == "true"
    other = client.call("Input DI", as_participant=ALPHA, stockCode="00700", quantity=1,
                        headers={"Idempotency-Key": "di-replay-1"})
    assert (other.status, other.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert _position(client, ALPHA, "00700")["outstandingQuantity"] == 40


def test_requirement_is_read_back_and_batch_delivers_the_rest(client: OcpClient) -> None:
    _sell(client, BETA, "00388", 1_000)
    changed = client.call("Change DI Requirement", as_participant=BETA, stockCode="00388", holdBackQuantity=300)
    assert changed.status == 200 and changed.body["holdBackQuantity"] == 300
    assert _position(client, BETA, "388")["diRequirement"]["holdBackQuantity"] == 300
    client.call_operation("simRunBatchSettlement")
    position = _position(client, BETA, "00388")
    assert (position["outstandingQuantity"], position["settledQuantity"]) == (300, 700)


def test_demo_participant_has_due_and_overdue_positions(client: OcpClient) -> None:
    page = client.call("Enquire Due/Overdue Position", as_participant="C00019").body
    kinds = {(p["stockCode"], p["positionType"], p["direction"]) for p in page["items"]}
    assert kinds == {("00001", "OVERDUE", "SHORT"), ("00700", "DUE", "SHORT"), ("00388", "DUE", "LONG")}
    overdue = client.call("Enquire Due/Overdue Position", as_participant="C00019", positionType="OVERDUE",
                          direction="SHORT", market="HKMK").body["items"]
    assert [p["stockCode"] for p in overdue] == ["00001"]


def test_positions_are_private_and_paged(client: OcpClient) -> None:
    _sell(client, ALPHA, "08001", 10)
    assert client.call("Enquire Due/Overdue Position", as_participant=BETA, stockCode="8001").body["items"] == []
    first = client.call("Enquire Due/Overdue Position", as_participant="C00019", limit=2).body
    rest = client.call("Enquire Due/Overdue Position", as_participant="C00019", cursor=first["nextCursor"]).body
    assert len(first["items"]) + len(rest["items"]) == 3 and rest["nextCursor"] is None
    bad = client.call("Enquire Due/Overdue Position", as_participant="C00019", cursor="nope")
    assert (bad.status, bad.body["code"]) == (422, "CURSOR_INVALID")


def test_unknown_stock_requirement_and_bad_trade(client: OcpClient) -> None:
    exchange = client.call("Change DI Requirement", as_participant=ALPHA, stockCode="99999", holdBackQuantity=1)
    assert (exchange.status, exchange.body["code"]) == (422, "STOCK_UNKNOWN")
    assert exchange.body["errors"][0]["pointer"] == "/path/stockCode"
    bad = client.call_operation("simBookExchangeTrade", body={
        "participantId": ALPHA, "stockCode": "00005", "side": "SELL", "quantity": 1, "market": "MAMK"})
    assert (bad.status, bad.body["code"]) == (422, "MARKET_MISMATCH")


def test_trade_booked_days_overdue_is_an_overdue_position(client: OcpClient) -> None:
    booked = _sell(client, BETA, "00001", 70, businessDaysOverdue=2)
    assert booked["settlementDate"] < client.call_operation("simGetClock").body["businessDate"]
    position = _position(client, BETA, "1")
    assert (position["positionType"], position["carriedForwardQuantity"], position["overdueSince"]) == (
        "OVERDUE", -70, booked["settlementDate"])
