"""Maintain ATI rejects invalid input precisely: the contract's field rules (400 naming the field) and Input
ATI's business rules (422 with the rule's code and the field it blames).

Like ``test_field_rejection.py``, each case starts from a request valid for the business too and breaks exactly
one field (top-level or inside one mass item) with a value the contract's own JSON Schema forbids. A 2xx means
the target accepted what the contract forbids. Business cases use the demo accounts 01 and 02 and stock 00005.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

import pytest
from holdings import holding_at_most
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from request_rules import ANY_JSON, forbidden, function_of

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.pytest_plugin import Harness

ACCOUNT_FROM, ACCOUNT_TO, STOCK = "01", "02", "00005"
HUGE: Final = 999_999_999_999  # the contract's largest quantity: more than any account holds


class FieldAccepted(AssertionError):
    """The target accepted (or misreported) a value the contract or a business rule forbids."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(message)
        self.function = function


def _ati() -> dict[str, Any]:
    return {"fromAccount": ACCOUNT_FROM, "toAccount": ACCOUNT_TO, "stockCode": STOCK, "quantity": 1}


def _mass() -> dict[str, Any]:
    return {"items": [{"kind": "ATI", **_ati()}, {"kind": "STI", **_ati(), "paymentType": "FOP"}],
            "ownReference": uuid.uuid4().hex[:16]}


def _received_mass(client: OcpClient) -> dict[str, str]:
    exchange = client.call("Input Mass ATI/STI", as_participant=client.target.acting_pair()[0], **_mass())
    return {"massId": exchange.expect()["massId"]}


# operationId -> (path parameters, a request body valid for the business too)
CASES: dict[str, tuple[Callable[[OcpClient], dict[str, str]], Callable[[], dict[str, Any]]]] = {
    "inputAti": (lambda client: {}, _ati),
    "inputMassTransfer": (lambda client: {}, _mass),
    "changeMassTransfer": (_received_mass, _mass),
}


def _check_400(exchange: Exchange, function: str, pointer: str, what: str) -> None:
    received = f"HTTP {exchange.status}: {exchange.response.text[:300]}"
    if exchange.status != 400:
        raise FieldAccepted(function, f"{function} accepted a request whose {what}.\n  Received: {received}\n"
                            f"  Expected: 400 problem+json naming {pointer}\n  reproduce: {exchange.curl()}")
    pointers = [str(e.get("pointer")) for e in (exchange.body or {}).get("errors", [])]
    if not any(p == pointer or p.startswith(pointer + "/") for p in pointers):
        raise FieldAccepted(function, f"{function} rejected a request whose {what}, but did not name the field."
                            f"\n  Received: errors at {pointers}\n  Expected: an error at {pointer}"
                            f"\n  reproduce: {exchange.curl()}")


def _params() -> list[Any]:
    return [pytest.param(op_id, id=op_id, marks=pytest.mark.ocp(functions=[function_of(op_id)], check="negative"))
            for op_id in CASES]


_SETTINGS: Final = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                            suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("op_id", _params())
def test_each_forbidden_field_value_is_rejected_and_named(op_id: str, ocp_harness: Harness) -> None:
    client = ocp_harness.client
    actor = client.target.acting_pair()[0]
    path_of, body_of = CASES[op_id]
    path, base = path_of(client), body_of()
    assert not forbidden(op_id, path, base), f"harness bug: the base request for {op_id} breaks the contract"

    @_SETTINGS
    @given(field=st.sampled_from(sorted(base)), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**base, field: value}
        if forbidden(op_id, path, body):
            exchange = client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
            _check_400(exchange, function_of(op_id), f"/{field}", f"{field} is {value!r}")

    broken_field()


@pytest.mark.parametrize("op_id", [p for p in _params() if p.id != "inputAti"])
def test_each_forbidden_item_field_value_is_rejected_and_named(op_id: str, ocp_harness: Harness) -> None:
    """One field of one mass item broken: the problem points into that item."""
    client = ocp_harness.client
    actor = client.target.acting_pair()[0]
    path_of, body_of = CASES[op_id]
    path, base = path_of(client), body_of()

    @_SETTINGS
    @given(index=st.sampled_from([0, 1]), field=st.sampled_from(["kind", "fromAccount", "toAccount", "stockCode",
                                                                  "quantity", "paymentType"]), value=ANY_JSON)
    def broken_item(index: int, field: str, value: Any) -> None:
        items = [dict(item) for item in base["items"]]
        items[index][field] = value
        body = {**base, "items": items}
        if forbidden(op_id, path, body):
            exchange = client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
            _check_400(exchange, function_of(op_id), f"/items/{index}", f"items[{index}].{field} is {value!r}")

    broken_item()


@pytest.mark.parametrize("op_id", _params())
def test_each_required_field_is_required(op_id: str, ocp_harness: Harness) -> None:
    client = ocp_harness.client
    actor = client.target.acting_pair()[0]
    path_of, body_of = CASES[op_id]
    path, base = path_of(client), body_of()
    for field in sorted(base):
        body = {k: v for k, v in base.items() if k != field}
        if forbidden(op_id, path, body):
            exchange = client.call_operation(op_id, as_participant=actor, validate_request=False, body=body, **path)
            _check_400(exchange, function_of(op_id), f"/{field}", f"required field {field} is missing")


# ---------------------------------------------------------------------- Input ATI business rules
BUSINESS: Final = [
    pytest.param({"toAccount": ACCOUNT_FROM}, "ACCOUNT_SAME", ("/toAccount", "/fromAccount"), id="same-account"),
    pytest.param({"toAccount": "77"}, "STOCK_ACCOUNT_UNKNOWN", ("/toAccount",), id="unknown-to-account"),
    pytest.param({"fromAccount": "77"}, "STOCK_ACCOUNT_UNKNOWN", ("/fromAccount",), id="unknown-from-account"),
    pytest.param({"stockCode": "99999"}, "STOCK_UNKNOWN", ("/stockCode",), id="unknown-stock"),
    pytest.param({"quantity": HUGE}, "INSUFFICIENT_BALANCE", ("/quantity",), id="above-available"),
]


@pytest.mark.ocp(functions=["Input ATI"], check="negative")
@pytest.mark.parametrize(("change", "code", "pointers"), BUSINESS)
def test_input_ati_business_rule_is_422_with_code_and_field(change: dict[str, Any], code: str,
                                                            pointers: tuple[str, ...], ocp_client: OcpClient) -> None:
    """A conforming ATI that breaks a rule is refused with 422, the rule's code and the field it blames."""
    body = {**_ati(), **change}
    if code == "INSUFFICIENT_BALANCE":  # earlier checks may have left the contract's largest quantity there
        holding_at_most(ocp_client, ocp_client.target.acting_pair()[0], ACCOUNT_FROM, STOCK, HUGE - 1)
    exchange = ocp_client.call("Input ATI", as_participant=ocp_client.target.acting_pair()[0], **body)
    problem = exchange.body if isinstance(exchange.body, dict) else {}
    named = [str(e.get("pointer")) for e in problem.get("errors", [])]
    if exchange.status != 422 or problem.get("code") != code or not set(named) & set(pointers):
        raise FieldAccepted("Input ATI", f"Input ATI with {change} was not refused as {code}.\n"
                            f"  Received: HTTP {exchange.status} code={problem.get('code')} errors at {named}\n"
                            f"  Expected: HTTP 422 code={code} naming one of {list(pointers)}\n"
                            f"  reproduce: {exchange.curl()}")
    if code == "INSUFFICIENT_BALANCE" and str(HUGE) not in str(problem.get("detail")):
        raise FieldAccepted("Input ATI", "INSUFFICIENT_BALANCE does not say how many shares were requested.\n"
                            f"  Received: {problem.get('detail')!r}\n  Expected: a detail naming {HUGE} and the "
                            f"available quantity\n  reproduce: {exchange.curl()}")
