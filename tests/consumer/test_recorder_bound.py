"""Consumer mode in an adopted contract's shape (issue 14, item 4): the recorder checks the client's requests against
the bound contract (its paths, fields, enum codes and API-key credential), the simulator answers in that shape, and
an injected failure comes in the bound error shape."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from ocp_conformance.consumer import InjectionRule, Injector, Recorder
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.simulator.bound_shape import build_bound_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport

VARIANT = Path(__file__).resolve().parents[1] / "data" / "official-variant"


@pytest.fixture(scope="module")
def variant() -> ContractSet:
    return load_contracts(VARIANT)


def _recording(variant: ContractSet, *injections: str) -> tuple[Recorder, httpx.Client, str]:
    simulator = build_bound_app(variant)
    rules = [InjectionRule.parse(spec, variant) for spec in injections]
    recorder = Recorder(simulator, Injector(rules), contracts=variant, clock=lambda: 0.0)
    http = httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test")
    return recorder, http, simulator.token_of("B01234")


def _instruction(http: httpx.Client) -> dict[str, object]:
    date = http.get("/_sim/clock").json()["businessDate"]
    return {"side": "DELIVER", "counterpartyId": "B05678", "securityCode": "00005", "quantity": 1000,
            "settlementDate": date, "paymentType": "F", "ownReference": uuid.uuid4().hex[:16], "inputChannel": "API"}


def test_a_client_speaking_the_bound_contract_is_recorded_clean(variant: ContractSet) -> None:
    recorder, http, token = _recording(variant)
    created = http.post("/api/ocp/instructions", json=_instruction(http),
                        headers={"X-API-Key": token, "Idempotency-Key": uuid.uuid4().hex})
    assert created.status_code == 201, created.text
    assert created.json()["paymentType"] == "F"
    (exchange,) = recorder.exchanges
    assert (exchange.operation_id, exchange.function, exchange.participant, exchange.violations) == \
        ("submitSettlementInstruction", "Input SI", "B01234", ())
    assert token not in str(exchange.to_json())  # the credential header is redacted like a bearer token


def test_the_model_shape_is_a_violation_of_the_bound_contract(variant: ContractSet) -> None:
    recorder, http, token = _recording(variant)
    model_shaped = {**_instruction(http), "paymentType": "FOP"}
    http.post("/api/ocp/instructions", json=model_shaped,
              headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex})
    (exchange,) = recorder.exchanges
    pointers = [v.pointer for v in exchange.violations]
    assert pointers[0] == "/header/X-API-Key" and "/paymentType" in pointers
    assert "X-API-Key: <participant credential>" in exchange.violations[0].reason


def test_an_injected_failure_comes_in_the_bound_error_shape(variant: ContractSet) -> None:
    _, http, token = _recording(variant, "503:Input SI")
    answer = http.post("/api/ocp/instructions", json=_instruction(http),
                       headers={"X-API-Key": token, "Idempotency-Key": uuid.uuid4().hex})
    assert answer.status_code == 503 and answer.headers["content-type"].startswith("application/vnd.hkex.error+json")
    assert answer.json()["errorCode"] == "SERVICE_UNAVAILABLE" and answer.headers["Retry-After"] == "1"
