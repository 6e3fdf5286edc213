"""HTTP handlers of Enquire Settlement Account/Status: own accounts only, filters, zero rows, problems."""

from __future__ import annotations

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.ccass import DEMO_RIGHTS_STOCK
from ocp_conformance.targets import simulator_target


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _settle_dvp(client: OcpClient, quantity: int = 100, amount: str = "1000.50") -> list[str]:
    today = client.call_operation("simGetClock").body["businessDate"]
    fields = {"stockCode": "00005", "quantity": quantity, "settlementDate": today, "paymentType": "DVP",
              "amount": amount, "currency": "HKD"}
    ids = [client.call("Input SI", as_participant=p, side=s, counterpartyId=c, **fields).body["siId"]
           for p, s, c in (("B01234", "DELIVER", "B05678"), ("B05678", "RECEIVE", "B01234"))]
    client.call_operation("simRunBatchSettlement")
    return ids


@pytest.mark.parametrize("function", ["Enquire Stock Account Balance", "Enquire Stock Account Movement"])
def test_another_participants_account_is_not_found(client: OcpClient, function: str) -> None:
    exchange = client.call(function, as_participant="B05678", accountId="B0123401")
    assert (exchange.status, exchange.body["code"]) == (404, "STOCK_ACCOUNT_NOT_FOUND")
    assert "B0567801" in exchange.body["detail"]  # says which accounts the caller does have


def test_an_unknown_account_number_is_not_found(client: OcpClient) -> None:
    exchange = client.call("Enquire Stock Account Balance", as_participant="B01234", accountId="B0123477")
    assert exchange.status == 404


def test_balance_of_one_stock_is_one_row_even_when_nothing_is_held(client: OcpClient) -> None:
    exchange = client.call("Enquire Stock Account Balance", as_participant="B01234", accountId="B0123480",
                           stockCode="00005")
    assert exchange.body["items"] == [{"stockCode": "00005", "available": 0, "onHold": 0, "total": 0,
                                       "pendingIn": 0, "pendingOut": 0}]


def test_unlisted_stock_is_422(client: OcpClient) -> None:
    exchange = client.call("Enquire Stock Account Balance", as_participant="B01234", accountId="B0123401",
                           stockCode="99999")
    assert (exchange.status, exchange.body["code"]) == (422, "STOCK_UNKNOWN")


def test_rights_credited_by_a_corporate_action_can_be_enquired_like_a_stock(client: OcpClient) -> None:
    exchange = client.call("Enquire Stock Account Balance", as_participant="B01234", accountId="B0123401",
                           stockCode=DEMO_RIGHTS_STOCK)
    assert exchange.status == 200, exchange.body
    assert [row["stockCode"] for row in exchange.body["items"]] == [DEMO_RIGHTS_STOCK]
    assert exchange.body["items"][0]["total"] > 0  # 1 right for every 10 shares of 00001 held


def test_movements_name_the_own_si_and_filter_by_it(client: OcpClient) -> None:
    deliver, _ = _settle_dvp(client, quantity=321)
    exchange = client.call("Enquire Stock Account Movement", as_participant="B01234", accountId="B0123401",
                           sourceId=deliver)
    (movement,) = exchange.body["items"]
    assert (movement["quantity"], movement["direction"], movement["sourceType"]) == (-321, "OUT", "SI")


def test_money_position_with_both_filters_is_one_row(client: OcpClient) -> None:
    _settle_dvp(client, amount="10.25")
    body = client.call("Enquire Money Position", as_participant="B05678", market="HKMK", currency="HKD").body
    (position,) = body["items"]
    assert position["balance"] == position["subLedgers"]["settlement"] == "-10.25"
    assert position["subLedgers"]["billing"] == "0"
    empty = client.call("Enquire Money Position", as_participant="B05678", currency="CNY").body
    assert empty["items"] == []


def test_activity_filters_by_instruction_and_run(client: OcpClient) -> None:
    deliver, _ = _settle_dvp(client)
    other, _ = _settle_dvp(client, quantity=7)
    body = client.call("Enquire Settlement Activity", as_participant="B01234", sourceId=deliver).body
    assert [i["sourceId"] for i in body["items"]] == [deliver]
    assert [run["settled"] for run in body["batchRuns"]] == [[deliver], []]
    (second,) = client.call("Enquire Settlement Activity", as_participant="B01234",
                            runId="R00000002").body["batchRuns"]
    assert second["settled"] == [other]
