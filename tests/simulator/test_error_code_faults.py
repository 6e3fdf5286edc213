"""The faults that misreport a documented error code (ISI business codes collapsed into one, an STI idempotency key
reused without 409) break exactly that rule (in-process; ``faults --score`` proves the suites catch them)."""

from __future__ import annotations

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, INVESTOR = "B01234", "I00001"


def _client(fault: str) -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts, faults=[fault])
    return OcpClient(target, contracts, strict=True)


def _isi(**fields: object) -> dict[str, object]:
    return {"investorId": INVESTOR, "direction": "DELIVER_TO_INVESTOR", "stockCode": "00005", "quantity": 10,
            "paymentType": "FOP", **fields}


def test_isi_error_codes_collapsed() -> None:
    client = _client("isi-error-codes-collapsed")
    unpaid = client.call("Input ISI", as_participant=ALPHA, **_isi(paymentType="DVP", amount="0", currency="HKD"))
    assert (unpaid.status, unpaid.body["code"]) == (422, "STOCK_UNKNOWN")
    assert [e["pointer"] for e in unpaid.body["errors"]] == ["/amount"]  # only the code lies
    created = client.call("Input ISI", as_participant=ALPHA, **_isi())
    assert created.status == 201
    zero = client.call("Change ISI", as_participant=ALPHA, isiId=created.body["isiId"], paymentType="DVP",
                       amount="0", currency="HKD")
    assert (zero.status, zero.body["code"]) == (422, "STOCK_UNKNOWN")
    investor_input = client.call("Input ISI", as_participant=INVESTOR, **_isi())
    assert (investor_input.status, investor_input.body["code"]) == (403, "OWNER_NOT_ALLOWED")  # other statuses kept


def test_sti_idempotency_key_reuse_creates() -> None:
    client = _client("sti-idempotency-key-reuse-creates")
    sti = {"fromAccount": "01", "toAccount": "02", "stockCode": "00005", "paymentType": "FOP"}
    key = {"Idempotency-Key": "reused-key-0001"}
    first = client.call("Input STI", as_participant=ALPHA, headers=key, quantity=1, **sti)
    replay = client.call("Input STI", as_participant=ALPHA, headers=key, quantity=1, **sti)
    assert first.status == replay.status == 201 and replay.body["stiId"] == first.body["stiId"]  # replays still work
    other = client.call("Input STI", as_participant=ALPHA, headers=key, quantity=2, **sti)
    assert other.status == 201 and other.body["stiId"] != first.body["stiId"]  # a second STI, not 409
