"""Each request field the contract constrains is enforced on its own.

Schemathesis's negative cases break one part of an otherwise random request, so a business rejection of the
random parts (an unknown counterparty: 422) can hide a server that accepts the broken part. Here every case
starts from a request that is valid for the business too, breaks exactly one field with a value the contract
forbids (the contract's own JSON Schema decides, so nothing is listed twice), and requires the bound contract's
"invalid request" error whose per-field errors name that field. A 2xx means the server accepted what the contract
forbids. Before any of that, the unbroken request must be accepted (2xx): a target that refuses everything
never passes.

Everything contract-specific comes through the binding (``binding.yaml``): the operations by role, the fields by
role, the error shape and status. Cases are keyed by catalogue function and role, never by operationId.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from request_rules import ANY_JSON, request_schema, violates

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness


class FieldAccepted(AssertionError):
    """The target accepted (or misreported) a field value the contract forbids."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(message)
        self.function = function


Roles = dict[str, Any]


def _input_values(bound: BoundClient, side: str = "DELIVER", counterparty: str | None = None,
                  quantity: int | None = None) -> Roles:
    client = bound.client
    return {"side": side, "counterparty": counterparty or client.target.acting_pair()[1], "stock_code": "00005",
            "quantity": quantity or 1 + uuid.uuid4().int % 10**6,
            "settlement_date": client.business_dates()[0].isoformat(), "payment_type": "FOP",
            "own_reference": uuid.uuid4().hex[:16]}


def _created(answer: BoundExchange, what: str) -> Roles:
    if answer.status // 100 != 2:
        raise FieldAccepted(answer.function, f"{answer.function} refused a valid request ({what}).\n"
                            f"  Received: HTTP {answer.status}: {answer.exchange.response.text[:300]}\n"
                            f"  Expected: 2xx\n  reproduce: {answer.curl()}")
    return {"si_id": answer.get("si_id")}


def _unmatched_si(bound: BoundClient) -> Roles:
    actor = bound.client.target.acting_pair()[0]
    return _created(bound.call("Input SI", "create", as_participant=actor, **_input_values(bound)), "setup")


def _matched_si(bound: BoundClient) -> Roles:
    values = _input_values(bound)
    actor, counterparty = bound.client.target.acting_pair()
    own = _created(bound.call("Input SI", "create", as_participant=actor, **values), "setup")
    _created(bound.call("Input SI", "create", as_participant=counterparty, **_input_values(
        bound, side="RECEIVE", counterparty=actor, quantity=values["quantity"])), "setup")
    return own


# (catalogue function, role) -> (the resource's path roles, request roles valid for the business, for it)
CASES: dict[tuple[str, str], tuple[Callable[[BoundClient], Roles], Callable[[BoundClient], Roles]]] = {
    ("Input SI", "create"): (lambda bound: {}, _input_values),
    ("Change SI", "change"): (_unmatched_si, lambda bound: {"quantity": 10, "narrative": "changed"}),
    ("Change Hold Matched SI", "hold"): (_matched_si, lambda bound: {"hold": True}),
    ("Change Matched/Settled SI", "amend"): (_matched_si,
                                             lambda bound: {"narrative": "amended", "exclude_from_batch": False}),
}


def _check(answer: BoundExchange, field: str, what: str) -> None:
    function, binding = answer.function, answer.binding
    invalid = binding.error_status("invalid", function=function)
    received = f"HTTP {answer.status}: {answer.exchange.response.text[:300]}"
    if answer.status != invalid:
        raise FieldAccepted(function, f"{function} accepted a request whose {what}.\n  Received: {received}\n"
                            f"  Expected: {invalid} {binding.error_shape().media_type} naming /{field}\n"
                            f"  reproduce: {answer.curl()}")
    pointers = answer.error_pointers()
    if f"/{field}" not in pointers:
        raise FieldAccepted(function, f"{function} rejected a request whose {what}, but did not name the field."
                            f"\n  Received: errors at {pointers}\n  Expected: an error at /{field}"
                            f"\n  reproduce: {answer.curl()}")


class _Case:
    """One case made ready against the target: the bound operation, a valid request, who sends it."""

    def __init__(self, function: str, role: str, harness: Harness) -> None:
        self.function, self.role = function, role
        self.bound = harness.bound
        path_of, values_of = CASES[(function, role)]
        # a contract that splits the function by a value (hold/release) takes that value as the operation
        self.role, values = self.bound.role_for(function, role, values_of(self.bound))
        self.operation = self.bound.operation(function, self.role)
        if "requestBody" not in self.operation.spec:
            pytest.skip(f"{NOT_APPLICABLE}{self.operation.operation_id} takes no request body in the bound contract: "
                        "no field to reject")
        self.contracts = harness.contracts
        self.actor = harness.target.acting_pair()[0]
        self.path, self.base = self.bound.request(function, self.role, {**path_of(self.bound), **values})
        assert not violates(self.contracts, self.operation, self.path, self.base), \
            f"harness bug: the base request for {function} breaks the contract"
        self.properties = sorted(request_schema(self.contracts, self.operation).get("properties", {}))
        self.required = list(request_schema(self.contracts, self.operation).get("required", []))

    def send(self, body: dict[str, Any]) -> BoundExchange:
        return self.bound.call(self.function, self.role, as_participant=self.actor, validate_request=False,
                               body=body, parameters=self.path)

    def forbidden(self, body: dict[str, Any]) -> bool:
        return violates(self.contracts, self.operation, self.path, body)

    def accepts_the_valid_request(self) -> None:
        """The unbroken request is accepted: the rejections below then mean something."""
        answer = self.send(dict(self.base))
        if answer.status // 100 != 2:
            raise FieldAccepted(self.function, f"{self.function} refused a request valid for the contract and the "
                                f"business.\n  Received: HTTP {answer.status}: {answer.exchange.response.text[:300]}"
                                f"\n  Expected: 2xx\n  reproduce: {answer.curl()}")


def _params() -> list[Any]:
    return [pytest.param(function, role, id=f"{function}:{role}",
                         marks=pytest.mark.ocp(functions=[function], check="negative")) for function, role in CASES]


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_forbidden_field_value_is_rejected_and_named(function: str, role: str, ocp_harness: Harness) -> None:
    case = _Case(function, role, ocp_harness)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(case.properties), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**case.base, field: value}
        if not case.forbidden(body):
            return  # the value happens to be allowed: nothing to check
        _check(case.send(body), field, f"{field} is {value!r}")

    broken_field()
    case.accepts_the_valid_request()


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_required_field_is_required(function: str, role: str, ocp_harness: Harness) -> None:
    case = _Case(function, role, ocp_harness)
    for field in case.required:
        _check(case.send({k: v for k, v in case.base.items() if k != field}), field,
               f"required field {field} is missing")
    case.accepts_the_valid_request()
