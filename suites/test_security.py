"""Security of every OCP operation: authentication is required, and participants never see each other's SIs.

Rules enforced (DESIGN.md §6, DOMAIN.md §3):

- no bearer token -> 401 problem+json with code UNAUTHENTICATED, for every operation of the OCP contract;
- a bearer token the target did not issue -> 401 UNAUTHENTICATED;
- an operation on ``/settlement-instructions/{siId}...`` with another participant's siId -> 404 SI_NOT_FOUND
  (the same answer as for an id that does not exist), never 200, and nothing of the owner's SI in the body;
- Enquire SI and Enquire Deleted SI never list another participant's SIs.

Operations are parametrized from the harness's contracts at collection (never at import), one test per
operationId, each blaming the catalogue function the operation serves. Everything contract-specific comes through
the binding: the credential scheme (a forged API key or bearer token), the status, media type and code of the
unauthenticated and not-found errors, which path parameter carries an SI id, and the fields read by role.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from suites.raw_requests import credential, raw_request, send_raw, valid_body

from ocp_conformance.binding import ABSENT, Binding, BindingMissing, read_pointer
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.client import Exchange
from ocp_conformance.contracts import Operation
from ocp_conformance.pytest_plugin import Harness, harness
from ocp_conformance.targets import Target


def _params(operations: list[Operation]) -> list[Any]:
    return [pytest.param(op.operation_id, id=op.operation_id,
                         marks=pytest.mark.ocp(functions=[op.function] if op.function else [], check="security"))
            for op in operations]


def _si_parameter(binding: Binding, op: Operation) -> str | None:
    """The path parameter of ``op`` that carries an SI id (the binding's si_id role of its function)."""
    try:
        name = binding.parameter(str(op.function), "si_id")
    except BindingMissing:
        return None
    return name if "{" + name + "}" in op.path else None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize from the harness's own contracts and binding (at collection, never at import)."""
    if "operation_id" not in metafunc.fixturenames:
        return
    built = harness(metafunc.config)
    operations = [op for doc in built.contracts.api_documents for op in doc.operations.values()]
    if metafunc.function.__name__ == "test_other_participants_si_is_not_found":
        binding = built.bound.binding
        operations = [op for op in operations if _si_parameter(binding, op) is not None]
    metafunc.parametrize("operation_id", _params(operations))


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


def _problem_code(binding: Binding, exchange: Exchange | BoundExchange) -> object:
    """The error code of an answer, as the model names it (``None`` without one)."""
    raw = exchange.exchange if isinstance(exchange, BoundExchange) else exchange
    code = read_pointer(raw.body, binding.error_shape().code)
    return None if code is ABSENT else binding.model_error_code(code)


def _expect_unauthenticated(binding: Binding, exchange: Exchange, what: str) -> None:
    """The bound contract's unauthenticated error: its status, error media type and code."""
    status, media = binding.error_status("unauthenticated"), binding.error_shape().media_type
    content_type = exchange.response.headers.get("content-type", "")
    code = _problem_code(binding, exchange)
    if exchange.status != status or not content_type.startswith(media) or code != "UNAUTHENTICATED":
        raise SecurityFailure(exchange.function, what,
                              received=f"HTTP {exchange.status} {content_type} code={code}",
                              expected=f"HTTP {status} {media} code={binding.error_code('UNAUTHENTICATED')}",
                              exchange=exchange)


def _forged(harness: Harness) -> dict[str, str]:
    """A credential the target never issued, in the bound contract's scheme."""
    return credential(harness.contracts, harness.bound.binding, f"forged-{uuid.uuid4().hex}")


# ---------------------------------------------------------------------- authentication
def test_no_token_is_unauthenticated(operation_id: str, ocp_harness: Harness) -> None:
    """Every OCP operation refuses a request without a credential: the unauthenticated error."""
    client, target, bound = ocp_harness.client, ocp_harness.target, ocp_harness.bound
    op = ocp_harness.contracts.operation(operation_id)
    body = valid_body(bound, op, business_date=client.business_dates()[0].isoformat(),
                       counterparty=target.acting_pair()[1])
    exchange = send_raw(client, op, raw_request(target, op, body, {}))
    _expect_unauthenticated(bound.binding, exchange, "a request without a credential was not refused")


def test_wrong_token_is_unauthenticated(operation_id: str, ocp_harness: Harness) -> None:
    """Every OCP operation refuses a credential the target never issued: the unauthenticated error."""
    client, target, bound = ocp_harness.client, ocp_harness.target, ocp_harness.bound
    op = ocp_harness.contracts.operation(operation_id)
    body = valid_body(bound, op, business_date=client.business_dates()[0].isoformat(),
                       counterparty=target.acting_pair()[1])
    exchange = send_raw(client, op, raw_request(target, op, body, _forged(ocp_harness)))
    _expect_unauthenticated(bound.binding, exchange, "a request with a forged credential was not refused")


# ---------------------------------------------------------------------- isolation between participants
def _two_participants(target: Target) -> tuple[str, str, str]:
    """(owner A, other participant B, A's counterparty — a third participant when there is one)."""
    owner, other = target.acting_pair()
    third = [p for p in target.participants if p not in (owner, other)]
    return owner, other, third[0] if third else other


def _owners_si(bound: BoundClient, owner: str, counterparty: str) -> dict[str, Any]:
    """A's fresh UNMATCHED SI (by role), with an own reference and a quantity no one else uses."""
    reference = uuid.uuid4().hex[:16]
    quantity = 700_000_000 + uuid.uuid4().int % 200_000_000
    values = {"side": "DELIVER", "counterparty": counterparty, "stock_code": "00005", "quantity": quantity,
              "settlement_date": bound.client.business_dates()[0].isoformat(), "payment_type": "FOP",
              "own_reference": reference, "narrative": f"private-{reference}"}
    created = bound.call("Input SI", "create", as_participant=owner, **values)
    if created.status // 100 != 2:
        pytest.skip(f"could not set up A's SI (Input SI answered {created.status} "
                    f"{_problem_code(bound.binding, created)})")
    return {**values, "si_id": created.get("si_id")}


def _leaks(exchange: Exchange | BoundExchange, si: dict[str, Any]) -> list[str]:
    text = (exchange.exchange if isinstance(exchange, BoundExchange) else exchange).response.text
    return [f"{role}={si[role]}" for role in ("own_reference", "narrative", "quantity") if str(si[role]) in text]


def _expect_not_found(binding: Binding, function: str | None, answer: Exchange, si: dict[str, Any],
                      what: str) -> None:
    status = binding.error_status("not_found")
    leaks = _leaks(answer, si)
    code = _problem_code(binding, answer)
    if answer.status != status or code != "SI_NOT_FOUND" or leaks:
        raise SecurityFailure(function, what,
                              received=f"HTTP {answer.status} code={code}"
                                       + (f", body shows {', '.join(leaks)}" if leaks else ""),
                              expected=f"HTTP {status} code={binding.error_code('SI_NOT_FOUND')}, nothing of the "
                                       "owner's SI", exchange=answer)


def test_other_participants_si_is_not_found(operation_id: str, ocp_harness: Harness) -> None:
    """B acting on A's SI id gets "SI not found", as for an id that does not exist, and sees none of A's data."""
    target, bound = ocp_harness.target, ocp_harness.bound
    owner, other, counterparty = _two_participants(target)
    si = _owners_si(bound, owner, counterparty)
    op = ocp_harness.contracts.operation(operation_id)
    parameter = _si_parameter(bound.binding, op)
    assert parameter is not None
    body = valid_body(bound, op, business_date=si["settlement_date"], counterparty=counterparty)
    exchange = ocp_harness.client.call_operation(operation_id, as_participant=other, body=body,
                                                 **{parameter: si["si_id"]})
    _expect_not_found(bound.binding, op.function, exchange, si, f"{other} acted on {owner}'s SI {si['si_id']}")


def _listed(answer: BoundExchange) -> list[object]:
    return [answer.item_value(item, "si_id") for item in answer.items()]


@pytest.mark.ocp(functions=["Enquire SI"], check="security")
def test_enquire_si_never_lists_other_participants_si(ocp_harness: Harness) -> None:
    """Enquire SI as B, filtered by A's own reference, lists nothing (with and without a status filter)."""
    bound = ocp_harness.bound
    owner, other, counterparty = _two_participants(ocp_harness.target)
    si = _owners_si(bound, owner, counterparty)
    for status in (None, "UNMATCHED"):
        filters = {"own_reference": si["own_reference"]} | ({"status": status} if status else {})
        answer = bound.call("Enquire SI", "list", as_participant=other, **filters)
        listed = _listed(answer) if answer.status // 100 == 2 else []
        if answer.status // 100 != 2 or si["si_id"] in listed or _leaks(answer, si):
            raise SecurityFailure("Enquire SI", f"Enquire SI as {other} with {filters}",
                                  received=f"HTTP {answer.status}, SI ids {listed}",
                                  expected=f"2xx without {owner}'s SI {si['si_id']}", exchange=answer.exchange)


@pytest.mark.ocp(functions=["Enquire Deleted SI"], check="security")
def test_enquire_deleted_si_never_lists_other_participants_si(ocp_harness: Harness) -> None:
    """Enquire Deleted SI as B never lists A's SI cancelled today."""
    bound = ocp_harness.bound
    owner, other, counterparty = _two_participants(ocp_harness.target)
    si = _owners_si(bound, owner, counterparty)
    cancelled = bound.call("Cancel SI", "cancel", as_participant=owner, si_id=si["si_id"])
    if cancelled.status // 100 != 2:
        pytest.skip(f"could not cancel A's SI (Cancel SI answered {cancelled.status} "
                    f"{_problem_code(bound.binding, cancelled)})")
    cursor: object = None
    for _ in range(100):
        page = bound.call("Enquire Deleted SI", "list", as_participant=other,
                          **({"limit": 200} | ({"cursor": cursor} if cursor else {})))
        listed = _listed(page) if page.status // 100 == 2 else []
        if page.status // 100 != 2 or si["si_id"] in listed or _leaks(page, si):
            raise SecurityFailure("Enquire Deleted SI", f"Enquire Deleted SI as {other}",
                                  received=f"HTTP {page.status}, {owner}'s SI {si['si_id']} "
                                           f"{'listed' if si['si_id'] in listed else 'shown'}",
                                  expected=f"2xx without {owner}'s SI", exchange=page.exchange)
        cursor = page.get("next_cursor", default=None)
        if not cursor:
            break
