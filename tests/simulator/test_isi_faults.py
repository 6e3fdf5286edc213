"""The ISI fault that collapses business codes breaks exactly that rule (in-process; ``faults --score`` proves the
suites catch it)."""

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
    unknown = client.call("Input ISI", as_participant=ALPHA, **_isi(stockCode="99999"))
    assert (unknown.status, unknown.body["code"]) == (422, "FIELD_INVALID")
    assert [e["pointer"] for e in unknown.body["errors"]] == ["/stockCode"]  # only the code lies
    created = client.call("Input ISI", as_participant=ALPHA, **_isi())
    assert created.status == 201
    zero = client.call("Change ISI", as_participant=ALPHA, isiId=created.body["isiId"], paymentType="DVP",
                       amount="0", currency="HKD")
    assert (zero.status, zero.body["code"]) == (422, "FIELD_INVALID")
    investor_input = client.call("Input ISI", as_participant=INVESTOR, **_isi())
    assert (investor_input.status, investor_input.body["code"]) == (403, "OWNER_NOT_ALLOWED")  # other statuses kept
