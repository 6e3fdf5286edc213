"""The Maintain STI operations over HTTP: creation, idempotency, DVP fields, revocation and enquiry filters."""

from __future__ import annotations

from decimal import Decimal

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



def _settlement(client: OcpClient, market: str, currency: str) -> Decimal:
    """The settlement sub-ledger of ALPHA's money position in ``market`` and ``currency`` (0 without one)."""
    body = client.call("Enquire Money Position", as_participant=ALPHA, market=market, currency=currency).body
    for position in body["items"]:
        assert position["balance"] == position["subLedgers"]["settlement"]  # no other sub-ledger moves
        return Decimal(position["subLedgers"]["settlement"])
    return Decimal(0)


def test_dvp_sti_money_settles_through_ccass_into_the_money_position(client: OcpClient) -> None:
    """Issue 17 correction 9: a DVP STI's money goes through CCASS money settlement [F]; the participant's
    settlement sub-ledger takes it, in the STI's currency and its stock's market, once the STI settles."""
    before = _settlement(client, "HKMK", "HKD")
    into = _sti(client, paymentType="DVP", amount="1234.50", currency="HKD")  # 01 -> 80: the recipient pays
    assert _settlement(client, "HKMK", "HKD") == before  # PENDING: nothing settled yet
    client.call_operation("simRunBatchSettlement")
    assert _settlement(client, "HKMK", "HKD") == before + Decimal("1234.50")
    # Back out of the segregated account: the money goes to the statement recipient (a debit of the participant).
    _sti(client, fromAccount="80", toAccount="01", paymentType="DVP", amount="34.50", currency="HKD")
    client.call_operation("simRunBatchSettlement")
    assert _settlement(client, "HKMK", "HKD") == before + Decimal("1200.00")
    activity = client.call("Enquire Settlement Activity", as_participant=ALPHA, sourceId=into["stiId"]).body
    # Two stock lines (out of 01, into 80); the money goes with the first, as for every instruction.
    assert [(i["amount"], i["currency"]) for i in activity["items"]] == [("1234.50", "HKD"), (None, None)]


def test_dvp_sti_money_is_in_its_stocks_market_and_a_fop_sti_moves_none(client: OcpClient) -> None:
    before = {(m, c): _settlement(client, m, c) for m in ("HKMK", "MAMK") for c in ("HKD", "CNY")}
    client.call_operation("simSeedHolding", participantId=ALPHA, stockAccount="01", stockCode="90001", quantity=500)
    _sti(client, stockCode="90001", toAccount="02", paymentType="DVP", amount="88.00", currency="CNY")
    _sti(client, stockCode="90001", toAccount="02")  # FOP
    fop = _sti(client)  # FOP, 00700 01 -> 80
    client.call_operation("simRunBatchSettlement")
    assert client.call("Enquire STI", operation="getSti", as_participant=ALPHA,
                       stiId=fop["stiId"]).body["status"] == "SETTLED"
    after = {key: _settlement(client, *key) for key in before}
    assert {key: after[key] - before[key] for key in before} == {
        ("HKMK", "HKD"): 0, ("HKMK", "CNY"): 0, ("MAMK", "HKD"): 0, ("MAMK", "CNY"): Decimal("88.00")}
