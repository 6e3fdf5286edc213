"""Each DI fault profile breaks exactly the rule it names (in-process; tests/faults proves the suites catch it)."""

from __future__ import annotations

from typing import Any

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"


def _client(fault: str) -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts, faults=[fault])
    client = OcpClient(target, contracts, strict=True)
    today = client.call_operation("simGetClock").body["businessDate"]
    client.call_operation("simAdvanceClock", body={"to": f"{today}T10:00:00+08:00"})
    return client


def _sell(client: OcpClient, participant: str, stock: str, quantity: int) -> None:
    client.call_operation("simBookExchangeTrade", body={"participantId": participant, "stockCode": stock,
                                                        "side": "SELL", "quantity": quantity})


def _items(client: OcpClient, participant: str, **filters: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.call("Enquire Due/Overdue Position", as_participant=participant,
                                              **filters).body["items"]
    return items


def test_di_exceeding_due_position_accepted() -> None:
    client = _client("di-exceeding-due-position-accepted")
    _sell(client, ALPHA, "00005", 100)
    assert client.call("Input DI", as_participant=ALPHA, stockCode="00005", quantity=150).status == 201


def test_di_position_not_reduced() -> None:
    client = _client("di-position-not-reduced")
    _sell(client, ALPHA, "00005", 100)
    assert client.call("Input DI", as_participant=ALPHA, stockCode="00005", quantity=100).status == 201
    assert _items(client, ALPHA, stockCode="00005")[0]["outstandingQuantity"] == 100


def test_other_participants_positions_visible() -> None:
    client = _client("other-participants-positions-visible")
    _sell(client, ALPHA, "00005", 100)
    assert {i["participantId"] for i in _items(client, BETA)} >= {ALPHA, "C00019"}


def test_stock_code_leading_zeros_not_matched() -> None:
    client = _client("stock-code-leading-zeros-not-matched")
    assert _items(client, "C00019", stockCode="700") == []
    assert len(_items(client, "C00019", stockCode="00700")) == 1


def test_di_requirement_ignored_by_batch() -> None:
    client = _client("di-requirement-ignored-by-batch")
    _sell(client, ALPHA, "00005", 100)
    client.call("Change DI Requirement", as_participant=ALPHA, stockCode="00005", holdBackQuantity=40)
    client.call_operation("simRunBatchSettlement")
    [item] = _items(client, ALPHA, stockCode="00005")
    assert (item["outstandingQuantity"], item["diRequirement"]["holdBackQuantity"]) == (0, 40)


def test_di_requirement_error_codes_collapsed() -> None:
    client = _client("di-requirement-error-codes-collapsed")
    refused = client.call("Change DI Requirement", as_participant=ALPHA, stockCode="99999", holdBackQuantity=0)
    assert (refused.status, refused.body["code"]) == (422, "VALIDATION_FAILED")
    assert [e["pointer"] for e in refused.body["errors"]] == ["/path/stockCode"]  # only the code lies
    assert client.call("Change DI Requirement", as_participant=ALPHA, stockCode="00005",
                       holdBackQuantity=5).status == 200
