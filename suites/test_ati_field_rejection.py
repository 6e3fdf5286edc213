"""Maintain ATI rejects invalid input precisely: the contract's field rules (the invalid-request error naming the
field) and Input ATI's business rules (the business error with the rule's code and the field it blames).

Like ``test_field_rejection.py``, each case starts from a request valid for the business too and breaks exactly
one field (top-level or inside one mass item) with a value the contract's own JSON Schema forbids. A 2xx means
the target accepted what the contract forbids; the unbroken request must be accepted, so a target that refuses
everything never passes. Business cases use the demo accounts 01 and 02 (and its SPSAs 80 and 81: no transfer from
one SPSA into another) and stock 00005; each documented business code has its own case, the valid ATI accepted after.

Everything contract-specific comes through the binding: operations by function and role, fields by role (a mass
item's by item roles), the error shape, statuses and codes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Final

import pytest
from holdings import holding_at_most
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from idempotency_keys import check_key_reuse
from request_rules import ANY_JSON, require_documented, violates

from ocp_conformance.binding import NOT_APPLICABLE, place_pointer, read_pointer
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness

ACCOUNT_FROM, ACCOUNT_TO, STOCK = "01", "02", "00005"
SPSA, OTHER_SPSA = "80", "81"  # the demo's two SPSAs (each holds one investor's China Connect stock)
HUGE: Final = 999_999_999_999  # the contract's largest quantity: more than any account holds
MASS: Final = "Input Mass ATI/STI"


class FieldAccepted(AssertionError):
    """The target accepted (or misreported) a value the contract or a business rule forbids."""

    def __init__(self, function: str, message: str) -> None:
        super().__init__(message)
        self.function = function


def _ati() -> dict[str, Any]:
    return {"from_account": ACCOUNT_FROM, "to_account": ACCOUNT_TO, "stock_code": STOCK, "quantity": 1}


def _mass(bound: BoundClient) -> dict[str, Any]:
    return {"transfers": [bound.item(MASS, {"kind": "ATI", **_ati()}),
                          bound.item(MASS, {"kind": "STI", **_ati(), "payment_type": "FOP"})],
            "own_reference": uuid.uuid4().hex[:16]}


def _received_mass(bound: BoundClient, actor: str) -> dict[str, Any]:
    answer = bound.call(MASS, "create", as_participant=actor, **_mass(bound))
    answer.expect()
    return {"mass_id": answer.get("mass_id")}


# (function, role) -> (path roles, request roles valid for the business too)
CASES: dict[tuple[str, str], tuple[Callable[[BoundClient, str], dict[str, Any]],
                                   Callable[[BoundClient], dict[str, Any]]]] = {
    ("Input ATI", "create"): (lambda bound, actor: {}, lambda bound: _ati()),
    (MASS, "create"): (lambda bound, actor: {}, _mass),
    ("Change Mass ATI/STI", "change"): (_received_mass, _mass),
}


class _Case:
    """One case made ready against the target: the bound operation, a valid request, who sends it."""

    def __init__(self, function: str, role: str, harness: Harness) -> None:
        self.function, self.role = function, role
        self.bound = harness.bound
        self.operation = self.bound.operation(function, role)
        if "requestBody" not in self.operation.spec:
            pytest.skip(f"{NOT_APPLICABLE}{self.operation.operation_id} takes no request body in the bound contract: "
                        "no field to reject")
        self.contracts = harness.contracts
        self.actor = harness.target.acting_pair()[0]
        path_of, values_of = CASES[(function, role)]
        self.path, self.base = self.bound.request(function, role, {**path_of(self.bound, self.actor),
                                                                   **values_of(self.bound)})
        assert not self.forbidden(self.base), f"harness bug: the base request for {function} breaks the contract"

    def send(self, body: dict[str, Any]) -> BoundExchange:
        return self.bound.call(self.function, self.role, as_participant=self.actor, validate_request=False,
                               body=body, parameters=self.path)

    def forbidden(self, body: dict[str, Any]) -> bool:
        return violates(self.contracts, self.operation, self.path, body)

    def check_400(self, body: dict[str, Any], pointer: str, what: str) -> None:
        """The request is refused as invalid, with an error naming ``pointer`` (or a field inside it)."""
        answer = self.send(body)
        invalid = self.bound.binding.error_status("invalid", function=self.function)
        received = f"HTTP {answer.status}: {answer.exchange.response.text[:300]}"
        if answer.status != invalid:
            raise FieldAccepted(self.function, f"{self.function} accepted a request whose {what}.\n  Received: "
                                f"{received}\n  Expected: {invalid} naming {pointer}\n  reproduce: {answer.curl()}")
        pointers = answer.error_pointers()
        if not any(p == pointer or p.startswith(pointer + "/") for p in pointers):
            raise FieldAccepted(self.function, f"{self.function} rejected a request whose {what}, but did not name "
                                f"the field.\n  Received: errors at {pointers}\n  Expected: an error at {pointer}"
                                f"\n  reproduce: {answer.curl()}")

    def accepts_the_valid_request(self) -> None:
        """The unbroken request is accepted: the rejections then mean something."""
        answer = self.send(dict(self.base))
        if not answer.ok:
            raise FieldAccepted(self.function, f"{self.function} refused a request valid for the contract and the "
                                f"business.\n  Received: HTTP {answer.status}: {answer.exchange.response.text[:300]}"
                                f"\n  Expected: 2xx\n  reproduce: {answer.curl()}")


def _params(*, with_items: bool = False) -> list[Any]:
    return [pytest.param(function, role, id=f"{function}:{role}",
                         marks=pytest.mark.ocp(functions=[function], check="negative"))
            for function, role in CASES if not with_items or function != "Input ATI"]


_SETTINGS: Final = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                            suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_forbidden_field_value_is_rejected_and_named(function: str, role: str, ocp_harness: Harness) -> None:
    case = _Case(function, role, ocp_harness)

    @_SETTINGS
    @given(field=st.sampled_from(sorted(case.base)), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**case.base, field: value}
        if case.forbidden(body):
            case.check_400(body, f"/{field}", f"{field} is {value!r}")

    broken_field()
    case.accepts_the_valid_request()


@pytest.mark.parametrize(("function", "role"), _params(with_items=True))
def test_each_forbidden_item_field_value_is_rejected_and_named(function: str, role: str,
                                                               ocp_harness: Harness) -> None:
    """One field of one mass item broken: the problem points into that item."""
    case = _Case(function, role, ocp_harness)
    listed = case.bound.binding.pointer(function, "transfers")
    base_items = read_pointer(case.base, listed)
    names = sorted({name for item in base_items for name in item})

    @_SETTINGS
    @given(index=st.sampled_from([0, 1]), field=st.sampled_from(names), value=ANY_JSON)
    def broken_item(index: int, field: str, value: Any) -> None:
        items = [dict(item) for item in base_items]
        items[index][field] = value
        body = dict(case.base)
        place_pointer(body, listed, items)
        if case.forbidden(body):
            case.check_400(body, f"{listed}/{index}", f"{listed}/{index}/{field} is {value!r}")

    broken_item()
    case.accepts_the_valid_request()


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_required_field_is_required(function: str, role: str, ocp_harness: Harness) -> None:
    case = _Case(function, role, ocp_harness)
    for field in sorted(case.base):
        body = {k: v for k, v in case.base.items() if k != field}
        if case.forbidden(body):
            case.check_400(body, f"/{field}", f"required field {field} is missing")
    case.accepts_the_valid_request()


# ---------------------------------------------------------------------- Input ATI business rules
BUSINESS: Final = [
    pytest.param({"to_account": ACCOUNT_FROM}, "ACCOUNT_SAME", ("to_account", "from_account"), id="same-account"),
    pytest.param({"to_account": "77"}, "STOCK_ACCOUNT_UNKNOWN", ("to_account",), id="unknown-to-account"),
    pytest.param({"from_account": "77"}, "STOCK_ACCOUNT_UNKNOWN", ("from_account",), id="unknown-from-account"),
    pytest.param({"stock_code": "99999"}, "STOCK_UNKNOWN", ("stock_code",), id="unknown-stock"),
    pytest.param({"quantity": HUGE}, "INSUFFICIENT_BALANCE", ("quantity",), id="above-available"),
    pytest.param({"from_account": SPSA, "to_account": OTHER_SPSA}, "SPSA_TRANSFER_NOT_ALLOWED", ("to_account",),
                 id="spsa-to-spsa"),
]


@pytest.mark.ocp(functions=["Input ATI"], check="negative")
@pytest.mark.parametrize(("change", "rule", "roles"), BUSINESS)
def test_input_ati_business_rule_is_422_with_code_and_field(change: dict[str, Any], rule: str,
                                                            roles: tuple[str, ...], ocp_harness: Harness) -> None:
    """A conforming ATI that breaks a rule is refused with the business error, the rule's code and the field it
    blames; the unbroken ATI is accepted after it."""
    bound = ocp_harness.bound
    require_documented(bound, "Input ATI", "create", rule)
    actor = ocp_harness.target.acting_pair()[0]
    if rule == "INSUFFICIENT_BALANCE":  # earlier checks may have left the contract's largest quantity there
        holding_at_most(ocp_harness.client, actor, ACCOUNT_FROM, STOCK, HUGE - 1)
    answer = bound.call("Input ATI", "create", as_participant=actor, **{**_ati(), **change})
    business = bound.binding.error_status("business", function="Input ATI")
    named = answer.error_roles()
    if answer.status != business or answer.error_code() != rule or not set(named) & set(roles):
        raise FieldAccepted("Input ATI", f"Input ATI with {change} was not refused as {rule}.\n"
                            f"  Received: HTTP {answer.status} code={answer.error_code()} errors at "
                            f"{answer.error_pointers()}\n  Expected: HTTP {business} code={rule} naming one of "
                            f"{list(roles)}\n  reproduce: {answer.curl()}")
    message = answer.error_message()
    if rule == "INSUFFICIENT_BALANCE" and str(HUGE) not in str(message):
        raise FieldAccepted("Input ATI", "INSUFFICIENT_BALANCE does not say how many shares were requested.\n"
                            f"  Received: {message!r}\n  Expected: a message naming {HUGE} and the "
                            f"available quantity\n  reproduce: {answer.curl()}")
    valid = bound.call("Input ATI", "create", as_participant=actor, **_ati())
    if not valid.ok:
        raise FieldAccepted("Input ATI", f"Input ATI refused a valid ATI after refusing {rule}.\n  Received: HTTP "
                            f"{valid.status} code={valid.error_code()}\n  Expected: 2xx\n  reproduce: {valid.curl()}")


@pytest.mark.ocp(functions=["Input ATI"], check="negative")
def test_input_ati_refuses_an_idempotency_key_reused_for_another_ati(ocp_harness: Harness) -> None:
    """The same idempotency key with another ATI is the conflict error IDEMPOTENCY_KEY_REUSED; the other ATI under a
    fresh key is accepted."""
    bound = ocp_harness.bound
    require_documented(bound, "Input ATI", "create", "IDEMPOTENCY_KEY_REUSED")
    check_key_reuse(bound, "Input ATI", "create", ocp_harness.target.acting_pair()[0], _ati(),
                    {**_ati(), "quantity": 2})
