"""The SI fault profiles that break one rule in-process (tests/faults proves the suites catch each)."""

from __future__ import annotations

from typing import Any

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"


def _client(fault: str) -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts, faults=[fault])
    return OcpClient(target, contracts, strict=True)


def _si(client: OcpClient, **fields: Any) -> dict[str, Any]:
    today = client.call_operation("simGetClock").body["businessDate"]
    return {"side": "DELIVER", "counterpartyId": BETA, "stockCode": "00005", "quantity": 4321,
            "settlementDate": today, "paymentType": "FOP", **fields}


def test_si_input_error_codes_collapsed() -> None:
    client = _client("si-input-error-codes-collapsed")
    for fields, pointer in [({"stockCode": "99999"}, "/stockCode"), ({"counterpartyId": ALPHA}, "/counterpartyId"),
                            ({"paymentType": "DVP", "currency": "HKD"}, "/amount")]:
        refused = client.call("Input SI", as_participant=ALPHA, **_si(client, **fields))
        assert (refused.status, refused.body["code"]) == (422, "SETTLEMENT_DATE_IN_PAST")
        assert [e["pointer"] for e in refused.body["errors"]] == [pointer]  # only the code lies
    assert client.call("Input SI", as_participant=ALPHA, **_si(client)).status == 201
    # other statuses keep their codes: the conflict of a reused idempotency key
    key = {"Idempotency-Key": "k" * 16}
    assert client.call("Input SI", as_participant=ALPHA, headers=key, **_si(client, quantity=1)).status == 201
    reused = client.call("Input SI", as_participant=ALPHA, headers=key, **_si(client, quantity=2))
    assert (reused.status, reused.body["code"]) == (409, "IDEMPOTENCY_KEY_REUSED")
