"""Requests built by hand for any operation of the bound contract: a minimal valid body, a path filled with an id
that exists nowhere, and any credential (none, a forged one, a refusing one), sent so that the client's listeners
see the exchange as they see every other (the report of documented error codes provoked counts it)."""

from __future__ import annotations

import uuid
from typing import Any, Final

import httpx

from ocp_conformance.binding import Binding, BindingMissing, credential_header
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.contracts.openapi import simple_sample
from ocp_conformance.targets import Target

__all__ = ["UNKNOWN_ID", "credential", "raw_request", "send_raw", "valid_body"]

UNKNOWN_ID: Final = "SI9999999999"
"""What every path parameter of a hand-built request carries: an id no participant has."""


def credential(contracts: ContractSet, binding: Binding, token: str) -> dict[str, str]:
    """The header presenting ``token`` as the bound contract's security scheme says (an API-key header, or else
    ``Authorization: Bearer``)."""
    header = credential_header(contracts, binding)
    return {header: token} if header else {"Authorization": f"Bearer {token}"}


def _resolve(contracts: ContractSet, op: Operation, schema: Any) -> dict[str, Any]:
    """``schema`` with the local ``$ref``s of ``op``'s bundled document followed."""
    resolved = contracts.document(op.document).resolve(schema)
    return resolved if isinstance(resolved, dict) else {}


def _sample(contracts: ContractSet, op: Operation, schema: Any) -> tuple[bool, Any]:
    """A valid value for a simple schema (example, enum or boolean), or (False, None)."""
    return simple_sample(_resolve(contracts, op, schema))


def valid_body(bound: BoundClient, op: Operation, *, business_date: str, counterparty: str) -> Any:
    """A minimal valid request body: Input SI's by role, others from the schema (required or one field)."""
    contracts = bound.client.contracts
    if "requestBody" not in op.spec:
        return None
    try:
        is_input_si = op.operation_id == bound.binding.operation("Input SI", "create")
    except BindingMissing:
        is_input_si = False
    if is_input_si:
        return bound.request("Input SI", "create", {
            "side": "DELIVER", "counterparty": counterparty, "stock_code": "00005", "quantity": 1,
            "settlement_date": business_date, "payment_type": "FOP"})[1]
    media = op.spec["requestBody"].get("content", {}).get("application/json", {})
    if "example" in media:
        return media["example"]
    for example in media.get("examples", {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    schema = _resolve(contracts, op, media.get("schema", {}))
    properties = schema.get("properties", {})
    body: dict[str, Any] = {}
    for name in schema.get("required", []):
        found, value = _sample(contracts, op, properties.get(name, {}))
        body[name] = value if found else "x"
    if not body:
        for name, prop in properties.items():
            found, value = _sample(contracts, op, prop)
            if found:
                body[name] = value
                break
    return body


def raw_request(target: Target, op: Operation, body: Any, headers: dict[str, str]) -> httpx.Request:
    path_values = dict.fromkeys(op.parameter_names("path"), UNKNOWN_ID)
    request_headers = dict(headers)
    for name in op.parameter_names("header", required=True):  # all there, so only the credential decides
        request_headers[name] = uuid.uuid4().hex
    return target.http().build_request(op.method.upper(), op.url_template.format(**path_values),
                                       headers=request_headers, json=body)


def send_raw(client: OcpClient, op: Operation, request: httpx.Request) -> Exchange:
    """Send a request built by hand (no credential, or a forged one); the client's listeners see its exchange, as
    they see every other (the report of documented error codes provoked counts it)."""
    response = client.target.http().send(request)
    response.read()
    exchange = Exchange(operation=op, function=op.function, participant=None, request=request, response=response,
                        elapsed_ms=0.0)
    for listener in client.listeners:
        listener(exchange)
    return exchange
