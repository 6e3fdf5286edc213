"""Each request field the contract constrains is enforced on its own.

Schemathesis's negative cases break one part of an otherwise random request, so a business rejection of the
random parts (an unknown counterparty: 422) can hide a server that accepts the broken part. Here every case
starts from a request that is valid for the business too, breaks exactly one field with a value the contract
forbids (the contract's own JSON Schema decides, so nothing is listed twice), and requires a 400 problem whose
``errors`` name that field. A 2xx means the server accepted what the contract forbids.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from request_rules import ANY_JSON, DOCUMENT, body_schema, forbidden

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.pytest_plugin import Harness


class FieldAccepted(AssertionError):
    """The target accepted (or misreported) a field value the contract forbids."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(message)
        self.function = function


def _input_body(client: OcpClient, side: str = "DELIVER", counterparty: str | None = None,
                quantity: int | None = None) -> dict[str, Any]:
    counterparty = counterparty or client.target.acting_pair()[1]
    return {"side": side, "counterpartyId": counterparty, "stockCode": "00005",
            "quantity": quantity or 1 + uuid.uuid4().int % 10**6,
            "settlementDate": client.business_dates()[0].isoformat(),
            "paymentType": "FOP", "ownReference": uuid.uuid4().hex[:16]}


def _unmatched_si(client: OcpClient) -> dict[str, str]:
    exchange = client.call("Input SI", as_participant=client.target.acting_pair()[0], **_input_body(client))
    return {"siId": exchange.body["siId"]}


def _matched_si(client: OcpClient) -> dict[str, str]:
    body = _input_body(client)
    actor, counterparty = client.target.acting_pair()
    own = client.call("Input SI", as_participant=actor, **body)
    client.call("Input SI", as_participant=counterparty, **_input_body(
        client, side="RECEIVE", counterparty=actor, quantity=body["quantity"]))
    return {"siId": own.body["siId"]}


# operationId -> (how to get path parameters, a request body valid for the business, for that resource)
CASES: dict[str, tuple[Callable[[OcpClient], dict[str, str]], Callable[[OcpClient], dict[str, Any]]]] = {
    "inputSi": (lambda client: {}, _input_body),
    "changeSi": (_unmatched_si, lambda client: {"quantity": 10, "narrative": "changed"}),
    "changeHoldMatchedSi": (_matched_si, lambda client: {"hold": True}),
    "changeMatchedSettledSi": (_matched_si, lambda client: {"narrative": "amended", "excludeFromBatch": False}),
}


def _properties(op_id: str) -> list[str]:
    return sorted(body_schema(op_id)["properties"])


def _check(exchange: Exchange, function: str, field: str, what: str) -> None:
    received = f"HTTP {exchange.status}: {exchange.response.text[:300]}"
    if exchange.status != 400:
        raise FieldAccepted(function, f"{function} accepted a request whose {what}.\n  Received: {received}\n"
                            f"  Expected: 400 problem+json naming /{field}\n  reproduce: {exchange.curl()}")
    pointers = [e.get("pointer") for e in (exchange.body or {}).get("errors", [])]
    if f"/{field}" not in pointers:
        raise FieldAccepted(function, f"{function} rejected a request whose {what}, but did not name the field."
                            f"\n  Received: errors at {pointers}\n  Expected: an error at /{field}"
                            f"\n  reproduce: {exchange.curl()}")


def _setup(op_id: str, harness: Harness) -> tuple[OcpClient, str, str, dict[str, str], dict[str, Any]]:
    """The client, the acting participant, the function, and a request valid for the business too."""
    client = harness.client
    path_of, body_of = CASES[op_id]
    path, base = path_of(client), body_of(client)
    assert not forbidden(op_id, path, base), f"harness bug: the base request for {op_id} breaks the contract"
    return client, client.target.acting_pair()[0], str(DOCUMENT.operations[op_id].function), path, base


def _params() -> list[Any]:
    return [pytest.param(op_id, id=op_id, marks=pytest.mark.ocp(
        functions=[DOCUMENT.operations[op_id].function], check="negative")) for op_id in CASES]


@pytest.mark.parametrize("op_id", _params())
def test_each_forbidden_field_value_is_rejected_and_named(op_id: str, ocp_harness: Harness) -> None:
    client, actor, function, path, base = _setup(op_id, ocp_harness)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(_properties(op_id)), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**base, field: value}
        if not forbidden(op_id, path, body):
            return  # the value happens to be allowed: nothing to check
        exchange = client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
        _check(exchange, function, field, f"{field} is {value!r}")

    broken_field()


@pytest.mark.parametrize("op_id", _params())
def test_each_required_field_is_required(op_id: str, ocp_harness: Harness) -> None:
    client, actor, function, path, base = _setup(op_id, ocp_harness)
    required = body_schema(op_id).get("required", [])
    for field in required:
        body = {k: v for k, v in base.items() if k != field}
        exchange = client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
        _check(exchange, function, field, f"required field {field} is missing")
