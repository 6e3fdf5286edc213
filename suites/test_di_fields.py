"""Invalid input to Maintain DI and Enquire Due/Overdue Position is rejected with the right status, code and field.

Each request field the contract constrains is broken on its own (the contract's JSON Schema decides what is
forbidden, so nothing is listed twice) and must be answered with the bound contract's invalid-request error naming
that field; the unbroken request must be accepted first, so a target that refuses everything never passes.
Business rules that the schema cannot express are checked on positions the suite books itself: a DI above the
outstanding short position is DI_EXCEEDS_DUE_POSITION at the quantity, its message names both figures, and nothing
moves.
Every error code Change DI Requirement documents that a participant's request can provoke gets its own case, checked
by status and code (a target that answers every refusal with one catch-all code fails it); so does each business code
of Input DI (an unknown stock or stock account, a DI above the available stock, an idempotency key reused for another
DI), against a short position the suite books itself.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import pytest
from di_support import ENQUIRE, DiFailure, book, holding, open_di_input, position, require_positions, seed_holding
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from idempotency_keys import check_key_reuse
from request_rules import ANY_JSON, request_schema, require_documented, violates
from sim_control import move_to_next_business_day

from ocp_conformance.binding import ABSENT, NOT_APPLICABLE, read_pointer
from ocp_conformance.bound_client import BoundExchange
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL, PARTICIPANT_EXTENSION

_DI_STOCK: Final = "00005"
_SHORT: Final = 1_000


def _short_to_deliver(harness: Harness) -> Callable[[], None] | None:
    """Input DI's valid request is accepted only from 10:00 against a due short position: on a target that can
    book exchange trades, make one (and return what nets it out again afterwards); elsewhere ``None``, and the
    rejections are checked without the acceptance."""
    client, target = harness.client, harness.target
    control = client.contracts.control_document
    if not target.can(CLOCK_CONTROL) or control is None or "simBookExchangeTrade" not in control.operations \
            or not client.call_operation("simGetClock").body.get("inFunctionWindow", False):
        return None
    open_di_input(client)
    participant = target.acting_pair()[0]
    book(client, participant, _DI_STOCK, "SELL", _SHORT)
    seed_holding(client, participant, _DI_STOCK, _SHORT)

    def net_out() -> None:
        book(client, participant, _DI_STOCK, "BUY", _SHORT - 1)  # the valid DI delivered 1 of the short

    return net_out


# (function, role) -> (request roles valid for the contract, and for the business once the setup made it so;
# the setup: None when the valid request cannot be made acceptable on this target, else the cleanup)
CASES: Final[dict[tuple[str, str], tuple[dict[str, Any], Callable[[Harness], Callable[[], None] | None]]]] = {
    ("Input DI", "create"): ({"stock_code": _DI_STOCK, "quantity": 1, "stock_account": "01",
                              "own_reference": "di-fields"}, _short_to_deliver),
    ("Change DI Requirement", "change"): ({"stock_code": _DI_STOCK, "hold_back_quantity": 0},
                                          lambda harness: lambda: None),
}
# (role, a value the contract forbids for it) of the enquiry's filters, sent as they are (never mapped)
BAD_QUERIES: Final = [("stock_code", "ABC"), ("stock_code", "000017"), ("stock_code", ""), ("market", "XHKG"),
                      ("position_type", "LATE"), ("direction", "UP"), ("limit", "0"), ("limit", "201")]


def _expect_invalid(answer: BoundExchange, what: str, *, role: str | None = None, pointer: str | None = None) -> None:
    """The bound contract's invalid-request error, naming the field of ``role`` (or the body field at
    ``pointer``)."""
    invalid = answer.binding.error_status("invalid", function=answer.function)
    named = role in answer.error_roles() if role is not None else pointer in answer.error_pointers()
    if answer.status != invalid or not named:
        raise DiFailure(answer.function, f"a request whose {what}",
                        received=f"HTTP {answer.status}, errors at {answer.error_pointers()}",
                        expected=f"HTTP {invalid} naming {role or pointer}", exchange=answer.exchange)


def _expect_error(answer: BoundExchange, what: str, kind: str, code: str) -> None:
    status = answer.binding.error_status(kind, function=answer.function)
    received = answer.error_code()
    if answer.status != status or received != code:
        raise DiFailure(answer.function, what, received=f"HTTP {answer.status} {received}",
                        expected=f"HTTP {status} {code}", exchange=answer.exchange)


def _params() -> list[Any]:
    return [pytest.param(function, role, id=f"{function}:{role}",
                         marks=pytest.mark.ocp(functions=[function], check="negative")) for function, role in CASES]


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_forbidden_body_field_is_rejected_and_named(function: str, role: str, ocp_harness: Harness) -> None:
    bound, contracts = ocp_harness.bound, ocp_harness.contracts
    actor = ocp_harness.target.acting_pair()[0]
    operation = bound.operation(function, role)
    if "requestBody" not in operation.spec:
        pytest.skip(f"{NOT_APPLICABLE}{operation.operation_id} takes no request body in the bound contract: "
                    "no field to reject")
    values, setup = CASES[(function, role)]
    path, base = bound.request(function, role, values)
    assert not violates(contracts, operation, path, base), f"harness bug: the base request for {function} breaks " \
        "the contract"
    schema = request_schema(contracts, operation)

    def send(body: dict[str, Any]) -> BoundExchange:
        return bound.call(function, role, as_participant=actor, validate_request=False, body=body, parameters=path)

    @settings(max_examples=40, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(sorted(schema.get("properties", {}))), value=ANY_JSON)
    def broken(field: str, value: Any) -> None:
        body = {**base, field: value}
        if not violates(contracts, operation, path, body):
            return
        _expect_invalid(send(body), f"{field} is {value!r}", pointer=f"/{field}")

    broken()
    for field in schema.get("required", []):
        _expect_invalid(send({k: v for k, v in base.items() if k != field}), f"required field {field} is missing",
                        pointer=f"/{field}")
    cleanup = setup(ocp_harness)
    if cleanup is None:
        return  # no valid request can be made acceptable here (no position to deliver against)
    accepted = send(dict(base))  # the unbroken request is accepted: the rejections above then mean something
    cleanup()
    if not accepted.ok:
        raise DiFailure(function, "a request valid for the contract and the business", received=accepted.status,
                        expected="2xx", exchange=accepted.exchange)


@pytest.mark.ocp(functions=["Change DI Requirement"], check="negative")
@pytest.mark.parametrize("stock", ["5", "000005", "ABCDE"])
def test_change_di_requirement_stock_code_must_have_five_digits(stock: str, ocp_harness: Harness) -> None:
    actor = ocp_harness.target.acting_pair()[0]
    answer = ocp_harness.bound.call("Change DI Requirement", "change", as_participant=actor, validate_request=False,
                                    stock_code=stock, hold_back_quantity=0)
    _expect_invalid(answer, f"stock code is {stock!r}", role="stock_code")


REQUIREMENT: Final = "Change DI Requirement"
# Change DI Requirement's generic refusals (FUNCTION_NOT_SUBSCRIBED, RATE_LIMITED, SERVICE_UNAVAILABLE,
# SERVICE_WINDOW_CLOSED), which no participant's own request provokes on demand, are checked for every operation by
# test_service_refusals.py (with a refusing token, on a target with simulator control).


def _malformed_json(harness: Harness, actor: str) -> BoundExchange:
    """Change DI Requirement with a body that is not JSON at all (cut off mid-object), sent as it is."""
    bound = harness.bound
    operation = bound.operation(REQUIREMENT, "change")
    path, _ = bound.request(REQUIREMENT, "change", {"stock_code": _DI_STOCK, "hold_back_quantity": 0})
    field = next(iter(request_schema(harness.contracts, operation).get("properties", {"quantity": {}})))
    request = harness.target.http().build_request(
        operation.method.upper(), operation.url_template.format(**{k: str(v) for k, v in path.items()}),
        content=f'{{"{field}": '.encode(),
        headers={**harness.target.auth_headers(actor), "content-type": "application/json"},
        extensions={PARTICIPANT_EXTENSION: actor})
    return BoundExchange(exchange=harness.client.send(operation, actor, request), function=REQUIREMENT,
                         binding=bound.binding)


# model code -> (what is sent, the error kind whose status it must have, how to send it as the acting participant)
REFUSALS: Final[dict[str, tuple[str, str, Callable[[Harness, str], BoundExchange]]]] = {
    "VALIDATION_FAILED": ("a negative hold-back quantity", "invalid", lambda harness, actor: harness.bound.call(
        REQUIREMENT, "change", as_participant=actor, validate_request=False, stock_code=_DI_STOCK,
        hold_back_quantity=-1)),
    "MALFORMED_JSON": ("a body that is not JSON", "invalid", _malformed_json),
    "UNAUTHENTICATED": ("no credentials", "unauthenticated", lambda harness, actor: harness.bound.call(
        REQUIREMENT, "change", as_participant=None, stock_code=_DI_STOCK, hold_back_quantity=0)),
    "STOCK_UNKNOWN": ("a well-formed stock code not on the stock list (99999)", "business",
                      lambda harness, actor: harness.bound.call(REQUIREMENT, "change", as_participant=actor,
                                                                stock_code="99999", hold_back_quantity=0)),
}


@pytest.mark.ocp(functions=[REQUIREMENT], check="negative")
@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_change_di_requirement_answers_each_refusal_with_its_own_code(code: str, ocp_harness: Harness) -> None:
    """Each documented code, provoked on its own: the right status and exactly that code, not a catch-all."""
    require_documented(ocp_harness.bound, REQUIREMENT, "change", code)
    what, kind, send = REFUSALS[code]
    _expect_error(send(ocp_harness, ocp_harness.target.acting_pair()[0]), what, kind, code)


@pytest.mark.ocp(functions=[ENQUIRE], check="negative")
@pytest.mark.parametrize(("role", "bad"), BAD_QUERIES)
def test_enquiry_rejects_invalid_filters(role: str, bad: str, ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    name = bound.binding.parameter(ENQUIRE, role)
    answer = bound.call(ENQUIRE, "list", as_participant=ocp_harness.target.acting_pair()[0], validate_request=False,
                        parameters={name: bad})
    _expect_invalid(answer, f"filter {role} is {bad!r}", role=role)


@pytest.mark.ocp(functions=[ENQUIRE], check="negative")
def test_enquiry_rejects_a_cursor_it_did_not_issue(ocp_harness: Harness) -> None:
    answer = ocp_harness.bound.call(ENQUIRE, "list", as_participant=ocp_harness.target.acting_pair()[0],
                                    cursor="not-a-cursor")
    _expect_error(answer, "an unknown cursor", "business", "CURSOR_INVALID")


def _message(answer: BoundExchange) -> str:
    """The error's human-readable message (empty when the bound contract's error shape names none)."""
    pointer = answer.binding.error_shape(function=answer.function).message
    found = read_pointer(answer.body, pointer) if pointer else ABSENT
    return "" if found is ABSENT else str(found)


@pytest.mark.ocp(functions=["Input DI"], check="negative")
def test_di_above_the_due_position_is_rejected_and_nothing_moves(ocp_harness: Harness) -> None:
    client, bound, target = ocp_harness.client, ocp_harness.bound, ocp_harness.target
    require_positions(client, target)
    open_di_input(client)
    participant, stock = target.acting_pair()[0], "08001"
    sold = 1_000 + uuid.uuid4().int % 9_000
    book(client, participant, stock, "SELL", sold)
    item = position(bound, participant, stock)
    if item is None or item.direction != "SHORT" or not isinstance(item.outstanding, int) or item.outstanding < sold:
        raise DiFailure(ENQUIRE, f"{participant}'s position in {stock} after a sell trade of {sold} due today",
                        received=item, expected=f"a SHORT position with at least {sold} outstanding")
    outstanding = item.outstanding
    seed_holding(client, participant, stock, outstanding + 10)
    held = holding(client, participant, stock)
    too_many = outstanding + 1
    answer = bound.call("Input DI", "create", as_participant=participant, stock_code=stock, quantity=too_many)
    business = bound.binding.error_status("business", function="Input DI")
    code, message = answer.error_code(), _message(answer)
    if answer.status != business or code != "DI_EXCEEDS_DUE_POSITION" or "quantity" not in answer.error_roles() \
            or str(too_many) not in message or str(outstanding) not in message:
        raise DiFailure("Input DI", f"a DI of {too_many} against an outstanding short position of {outstanding}",
                        received=f"HTTP {answer.status} {code} at {answer.error_pointers()}: {message[:200]}",
                        expected=f"HTTP {business} DI_EXCEEDS_DUE_POSITION at the quantity, a message naming both "
                        "figures", exchange=answer.exchange)
    after = position(bound, participant, stock)
    if (after.outstanding if after else 0) != outstanding or holding(client, participant, stock) != held:
        raise DiFailure("Input DI", "a refused DI changed the position or the holding",
                        received=f"outstanding {after and after.outstanding}",
                        expected=f"outstanding {outstanding}, holding {held}")
    done = bound.call("Input DI", "create", as_participant=participant, stock_code=stock, quantity=outstanding)
    if not done.ok:  # the exact position is deliverable: the rule is "at most", not "less than"
        raise DiFailure("Input DI", f"a DI of exactly the outstanding {outstanding}", received=done.status,
                        expected="2xx", exchange=done.exchange)
    no_position = bound.call("Input DI", "create", as_participant=participant, stock_code=stock, quantity=1)
    _expect_error(no_position, "a DI once nothing is outstanding", "business", "NO_DUE_SHORT_POSITION")


# ---------------------------------------------------------------------- Input DI: each business code on its own
INPUT: Final = "Input DI"
_REFUSED_STOCK: Final = "00388"
"""The stock Input DI's per-code cases deliver: no other DI case books positions in it."""


@dataclass(frozen=True, slots=True)
class _DueShort:
    """A due short position of ``participant`` in ``stock``, larger than the ``available`` stock in account 01."""

    participant: str
    stock: str
    available: int


def _due_short(harness: Harness) -> _DueShort:
    """Book a short position due today above what the participant holds (skips without simulator control)."""
    client, target = harness.client, harness.target
    require_positions(client, target)
    open_di_input(client)
    participant = target.acting_pair()[0]
    seed_holding(client, participant, _REFUSED_STOCK, 10)
    available = holding(client, participant, _REFUSED_STOCK)
    book(client, participant, _REFUSED_STOCK, "SELL", available + 10)
    item = position(harness.bound, participant, _REFUSED_STOCK)
    if item is None or item.direction != "SHORT" or not isinstance(item.outstanding, int) \
            or item.outstanding <= available:
        raise DiFailure(ENQUIRE, f"{participant}'s position in {_REFUSED_STOCK} after a sell trade of "
                        f"{available + 10} due today", received=item,
                        expected=f"a SHORT position of more than {available} outstanding")
    return _DueShort(participant, _REFUSED_STOCK, available)


def _net_out(harness: Harness, short: _DueShort) -> None:
    """Buy back what is still outstanding, so no position is left behind."""
    item = position(harness.bound, short.participant, short.stock)
    if item is not None and item.direction == "SHORT" and isinstance(item.outstanding, int) and item.outstanding:
        book(harness.client, short.participant, short.stock, "BUY", item.outstanding)


def _di(harness: Harness, short: _DueShort, **roles: Any) -> BoundExchange:
    values = {"stock_code": short.stock, "quantity": 1, "stock_account": "01", **roles}
    return harness.bound.call(INPUT, "create", as_participant=short.participant, **values)


# model code -> (what is sent, the role the error names, the request's roles over a valid DI of 1 from account 01)
INPUT_REFUSALS: Final[dict[str, tuple[str, str, Callable[[_DueShort], dict[str, Any]]]]] = {
    "STOCK_UNKNOWN": ("a DI in a well-formed stock code not on the stock list (99999)", "stock_code",
                      lambda short: {"stock_code": "99999"}),
    "STOCK_ACCOUNT_UNKNOWN": ("a DI from stock account 77, which the participant does not have", "stock_account",
                              lambda short: {"stock_account": "77"}),
    "DI_EXCEEDS_AVAILABLE_BALANCE": ("a DI within the short position but above the stock available",
                                     "quantity", lambda short: {"quantity": short.available + 1}),
}


@pytest.mark.ocp(functions=[INPUT], check="negative")
@pytest.mark.parametrize("code", sorted(INPUT_REFUSALS))
def test_input_di_answers_each_refusal_with_its_own_code(code: str, ocp_harness: Harness) -> None:
    """Each documented code, provoked on its own against a due short position: the business error with exactly that
    code, naming the field it blames; the valid DI is accepted after it."""
    require_documented(ocp_harness.bound, INPUT, "create", code)
    short = _due_short(ocp_harness)
    what, role, change = INPUT_REFUSALS[code]
    try:
        refused = _di(ocp_harness, short, **change(short))
        _expect_error(refused, what, "business", code)
        if role not in refused.error_roles():
            raise DiFailure(INPUT, what, received=f"errors at {refused.error_pointers()}", expected=f"naming {role}",
                            exchange=refused.exchange)
        accepted = _di(ocp_harness, short)
        if not accepted.ok:
            raise DiFailure(INPUT, "a valid DI of 1 against the due short position", received=accepted.status,
                            expected="2xx", exchange=accepted.exchange)
    finally:
        _net_out(ocp_harness, short)


@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_input_di_before_input_opens_is_refused_as_not_open(ocp_harness: Harness) -> None:
    """Before DI input opens (10:00) on a business day, Input DI is the business error DI_INPUT_NOT_OPEN. The clock is
    moved to 09:45 of the next business day for it, then on to 10:00 (the first SI matching), where the other
    checks expect a business day to be."""
    require_documented(ocp_harness.bound, INPUT, "create", "DI_INPUT_NOT_OPEN")
    client, target = ocp_harness.client, ocp_harness.target
    require_positions(client, target)
    participant = target.acting_pair()[0]
    move_to_next_business_day(client, "09:45")
    try:
        refused = ocp_harness.bound.call(INPUT, "create", as_participant=participant, stock_code=_REFUSED_STOCK,
                                         quantity=1, stock_account="01")
        _expect_error(refused, "a DI at 09:45, before DI input opens", "business", "DI_INPUT_NOT_OPEN")
    finally:
        open_di_input(client)


@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_input_di_refuses_an_idempotency_key_reused_for_another_di(ocp_harness: Harness) -> None:
    require_documented(ocp_harness.bound, INPUT, "create", "IDEMPOTENCY_KEY_REUSED")
    short = _due_short(ocp_harness)
    values = {"stock_code": short.stock, "stock_account": "01"}
    try:
        check_key_reuse(ocp_harness.bound, INPUT, "create", short.participant, {**values, "quantity": 1},
                        {**values, "quantity": 2})
    finally:
        _net_out(ocp_harness, short)
