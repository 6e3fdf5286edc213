"""The Maintain STI operations over HTTP: creation, idempotency, DVP fields, revocation and enquiry filters."""

from __future__ import annotations

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"


@pytest.fixture
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _sti(client: OcpClient, **fields: object) -> dict[str, object]:
    body = {"fromAccount": "01", "toAccount": "80", "stockCode": "00700", "quantity": 5, "paymentType": "FOP",
            **fields}
    exchange = client.call("Input STI", as_participant=ALPHA, **body)
    assert exchange.status == 201, exchange.body
    assert exchange.response.headers["location"].endswith(f"/segregated-transfers/{exchange.body['stiId']}")
    return dict(exchange.body)


def test_input_sti_is_pending_until_the_batch_run_then_not_revocable(client: OcpClient) -> None:
    sti = _sti(client, ownReference="handler-1")
    assert (sti["status"], sti["participantId"], sti["settledAt"], sti["amount"]) == ("PENDING", ALPHA, None, None)
    client.call_operation("simRunBatchSettlement")
    settled = client.call("Enquire STI", operation="getSti", as_participant=ALPHA, stiId=sti["stiId"]).body
    assert settled["status"] == "SETTLED" and settled["settledAt"] is not None
    refused = client.call("Revoke STI", as_participant=ALPHA, stiId=sti["stiId"])
    assert (refused.status, refused.body["code"]) == (409, "STI_STATE_CONFLICT")


def test_dvp_sti_keeps_amount_and_currency(client: OcpClient) -> None:
    sti = _sti(client, paymentType="DVP", amount="1234.50", currency="HKD")
    assert (sti["paymentType"], sti["amount"], sti["currency"]) == ("DVP", "1234.50", "HKD")


def test_idempotent_replay_returns_the_same_sti_and_keys_are_scoped_per_function(client: OcpClient) -> None:
    key = {"Idempotency-Key": "sti-replay-0001"}
    fields = {"fromAccount": "01", "toAccount": "02", "stockCode": "00005", "quantity": 3, "paymentType": "FOP"}
    first = client.call("Input STI", as_participant=ALPHA, headers=key, **fields)
    again = client.call("Input STI", as_participant=ALPHA, headers=key, **fields)
    assert again.body["stiId"] == first.body["stiId"] and again.response.headers["idempotent-replayed"] == "true"
    other = client.call("Input STI", as_participant=ALPHA, headers=key, **{**fields, "quantity": 4})
    assert (other.status, other.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
    today = client.call_operation("simGetClock").body["businessDate"]
    si = client.call("Input SI", as_participant=ALPHA, headers=key, side="DELIVER", counterpartyId=BETA,
                     stockCode="00005", quantity=3, settlementDate=today, paymentType="FOP")
    assert si.status == 201  # the same key on another function is another instruction


def test_enquiry_filters_and_owner_only(client: OcpClient) -> None:
    pending = _sti(client, ownReference="filters")
    revoked = _sti(client, ownReference="filters", toAccount="02")
    assert client.call("Revoke STI", as_participant=ALPHA, stiId=revoked["stiId"]).body["status"] == "REVOKED"

    def listed(participant: str = ALPHA, **filters: object) -> list[object]:
        page = client.call("Enquire STI", operation="enquireSti", as_participant=participant, **filters).body
        return [item["stiId"] for item in page["items"]]

    assert listed(ownReference="filters") == [pending["stiId"], revoked["stiId"]]
    assert listed(ownReference="filters", status="REVOKED") == [revoked["stiId"]]
    assert listed(ownReference="filters", toAccount="80") == [pending["stiId"]]
    assert listed(BETA, ownReference="filters") == []
    other = client.call("Enquire STI", operation="getSti", as_participant=BETA, stiId=pending["stiId"])
    assert (other.status, other.body["code"]) == (404, "STI_NOT_FOUND")


def test_sti_short_of_stock_stays_pending_with_a_lack_reason(client: OcpClient) -> None:
    sti = _sti(client, quantity=900_000_000_000)
    client.call_operation("simRunBatchSettlement")
    after = client.call("Enquire STI", operation="getSti", as_participant=ALPHA, stiId=sti["stiId"]).body
    assert after["status"] == "PENDING" and str(after["reason"]).startswith("LACK")
