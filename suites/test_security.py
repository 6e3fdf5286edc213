"""Security of every OCP operation: authentication is required, and participants never see each other's SIs.

Rules enforced (DESIGN.md §6, DOMAIN.md §3):

- no bearer token -> 401 problem+json with code UNAUTHENTICATED, for every operation of the OCP contract;
- a bearer token the target did not issue -> 401 UNAUTHENTICATED;
- an operation on ``/settlement-instructions/{siId}...`` with another participant's siId -> 404 SI_NOT_FOUND
  (the same answer as for an id that does not exist), never 200, and nothing of the owner's SI in the body;
- Enquire SI and Enquire Deleted SI never list another participant's SIs.

Operations are parametrized from the contract at collection, one test per operationId, each blaming the
catalogue function the operation serves.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import httpx
import pytest

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.contracts import ContractSet, Operation, load_contracts
from ocp_conformance.targets import Target

_MODULE_CONTRACTS: Final = load_contracts()
_OPERATIONS: Final = [op for doc in _MODULE_CONTRACTS.api_documents for op in doc.operations.values()]
_SI_PATH: Final = "/settlement-instructions/{siId}"
_UNKNOWN_SI: Final = "SI9999999999"


def _params(operations: list[Operation]) -> list[Any]:
    return [pytest.param(op.operation_id, id=op.operation_id,
                         marks=pytest.mark.ocp(functions=[op.function] if op.function else [], check="security"))
            for op in operations]


class SecurityFailure(AssertionError):
    """The target lets a request through that it must refuse, or shows one participant's data to another."""

    def __init__(self, function: str | None, what: str, *, received: object, expected: object,
                 exchange: Exchange) -> None:
        self.function = function
        super().__init__(
            f"{function or exchange.operation.operation_id}: {what}\n  Received: {received}\n  Expected: {expected}\n"
            f"  Request: {exchange.curl()}\n"
            f'  Reproduce: ocp-conformance run --only "{function}"'
        )


# ---------------------------------------------------------------------- request building
def _resolve(contracts: ContractSet, op: Operation, schema: Any) -> dict[str, Any]:
    """``schema`` with the local ``$ref``s of ``op``'s bundled document followed."""
    resolved = contracts.document(op.document).resolve(schema)
    return resolved if isinstance(resolved, dict) else {}


def _sample(contracts: ContractSet, op: Operation, schema: Any) -> tuple[bool, Any]:
    """A valid value for a simple schema (example, enum or boolean), or (False, None)."""
    resolved = _resolve(contracts, op, schema)
    if resolved.get("examples"):
        return True, resolved["examples"][0]
    if resolved.get("enum"):
        return True, resolved["enum"][0]
    if resolved.get("type") == "boolean":
        return True, True
    return False, None


def _valid_body(contracts: ContractSet, op: Operation, *, business_date: str, counterparty: str) -> Any:
    """A minimal valid request body: Input SI built by hand, others from the schema (required or one field)."""
    if "requestBody" not in op.spec:
        return None
    if op.operation_id == "inputSi":
        return {"side": "DELIVER", "counterpartyId": counterparty, "stockCode": "00005", "quantity": 1,
                "settlementDate": business_date, "paymentType": "FOP"}
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


def _raw_request(target: Target, op: Operation, body: Any, headers: dict[str, str]) -> httpx.Request:
    path_values = {p["name"]: _UNKNOWN_SI for p in op.spec.get("parameters", []) if p.get("in") == "path"}
    request_headers = dict(headers)
    if any(p.get("in") == "header" and p.get("name") == "Idempotency-Key" for p in op.spec.get("parameters", [])):
        request_headers["Idempotency-Key"] = uuid.uuid4().hex
    return target.http().build_request(op.method.upper(), op.url_template.format(**path_values),
                                       headers=request_headers, json=body)


def _send(target: Target, op: Operation, request: httpx.Request) -> Exchange:
    response = target.http().send(request)
    response.read()
    return Exchange(operation=op, function=op.function, participant=None, request=request, response=response,
                    elapsed_ms=0.0)


def _problem_code(exchange: Exchange) -> str | None:
    body = exchange.body
    return body.get("code") if isinstance(body, dict) else None


def _expect_unauthenticated(exchange: Exchange, what: str) -> None:
    """401, an RFC 9457 problem (application/problem+json) with code UNAUTHENTICATED."""
    content_type = exchange.response.headers.get("content-type", "")
    code = _problem_code(exchange)
    if exchange.status != 401 or not content_type.startswith("application/problem+json") or code != "UNAUTHENTICATED":
        raise SecurityFailure(exchange.function, what,
                              received=f"HTTP {exchange.status} {content_type} code={code}",
                              expected="HTTP 401 application/problem+json code=UNAUTHENTICATED", exchange=exchange)


# ---------------------------------------------------------------------- authentication
@pytest.mark.parametrize("operation_id", _params(_OPERATIONS))
def test_no_token_is_unauthenticated(operation_id: str, ocp_client: OcpClient, ocp_target: Target,
                                     ocp_contracts: ContractSet) -> None:
    """Every OCP operation refuses a request without a bearer token: 401 UNAUTHENTICATED."""
    op = ocp_contracts.operation(operation_id)
    body = _valid_body(ocp_contracts, op, business_date=ocp_client.business_dates()[0].isoformat(),
                       counterparty=ocp_target.acting_pair()[1])
    exchange = _send(ocp_target, op, _raw_request(ocp_target, op, body, {}))
    _expect_unauthenticated(exchange, "a request without a bearer token was not refused")


@pytest.mark.parametrize("operation_id", _params(_OPERATIONS))
def test_wrong_token_is_unauthenticated(operation_id: str, ocp_client: OcpClient, ocp_target: Target,
                                        ocp_contracts: ContractSet) -> None:
    """Every OCP operation refuses a bearer token the target never issued: 401 UNAUTHENTICATED."""
    op = ocp_contracts.operation(operation_id)
    body = _valid_body(ocp_contracts, op, business_date=ocp_client.business_dates()[0].isoformat(),
                       counterparty=ocp_target.acting_pair()[1])
    forged = {"Authorization": f"Bearer forged-{uuid.uuid4().hex}"}
    exchange = _send(ocp_target, op, _raw_request(ocp_target, op, body, forged))
    _expect_unauthenticated(exchange, "a request with a forged bearer token was not refused")


# ---------------------------------------------------------------------- isolation between participants
def _two_participants(target: Target) -> tuple[str, str, str]:
    """(owner A, other participant B, A's counterparty — a third participant when there is one)."""
    owner, other = target.acting_pair()
    third = [p for p in target.participants if p not in (owner, other)]
    return owner, other, third[0] if third else other


def _owners_si(client: OcpClient, target: Target, owner: str, counterparty: str) -> dict[str, Any]:
    """A's fresh UNMATCHED SI, with an ownReference and a quantity no one else uses."""
    reference = uuid.uuid4().hex[:16]
    quantity = 700_000_000 + uuid.uuid4().int % 200_000_000
    created = client.call("Input SI", as_participant=owner, side="DELIVER", counterpartyId=counterparty,
                          stockCode="00005", quantity=quantity, settlementDate=client.business_dates()[0].isoformat(),
                          paymentType="FOP", ownReference=reference, narrative=f"private-{reference}")
    if created.status != 201:
        pytest.skip(f"could not set up A's SI (Input SI answered {created.status} {_problem_code(created)})")
    return dict(created.body)


def _leaks(exchange: Exchange, si: dict[str, Any]) -> list[str]:
    text = exchange.response.text
    return [f"{name}={si[name]}" for name in ("ownReference", "narrative", "quantity") if str(si[name]) in text]


@pytest.mark.parametrize("operation_id", _params([op for op in _OPERATIONS if op.path.startswith(_SI_PATH)]))
def test_other_participants_si_is_not_found(operation_id: str, ocp_client: OcpClient, ocp_target: Target,
                                            ocp_contracts: ContractSet) -> None:
    """B acting on A's siId gets 404 SI_NOT_FOUND, as for an id that does not exist, and sees none of A's data."""
    owner, other, counterparty = _two_participants(ocp_target)
    si = _owners_si(ocp_client, ocp_target, owner, counterparty)
    op = ocp_contracts.operation(operation_id)
    body = _valid_body(ocp_contracts, op, business_date=si["settlementDate"], counterparty=counterparty)
    exchange = ocp_client.call_operation(operation_id, as_participant=other, body=body, siId=si["siId"])
    leaks = _leaks(exchange, si)
    if exchange.status != 404 or _problem_code(exchange) != "SI_NOT_FOUND" or leaks:
        raise SecurityFailure(op.function, f"{other} acted on {owner}'s SI {si['siId']}",
                              received=f"HTTP {exchange.status} code={_problem_code(exchange)}"
                                       + (f", body shows {', '.join(leaks)}" if leaks else ""),
                              expected="HTTP 404 code=SI_NOT_FOUND, nothing of the owner's SI",
                              exchange=exchange)


@pytest.mark.ocp(functions=["Enquire SI"], check="security")
def test_enquire_si_never_lists_other_participants_si(ocp_client: OcpClient, ocp_target: Target) -> None:
    """Enquire SI as B, filtered by A's ownReference, lists nothing (with and without a status filter)."""
    owner, other, counterparty = _two_participants(ocp_target)
    si = _owners_si(ocp_client, ocp_target, owner, counterparty)
    for status in (None, "UNMATCHED"):
        filters = {"ownReference": si["ownReference"]} | ({"status": status} if status else {})
        exchange = ocp_client.call("Enquire SI", operation="enquireSi", as_participant=other, **filters)
        listed = [i.get("siId") for i in (exchange.body or {}).get("items", [])]
        if exchange.status != 200 or si["siId"] in listed or _leaks(exchange, si):
            raise SecurityFailure("Enquire SI", f"Enquire SI as {other} with {filters}",
                                  received=f"HTTP {exchange.status}, siIds {listed}",
                                  expected=f"HTTP 200 without {owner}'s SI {si['siId']}", exchange=exchange)


@pytest.mark.ocp(functions=["Enquire Deleted SI"], check="security")
def test_enquire_deleted_si_never_lists_other_participants_si(ocp_client: OcpClient, ocp_target: Target) -> None:
    """Enquire Deleted SI as B never lists A's SI cancelled today."""
    owner, other, counterparty = _two_participants(ocp_target)
    si = _owners_si(ocp_client, ocp_target, owner, counterparty)
    cancelled = ocp_client.call("Cancel SI", as_participant=owner, siId=si["siId"])
    if cancelled.status != 200:
        pytest.skip(f"could not cancel A's SI (Cancel SI answered {cancelled.status} {_problem_code(cancelled)})")
    cursor: str | None = None
    for _ in range(100):
        fields: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = ocp_client.call("Enquire Deleted SI", as_participant=other, **fields)
        listed = [i.get("siId") for i in (page.body or {}).get("items", [])]
        if page.status != 200 or si["siId"] in listed or _leaks(page, si):
            raise SecurityFailure("Enquire Deleted SI", f"Enquire Deleted SI as {other}",
                                  received=f"HTTP {page.status}, {owner}'s SI {si['siId']} "
                                           f"{'listed' if si['siId'] in listed else 'shown'}",
                                  expected=f"HTTP 200 without {owner}'s SI", exchange=page)
        cursor = page.body.get("nextCursor")
        if not cursor:
            break
