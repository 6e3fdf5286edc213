"""simFailRdpPayment: the receiver's CHATS payment of an RDP pair at SHARES_ON_HOLD fails and the pair unwinds."""

from __future__ import annotations

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import load_contracts
from ocp_conformance.targets import simulator_target

ALPHA, BETA = "B01234", "B05678"


@pytest.fixture(scope="module")
def client() -> OcpClient:
    contracts = load_contracts()
    target, _ = simulator_target(contracts)
    return OcpClient(target, contracts, strict=True)


def _on_hold(client: OcpClient) -> int:
    body = client.call_operation("enquireStockAccountBalance", as_participant=ALPHA, accountId=f"{ALPHA}01",
                                 stockCode="00700").expect(200)
    return sum(int(item["onHold"]) for item in body["items"])


def test_a_failed_payment_unwinds_the_pair_and_returns_the_shares(client: OcpClient) -> None:
    today = client.call_operation("simGetClock").expect(200)["businessDate"]
    si = {"stockCode": "00700", "quantity": 1_234, "settlementDate": today, "paymentType": "RDP",
          "amount": "500.00", "currency": "HKD"}
    deliver = client.call_operation("inputSi", as_participant=ALPHA,
                                    body={"side": "DELIVER", "counterpartyId": BETA, **si}).expect(201)
    receive = client.call_operation("inputSi", as_participant=BETA,
                                    body={"side": "RECEIVE", "counterpartyId": ALPHA, **si}).expect(201)
    assert receive["status"] == "SHARES_ON_HOLD"
    held = _on_hold(client)
    assert held >= 1_234
    failed = client.call_operation("simFailRdpPayment", siId=receive["siId"]).expect(200)
    assert (failed["siId"], failed["status"]) == (receive["siId"], "MATCHED")
    assert client.call_operation("getSi", as_participant=ALPHA, siId=deliver["siId"]).expect(200)["status"] == "MATCHED"
    assert _on_hold(client) == held - 1_234
    again = client.call_operation("simFailRdpPayment", siId=receive["siId"])
    assert (again.status, again.body["code"]) == (409, "SI_STATE_CONFLICT")
    assert client.call_operation("simFailRdpPayment", siId="SI9999999999").status == 404
