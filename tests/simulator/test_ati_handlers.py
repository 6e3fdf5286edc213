"""The Maintain ATI operations over HTTP: Input ATI settles at once, mass submissions wait for the batch run."""

from __future__ import annotations

from typing import Any

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.simulator.faults import FAULTS
from ocp_conformance.targets import simulator_target

A, B = "B01234", "B05678"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _faulty(name: str) -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts, faults=[name])
    return OcpClient(target, contracts, strict=True)


def _holding(client: OcpClient, participant: str, account: str, stock: str) -> int:
    body = client.call_operation("simGetPositions", participantId=participant).body
    return sum(h["quantity"] for h in body["holdings"] if (h["stockAccount"], h["stockCode"]) == (account, stock))


def _ati(account_from: str, account_to: str, quantity: int, stock: str = "00700") -> dict[str, Any]:
    return {"fromAccount": account_from, "toAccount": account_to, "stockCode": stock, "quantity": quantity}


def _item(kind: str, account_from: str, account_to: str, quantity: int, stock: str = "00700") -> dict[str, Any]:
    return {"kind": kind, **_ati(account_from, account_to, quantity, stock)}


def test_input_ati_settles_at_once(client: OcpClient) -> None:
    before = _holding(client, A, "02", "00700")
    exchange = client.call("Input ATI", as_participant=A, **_ati("01", "02", 500))
    assert exchange.status == 201
    assert exchange.body["status"] == "SETTLED" and exchange.body["atiId"].startswith("ATI")
    assert exchange.body["participantId"] == A and exchange.body["reason"] is None
    assert _holding(client, A, "02", "00700") == before + 500


@pytest.mark.parametrize(("fields", "code", "pointer"), [
    (_ati("01", "01", 5), "ACCOUNT_SAME", "/toAccount"),
    (_ati("01", "07", 5), "STOCK_ACCOUNT_UNKNOWN", "/toAccount"),
    (_ati("01", "02", 5, stock="99999"), "STOCK_UNKNOWN", "/stockCode"),
    (_ati("02", "01", 10_001), "INSUFFICIENT_BALANCE", "/quantity"),
])
def test_input_ati_business_rejections_are_422_with_the_field(client: OcpClient, fields: dict[str, Any], code: str,
                                                             pointer: str) -> None:
    exchange = client.call("Input ATI", as_participant=A, **fields)
    assert (exchange.status, exchange.body["code"]) == (422, code)
    assert exchange.body["errors"][0]["pointer"] == pointer


def test_insufficient_balance_names_available_and_requested(client: OcpClient) -> None:
    detail = client.call("Input ATI", as_participant=A, **_ati("02", "01", 10_001)).body["detail"]
    assert "10001" in detail and "10000" in detail


def test_input_ati_replays_a_repeated_idempotency_key(client: OcpClient) -> None:
    key = {"Idempotency-Key": "ati-replay-01"}
    first = client.call("Input ATI", as_participant=A, headers=key, **_ati("01", "02", 3))
    again = client.call("Input ATI", as_participant=A, headers=key, **_ati("01", "02", 3))
    other = client.call("Input ATI", as_participant=A, headers=key, **_ati("01", "02", 4))
    assert again.body == first.body and again.response.headers["Idempotent-Replayed"] == "true"
    assert (other.status, other.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_mass_submission_is_processed_at_the_batch_run_item_by_item(client: OcpClient) -> None:
    before = _holding(client, A, "02", "00388")
    items = [_item("ATI", "01", "02", 10, "00388"), _item("ATI", "01", "01", 10, "00388"),
             _item("STI", "01", "02", 20, "00388")]
    created = client.call("Input Mass ATI/STI", as_participant=A, items=items, ownReference="MASSTEST1")
    assert created.status == 201 and created.body["status"] == "RECEIVED"
    assert [item["result"] for item in created.body["items"]] == [None, None, None]
    assert _holding(client, A, "02", "00388") == before
    client.call_operation("simRunBatchSettlement")
    done = client.call("Enquire Mass ATI/STI", as_participant=A, operation="getMassTransfer",
                       massId=created.body["massId"]).body
    outcomes = [(i["result"]["outcome"], i["result"]["code"]) for i in done["items"]]
    assert outcomes == [("ACCEPTED", None), ("REJECTED", "ACCOUNT_SAME"), ("ACCEPTED", None)]
    assert done["status"] == "PARTIALLY_REJECTED" and (done["acceptedCount"], done["rejectedCount"]) == (2, 1)
    assert done["items"][0]["paymentType"] is None and done["items"][2]["paymentType"] == "FOP"
    assert done["items"][1]["result"]["reason"]
    assert _holding(client, A, "02", "00388") == before + 30
    client.call_operation("simRunBatchSettlement")
    assert _holding(client, A, "02", "00388") == before + 30, "a second run must not apply anything again"


def test_change_and_cancel_only_before_processing(client: OcpClient) -> None:
    created = client.call("Input Mass ATI/STI", as_participant=A, items=[_item("ATI", "01", "02", 1)]).body
    changed = client.call("Change Mass ATI/STI", as_participant=A, massId=created["massId"],
                          items=[_item("ATI", "02", "01", 2), _item("STI", "01", "02", 3)], ownReference="CHG1")
    assert changed.status == 200 and [i["quantity"] for i in changed.body["items"]] == [2, 3]
    assert changed.body["ownReference"] == "CHG1"
    cancelled = client.call("Cancel Mass ATI/STI", as_participant=A, massId=created["massId"])
    assert cancelled.body["status"] == "CANCELLED"
    again = client.call("Change Mass ATI/STI", as_participant=A, massId=created["massId"], ownReference="X")
    assert (again.status, again.body["code"]) == (409, "MASS_ALREADY_PROCESSED")
    client.call_operation("simRunBatchSettlement")
    assert client.call("Enquire Mass ATI/STI", as_participant=A, operation="getMassTransfer",
                       massId=created["massId"]).body["status"] == "CANCELLED"


def test_enquire_lists_only_own_submissions_filtered_and_paged(client: OcpClient) -> None:
    for n in range(3):
        client.call("Input Mass ATI/STI", as_participant=A, items=[_item("ATI", "01", "02", n + 1)],
                    ownReference="LISTME")
    theirs = client.call("Input Mass ATI/STI", as_participant=B, items=[_item("ATI", "01", "02", 1)],
                         ownReference="LISTME").body
    first = client.call("Enquire Mass ATI/STI", as_participant=A, ownReference="LISTME", limit=2).body
    assert len(first["items"]) == 2 and first["nextCursor"]
    rest = client.call("Enquire Mass ATI/STI", as_participant=A, ownReference="LISTME", cursor=first["nextCursor"])
    assert len(rest.body["items"]) == 1 and rest.body["nextCursor"] is None
    assert all(s["participantId"] == A for s in [*first["items"], *rest.body["items"]])
    hidden = client.call("Enquire Mass ATI/STI", as_participant=A, operation="getMassTransfer",
                         massId=theirs["massId"])
    assert (hidden.status, hidden.body["code"]) == (404, "MASS_NOT_FOUND")
    bad = client.call("Enquire Mass ATI/STI", as_participant=A, cursor="nonsense")
    assert (bad.status, bad.body["code"]) == (422, "CURSOR_INVALID")


def test_every_ati_fault_is_registered_for_a_group_function() -> None:
    functions = {"Input ATI", "Input Mass ATI/STI", "Change Mass ATI/STI", "Cancel Mass ATI/STI",
                 "Enquire Mass ATI/STI"}
    ati_faults = [f for f in FAULTS.values() if f.function in functions]
    assert {f.function for f in ati_faults} == functions


def test_fault_mass_item_applied_twice_doubles_the_move() -> None:
    client = _faulty("mass-item-applied-twice")
    before = _holding(client, A, "02", "00005")
    client.call("Input Mass ATI/STI", as_participant=A, items=[_item("ATI", "01", "02", 7, "00005")])
    client.call_operation("simRunBatchSettlement")
    assert _holding(client, A, "02", "00005") == before + 14


def test_input_mass_replays_a_repeated_idempotency_key(client: OcpClient) -> None:
    key = {"Idempotency-Key": "mass-replay-01"}
    items = [_item("ATI", "01", "02", 1)]
    first = client.call("Input Mass ATI/STI", as_participant=A, headers=key, items=items)
    again = client.call("Input Mass ATI/STI", as_participant=A, headers=key, items=items)
    assert again.body["massId"] == first.body["massId"]
    assert len(client.call("Enquire Mass ATI/STI", as_participant=A).body["items"]) == 1
    other = client.call("Input Mass ATI/STI", as_participant=A, headers=key, items=[_item("STI", "01", "02", 1)])
    assert (other.status, other.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_input_ati_keeps_the_own_reference(client: OcpClient) -> None:
    body = client.call("Input ATI", as_participant=A, ownReference="MYREF-1", **_ati("01", "02", 1)).body
    assert body["ownReference"] == "MYREF-1"
