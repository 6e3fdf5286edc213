"""Maintain ISI rejects what it must: each field the contract forbids, and each business rule of DOMAIN.md §4.

Field cases start from a request that is valid for the business too, break exactly one field with a value
the contract's own JSON Schema forbids, and require the bound contract's invalid-request error naming that field
(as suites/test_field_rejection.py does for SIs); the unbroken request must be accepted, so a target that refuses
everything never passes. Rule cases require the documented status, code and field: an ISI without affirmation
from a broker off the investor's list, a DVP one without affirmation, an ISI input by the investor itself or for
a participant that is no investor, a change or cancel by the investor or after cancellation, a cursor the target
never issued. Every other business code Input and Change ISI document that a request can provoke gets its own case
(an unknown stock, 0 shares, a zero amount, a currency CCASS does not settle in, an amount on a FOP ISI, a change to DVP
without affirmation or once the investor took the broker off its list, an idempotency key reused for another ISI,
a settlement date in the past or on a Saturday, DVP on-hold required on a FOP ISI), checked by status, code and
field, so a target answering every refusal with one catch-all code fails.

Issue 17 correction 7 (contracts/SOURCES.md): an ISI keeps the settlement date, RDP payment and both indicators it
was given; one held before settlement does not settle, neither when the investor affirms it nor in a batch run, until
its broker releases it with Change ISI, which may change nothing else once it is affirmed and nothing at all once it
is settled.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from idempotency_keys import check_key_reuse
from isi_parties import brokers, fresh_reference, input_isi, input_isi_values, investor, listed_broker, unlisted_broker
from request_rules import ANY_JSON, request_schema, require_allowed, require_documented, violates
from suites.sim_control import affirm_isi, run_batch_settlement, seed_holding, set_isi_counterparty

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL

_MOST: Final = 999_999_999_999
"""The contract's largest quantity: more than any participant holds."""
_SATURDAY: Final = 5


class NotRejected(AssertionError):
    """The target accepted, or misreported, a request Maintain ISI must reject."""

    def __init__(self, function: str, what: str, answer: BoundExchange, expected: str) -> None:
        super().__init__(f"{function}: {what}\n  Received: HTTP {answer.status}: "
                         f"{answer.exchange.response.text[:300]}\n  Expected: {expected}\n  Request: {answer.curl()}\n"
                         f'  Reproduce: ocp-conformance run --only "{function}"')
        self.function = function


def _expect(answer: BoundExchange, what: str, kind: str | None, code: str | None = None, *,
            role: str | None = None, pointer: str | None = None) -> None:
    """The answer is a success (``kind`` None) or the bound contract's error of ``kind`` (``invalid``,
    ``forbidden``, ``not_found``, ``conflict``, ``business``) with the model's ``code``, naming the field of
    ``role`` (or the body field at ``pointer``)."""
    function, binding = answer.function, answer.binding
    status = None if kind is None else binding.error_status(kind, function=function)
    status_ok = answer.ok if status is None else answer.status == status
    named = (role is None or role in answer.error_roles()) and (pointer is None or pointer in answer.error_pointers())
    if not status_ok or (code and answer.error_code() != code) or not named:
        expected = ("2xx" if status is None else f"HTTP {status}") + (f" code={code}" if code else "") \
            + (f" naming {role or pointer}" if role or pointer else "")
        raise NotRejected(function, what, answer, expected)


def _owner(harness: Harness) -> str:
    return brokers(harness.client.target)[0]


def _unaffirmed(bound: BoundClient, owner: str, investor_id: str) -> dict[str, Any]:
    """An ISI with affirmation, waiting for the investor: what Change and Cancel ISI may act on. Input ISI is
    blamed if it does not make one (the rules of Change and Cancel ISI cannot be judged without it)."""
    created = input_isi(bound, owner, investor_id)
    if not created.ok or created.get("status", None) != "UNAFFIRMED":
        raise NotRejected("Input ISI", "a valid ISI with affirmation (the setup of Change and Cancel ISI's checks)",
                          created, "2xx with status UNAFFIRMED")
    return {"isi_id": created.get("isi_id")}


# ---------------------------------------------------------------------- each forbidden field value
# (function, role) -> (the resource's path roles, request roles valid for the business too)
CASES: dict[tuple[str, str], tuple[Callable[[BoundClient, str, str], dict[str, Any]],
                                   Callable[[str], dict[str, Any]]]] = {
    ("Input ISI", "create"): (lambda bound, owner, inv: {}, lambda inv: input_isi_values(inv, quantity=10)),
    ("Change ISI", "change"): (_unaffirmed, lambda inv: {"quantity": 10, "own_reference": fresh_reference()}),
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
        self.owner = _owner(harness)
        investor_id = investor(harness.client.target)
        path_of, values_of = CASES[(function, role)]
        self.path, self.base = self.bound.request(function, role, {**path_of(self.bound, self.owner, investor_id),
                                                                   **values_of(investor_id)})
        assert not violates(self.contracts, self.operation, self.path, self.base), \
            f"harness bug: the base request for {function} breaks the contract"
        schema = request_schema(self.contracts, self.operation)
        self.properties = sorted(schema.get("properties", {}))
        self.required = list(schema.get("required", []))

    def send(self, body: dict[str, Any]) -> BoundExchange:
        return self.bound.call(self.function, self.role, as_participant=self.owner, validate_request=False,
                               body=body, parameters=self.path)

    def forbidden(self, body: dict[str, Any]) -> bool:
        return violates(self.contracts, self.operation, self.path, body)

    def accepts_the_valid_request(self) -> None:
        """The unbroken request is accepted: the rejections then mean something."""
        _expect(self.send(dict(self.base)), "a request valid for the contract and the business", None)


def _params() -> list[Any]:
    return [pytest.param(function, role, id=f"{function}:{role}",
                         marks=pytest.mark.ocp(functions=[function], check="negative")) for function, role in CASES]


@pytest.mark.parametrize(("function", "role"), _params())
def test_each_forbidden_isi_field_value_is_rejected_and_named(function: str, role: str, ocp_harness: Harness) -> None:
    case = _Case(function, role, ocp_harness)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(case.properties), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**case.base, field: value}
        if not case.forbidden(body):
            return  # the value happens to be allowed: nothing to check
        _expect(case.send(body), f"{field} is {value!r}", "invalid", pointer=f"/{field}")

    broken_field()
    case.accepts_the_valid_request()


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_each_required_input_isi_field_is_required(ocp_harness: Harness) -> None:
    case = _Case("Input ISI", "create", ocp_harness)
    for field in case.required:
        _expect(case.send({k: v for k, v in case.base.items() if k != field}),
                f"required field {field} is missing", "invalid", pointer=f"/{field}")
    case.accepts_the_valid_request()


# ---------------------------------------------------------------------- business rules
@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_without_affirmation_from_an_unlisted_broker_is_rejected(ocp_harness: Harness) -> None:
    """A broker off the investor's list may only input ISIs with affirmation; nothing is created."""
    bound = ocp_harness.bound
    investor_id = investor(ocp_harness.client.target)
    broker = unlisted_broker(ocp_harness.client, investor_id)
    reference = fresh_reference()
    answer = input_isi(bound, broker, investor_id, with_affirmation=False, own_reference=reference)
    _expect(answer, f"an ISI without affirmation from {broker}, not on {investor_id}'s list",
            "business", "COUNTERPARTY_NOT_LISTED", role="with_affirmation")
    listed = bound.call("Enquire ISI", "list", as_participant=broker, own_reference=reference)
    listed.expect()
    if listed.items():
        raise NotRejected("Input ISI", "the rejected ISI exists anyway", listed, "no ISI under its reference")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_dvp_without_affirmation_is_rejected(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    answer = input_isi(bound, owner, investor(ocp_harness.client.target), with_affirmation=False,
                       payment_type="DVP", amount="1000.00", currency="HKD")
    _expect(answer, "a DVP ISI without affirmation", "business", "AFFIRMATION_REQUIRED_FOR_DVP",
            role="with_affirmation")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_parties_must_be_a_broker_and_an_investor(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    investor_id = investor(ocp_harness.client.target)
    by_investor = input_isi(bound, investor_id, investor_id)
    _expect(by_investor, "the investor input an ISI itself", "forbidden", "OWNER_NOT_ALLOWED")
    other_broker = brokers(ocp_harness.client.target)[1]
    to_broker = input_isi(bound, owner, other_broker)
    _expect(to_broker, f"an ISI whose investor {other_broker} is no Investor Participant", "business",
            "INVESTOR_UNKNOWN", role="investor")


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_dvp_needs_amount_and_fop_refuses_one(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    investor_id = investor(ocp_harness.client.target)
    _expect(input_isi(bound, owner, investor_id, payment_type="DVP", currency="HKD"),
            "a DVP ISI without amount", "business", "AMOUNT_REQUIRED", role="amount")
    _expect(input_isi(bound, owner, investor_id, amount="5.00", currency="HKD"),
            "a FOP ISI with an amount", "business", "AMOUNT_NOT_ALLOWED", role="amount")


@pytest.mark.ocp(functions=["Change ISI"], check="negative")
def test_change_by_the_investor_or_after_cancel_is_rejected(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    investor_id = investor(ocp_harness.client.target)
    isi = _unaffirmed(bound, owner, investor_id)
    by_investor = bound.call("Change ISI", "change", as_participant=investor_id, quantity=5, **isi)
    _expect(by_investor, "the investor changed the broker's ISI", "forbidden", "OWNER_NOT_ALLOWED")
    to_dvp = bound.call("Change ISI", "change", as_participant=owner, payment_type="DVP", **isi)
    _expect(to_dvp, "a change to DVP without amount", "business", "AMOUNT_REQUIRED", role="amount")
    bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)
    late = bound.call("Change ISI", "change", as_participant=owner, quantity=5, **isi)
    _expect(late, "a change of a CANCELLED ISI", "conflict", "ISI_STATE_CONFLICT")


@pytest.mark.ocp(functions=["Cancel ISI"], check="negative")
def test_cancel_by_the_investor_or_twice_is_rejected(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    investor_id = investor(ocp_harness.client.target)
    isi = _unaffirmed(bound, owner, investor_id)
    by_investor = bound.call("Cancel ISI", "cancel", as_participant=investor_id, **isi)
    _expect(by_investor, "the investor cancelled the broker's ISI", "forbidden", "OWNER_NOT_ALLOWED")
    first = bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)
    _expect(first, "the owner's cancel of its UNAFFIRMED ISI", None)
    again = bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)
    _expect(again, "a second cancel of the same ISI", "conflict", "ISI_STATE_CONFLICT")
    unknown = bound.call("Cancel ISI", "cancel", as_participant=owner, isi_id="ISI9999999999")
    _expect(unknown, "a cancel of an ISI that does not exist", "not_found", "ISI_NOT_FOUND")


@pytest.mark.ocp(functions=["Enquire ISI"], check="negative")
def test_enquire_rejects_bad_filters_and_cursors(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    status = bound.binding.parameter("Enquire ISI", "status")
    bad_status = bound.call("Enquire ISI", "list", as_participant=owner, validate_request=False,
                            parameters={status: "SETTLED_MAYBE"})  # no status at all: sent as it is, not mapped
    _expect(bad_status, "status SETTLED_MAYBE", "invalid", "VALIDATION_FAILED", role="status")
    bad_stock = bound.call("Enquire ISI", "list", as_participant=owner, validate_request=False, stock_code="5")
    _expect(bad_stock, "stock code 5", "invalid", "VALIDATION_FAILED", role="stock_code")
    bad_cursor = bound.call("Enquire ISI", "list", as_participant=owner, cursor="not-a-cursor")
    _expect(bad_cursor, "a cursor the target never issued", "business", "CURSOR_INVALID")
    unknown = bound.call("Enquire ISI", "get", as_participant=owner, isi_id="ISI9999999999")
    _expect(unknown, "an ISI that does not exist", "not_found", "ISI_NOT_FOUND")


# ---------------------------------------------------------------------- each documented business code on its own
# model code -> (what is sent, the error kind, the role the error names, the request's roles over a valid one)
INPUT_REFUSALS: Final[dict[str, tuple[str, str, str, dict[str, Any]]]] = {
    "STOCK_UNKNOWN": ("a well-formed stock code not on the stock list (99999)", "business", "stock_code",
                      {"stock_code": "99999"}),
    "AMOUNT_INVALID": ("a DVP ISI whose amount is 0", "business", "amount",
                       {"payment_type": "DVP", "amount": "0", "currency": "HKD"}),
    "CURRENCY_UNSUPPORTED": ("a DVP ISI in a well-formed currency CCASS does not settle in (EUR)", "business",
                             "currency", {"payment_type": "DVP", "amount": "100.00", "currency": "EUR"}),
    "QUANTITY_INVALID": ("an ISI of 0 shares", "business", "quantity", {"quantity": 0}),
    "DVP_ON_HOLD_NOT_ALLOWED": ("a FOP ISI with DVP on-hold required", "business", "dvp_on_hold_required",
                                {"dvp_on_hold_required": True}),
}


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
@pytest.mark.parametrize("code", sorted(INPUT_REFUSALS))
def test_input_isi_answers_each_refusal_with_its_own_code(code: str, ocp_harness: Harness) -> None:
    """Each documented code, provoked on its own: the right status, exactly that code, the field it blames; the
    unbroken ISI is accepted after it."""
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    require_documented(bound, "Input ISI", "create", code)
    investor_id = investor(ocp_harness.client.target)
    what, kind, role, change = INPUT_REFUSALS[code]
    broken = input_isi_values(investor_id, **change)
    require_allowed(bound, "Input ISI", "create", broken, what)
    _expect(bound.call("Input ISI", "create", as_participant=owner, **broken), what, kind, code, role=role)
    _expect(input_isi(bound, owner, investor_id), "a valid ISI with affirmation", None)


@pytest.mark.ocp(functions=["Input ISI"], check="negative")
def test_input_isi_refuses_an_idempotency_key_reused_for_another_isi(ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    require_documented(bound, "Input ISI", "create", "IDEMPOTENCY_KEY_REUSED")
    investor_id = investor(ocp_harness.client.target)
    check_key_reuse(bound, "Input ISI", "create", owner, input_isi_values(investor_id, quantity=10),
                    input_isi_values(investor_id, quantity=11))


# model code -> (what is changed, the error kind, the role the error names, the change by role)
CHANGE_REFUSALS: Final[dict[str, tuple[str, str, str, dict[str, Any]]]] = {
    "STOCK_UNKNOWN": ("the stock to one not on the stock list (99999)", "business", "stock_code",
                      {"stock_code": "99999"}),
    "AMOUNT_INVALID": ("the ISI to DVP with an amount of 0", "business", "amount",
                       {"payment_type": "DVP", "amount": "0", "currency": "HKD"}),
    "AMOUNT_NOT_ALLOWED": ("an amount onto a FOP ISI", "business", "amount", {"amount": "5.00", "currency": "HKD"}),
    "CURRENCY_UNSUPPORTED": ("the ISI to DVP in a well-formed currency CCASS does not settle in (EUR)", "business",
                             "currency", {"payment_type": "DVP", "amount": "100.00", "currency": "EUR"}),
    "QUANTITY_INVALID": ("the quantity to 0 shares", "business", "quantity", {"quantity": 0}),
    "DVP_ON_HOLD_NOT_ALLOWED": ("DVP on-hold required onto a FOP ISI", "business", "dvp_on_hold_required",
                                {"dvp_on_hold_required": True}),
}


@pytest.mark.ocp(functions=["Change ISI"], check="negative")
@pytest.mark.parametrize("code", sorted(CHANGE_REFUSALS))
def test_change_isi_answers_each_refusal_with_its_own_code(code: str, ocp_harness: Harness) -> None:
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    require_documented(bound, "Change ISI", "change", code)
    isi = _unaffirmed(bound, owner, investor(ocp_harness.client.target))
    what, kind, role, change = CHANGE_REFUSALS[code]
    try:
        require_allowed(bound, "Change ISI", "change", {**isi, **change}, f"a change of {what}")
    except pytest.skip.Exception:
        bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)
        raise
    _expect(bound.call("Change ISI", "change", as_participant=owner, **isi, **change), f"a change of {what}", kind,
            code, role=role)
    _expect(bound.call("Change ISI", "change", as_participant=owner, quantity=5, **isi), "a valid change", None)
    bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)  # leave nothing open behind


def _waiting_for_stock(harness: Harness) -> tuple[str, dict[str, Any]]:
    """(its broker, the id role of) an ISI without affirmation from a broker on the investor's list, waiting for
    stock the investor lacks: what a change to DVP must be refused on. Input ISI is blamed if it does not make one."""
    bound, investor_id = harness.bound, investor(harness.client.target)
    broker = listed_broker(harness.client, investor_id)
    created = input_isi(bound, broker, investor_id, with_affirmation=False, direction="RECEIVE_FROM_INVESTOR",
                        quantity=_MOST)
    if not created.ok or created.get("status", None) != "PENDING_SETTLEMENT":
        raise NotRejected("Input ISI", f"an ISI without affirmation from the listed {broker}, receiving {_MOST} "
                          "shares the investor lacks", created, "2xx with status PENDING_SETTLEMENT")
    return broker, {"isi_id": created.get("isi_id")}


@pytest.mark.ocp(functions=["Change ISI"], check="negative")
def test_change_to_dvp_without_affirmation_is_rejected(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    require_documented(bound, "Change ISI", "change", "AFFIRMATION_REQUIRED_FOR_DVP")
    broker, isi = _waiting_for_stock(ocp_harness)
    to_dvp = bound.call("Change ISI", "change", as_participant=broker, payment_type="DVP", amount="1000.00",
                        currency="HKD", **isi)
    _expect(to_dvp, "a change of an ISI without affirmation to DVP", "business", "AFFIRMATION_REQUIRED_FOR_DVP",
            role="with_affirmation")
    _expect(bound.call("Change ISI", "change", as_participant=broker, quantity=_MOST - 1, **isi),
            "a valid change of an ISI without affirmation waiting for stock", None)
    bound.call("Cancel ISI", "cancel", as_participant=broker, **isi)  # leave nothing open behind


@pytest.mark.ocp(functions=["Change ISI"], check="negative")
def test_change_once_the_investor_took_the_broker_off_its_list_is_rejected(ocp_harness: Harness) -> None:
    """An ISI without affirmation stays once the investor takes its broker off the list, but the broker may no longer
    change it: COUNTERPARTY_NOT_LISTED. Back on the list, the same change is accepted."""
    bound, client = ocp_harness.bound, ocp_harness.client
    require_documented(bound, "Change ISI", "change", "COUNTERPARTY_NOT_LISTED")
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simSetIsiCounterparty" not in control.operations:
        pytest.skip("the investor's list is changed in the investor's own channel: needs a target with simulator "
                    "control (simSetIsiCounterparty)")
    investor_id = investor(client.target)
    broker, isi = _waiting_for_stock(ocp_harness)
    set_isi_counterparty(client, investor_id, broker, listed=False)
    try:
        unlisted = bound.call("Change ISI", "change", as_participant=broker, quantity=_MOST - 1, **isi)
    finally:
        set_isi_counterparty(client, investor_id, broker, listed=True)
    _expect(unlisted, f"a change of an ISI without affirmation once {broker} is off {investor_id}'s list", "business",
            "COUNTERPARTY_NOT_LISTED", role="with_affirmation")
    _expect(bound.call("Change ISI", "change", as_participant=broker, quantity=_MOST - 1, **isi),
            f"the same change with {broker} back on the list", None)
    bound.call("Cancel ISI", "cancel", as_participant=broker, **isi)  # leave nothing open behind


# ---------------------------------------------------------------------- the settlement date (issue 17 correction 7)
def _saturday(today: date) -> date:
    """The first Saturday after the business date: never a settlement day, never in the past."""
    return today + timedelta(days=(_SATURDAY - today.weekday()) % 7 or 7)


# model code -> (what is sent, the settlement date it carries given the target's business date)
DATE_REFUSALS: Final[dict[str, tuple[str, Callable[[date], date]]]] = {
    "SETTLEMENT_DATE_IN_PAST": ("a settlement date the day before the business date",
                                lambda today: today - timedelta(days=1)),
    "SETTLEMENT_DATE_NOT_BUSINESS_DAY": ("a settlement date on a Saturday", _saturday),
}


@pytest.mark.parametrize("code", sorted(DATE_REFUSALS))
@pytest.mark.parametrize("function", [pytest.param("Input ISI", marks=pytest.mark.ocp(functions=["Input ISI"],
                                                                                       check="negative")),
                                      pytest.param("Change ISI", marks=pytest.mark.ocp(functions=["Change ISI"],
                                                                                        check="negative"))])
def test_isi_settlement_date_follows_the_si_rules(function: str, code: str, ocp_harness: Harness) -> None:
    """Input and Change ISI refuse a settlement date in the past or on a day that is no settlement day, naming it;
    the ISI as it was is accepted."""
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    role = "create" if function == "Input ISI" else "change"
    require_documented(bound, function, role, code)
    investor_id = investor(ocp_harness.client.target)
    what, settles_on = DATE_REFUSALS[code]
    change = {"settlement_date": settles_on(ocp_harness.client.business_dates()[0]).isoformat()}
    if function == "Input ISI":
        broken = input_isi_values(investor_id, **change)
        require_allowed(bound, function, role, broken, what)
        _expect(bound.call(function, role, as_participant=owner, **broken), what, "business", code,
                role="settlement_date")
        _expect(input_isi(bound, owner, investor_id), "a valid ISI with affirmation", None)
        return
    isi = _unaffirmed(bound, owner, investor_id)
    try:
        require_allowed(bound, function, role, {**isi, **change}, f"a change to {what}")
        _expect(bound.call(function, role, as_participant=owner, **isi, **change), f"a change to {what}", "business",
                code, role="settlement_date")
        _expect(bound.call(function, role, as_participant=owner, quantity=5, **isi), "a valid change", None)
    finally:
        bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)  # leave nothing open behind


# ---------------------------------------------------------------------- RDP and the indicators (correction 7)
@pytest.mark.ocp(functions=["Input ISI", "Enquire ISI"], check="negative")
def test_input_isi_keeps_rdp_and_both_indicators(ocp_harness: Harness) -> None:
    """An RDP ISI with DVP on-hold required, held before settlement, is accepted and read back as it was given,
    with a settlement date (the default when none was given)."""
    bound, owner = ocp_harness.bound, _owner(ocp_harness)
    investor_id = investor(ocp_harness.client.target)
    given = {"payment_type": "RDP", "amount": "10.00", "currency": "HKD", "dvp_on_hold_required": True,
             "hold_before_settlement": True}
    values = input_isi_values(investor_id, **given)
    require_allowed(bound, "Input ISI", "create", values, "an RDP ISI with both indicators set")
    created = bound.call("Input ISI", "create", as_participant=owner, **values)
    _expect(created, "an RDP ISI with DVP on-hold required, held before settlement", None)
    isi = {"isi_id": created.get("isi_id")}
    try:
        shown = bound.call("Enquire ISI", "get", as_participant=owner, **isi)
        _expect(shown, "the RDP ISI just input", None)
        for role, value in given.items():
            if role != "amount" and shown.get(role, None) != value:
                raise NotRejected("Enquire ISI", f"the ISI shows {role}={shown.get(role, None)!r}", shown,
                                  f"{role}={value!r}, as input")
        if not shown.get("settlement_date", None):
            raise NotRejected("Input ISI", "an ISI input without a settlement date shows none", shown,
                              "the settlement date it defaulted to")
    finally:
        bound.call("Cancel ISI", "cancel", as_participant=owner, **isi)  # leave nothing open behind


@pytest.mark.ocp(functions=["Change ISI"], check="scenario")
def test_a_held_isi_settles_only_once_released_and_is_not_changed_after(ocp_harness: Harness) -> None:
    """An ISI held before settlement stays PENDING_SETTLEMENT when the investor affirms it (the stock suffices) and
    through a batch run; once affirmed, Change ISI may not change its quantity but may release it, and the release
    settles it at once; once settled, holding it again is ISI_STATE_CONFLICT."""
    client, bound = ocp_harness.client, ocp_harness.bound
    control = client.contracts.control_document
    if not client.target.can(CLOCK_CONTROL) or control is None or "simAffirmIsi" not in control.operations:
        pytest.skip("the investor affirms in its own channel: needs a target with simulator control (simAffirmIsi)")
    require_documented(bound, "Change ISI", "change", "ISI_STATE_CONFLICT")
    owner, investor_id = _owner(ocp_harness), investor(client.target)
    values = input_isi_values(investor_id, quantity=10, hold_before_settlement=True)
    seed_holding(client, owner, values["stock_code"], 10)
    created = bound.call("Input ISI", "create", as_participant=owner, **values)
    if not created.ok or created.get("status", None) != "UNAFFIRMED":
        raise NotRejected("Input ISI", "a valid ISI with affirmation, held before settlement", created,
                          "2xx with status UNAFFIRMED")
    isi = {"isi_id": created.get("isi_id")}
    if affirm_isi(client, investor_id, str(isi["isi_id"])) != 200:
        pytest.skip("the simulator did not take the investor's affirmation")

    def status_after(step: str) -> None:
        shown = bound.call("Enquire ISI", "get", as_participant=owner, **isi)
        if shown.get("status", None) != "PENDING_SETTLEMENT" or shown.get("hold_before_settlement", None) is not True:
            raise NotRejected("Change ISI", f"an ISI held before settlement, {step}", shown,
                              "status PENDING_SETTLEMENT, still held: it settles only once released")

    status_after("affirmed while its deliverer has the stock")
    run_batch_settlement(client)
    status_after("after a batch settlement run")
    _expect(bound.call("Change ISI", "change", as_participant=owner, quantity=5, **isi),
            "a change of quantity once the investor affirmed", "conflict", "ISI_STATE_CONFLICT")
    released = bound.call("Change ISI", "change", as_participant=owner, hold_before_settlement=False, **isi)
    _expect(released, "the release (holdBeforeSettlement false) of an affirmed ISI", None)
    if released.get("status", None) != "SETTLED":
        raise NotRejected("Change ISI", "the released ISI, whose deliverer has the stock, did not settle", released,
                          "status SETTLED: a release tries it on-line at once")
    _expect(bound.call("Change ISI", "change", as_participant=owner, hold_before_settlement=True, **isi),
            "a hold of a SETTLED ISI", "conflict", "ISI_STATE_CONFLICT")
