"""Maintain STI refuses what its rules forbid, and never shows one participant another's STIs.

Negative (check="negative"):

- Input STI: every body field value the contract forbids -> the invalid-request error naming that field (the
  contract's own JSON Schema decides what is forbidden, so nothing is listed twice); every required field is
  required; the unbroken request is accepted, so a target that refuses everything never passes;
- Input STI business rules -> the business error with the documented code and field: same account on both sides,
  an account or stock that does not exist, 0 shares, an amount on a FOP STI, a DVP STI without (or with a zero)
  amount, a transfer from one SPSA into another, an idempotency key reused for another STI; nothing is created, and
  the valid STI is accepted after (a case whose request the bound contract's own schema forbids is not applicable);
- Revoke STI / Enquire STI: a malformed id -> the invalid-request error naming the STI id, an unknown id ->
  not found (STI_NOT_FOUND), a status that is no STI status -> invalid, an unknown cursor -> CURSOR_INVALID.

Security (check="security"): participant B acting on A's STI id gets the not-found error (STI_NOT_FOUND, the
answer for an id that does not exist) and sees nothing of A's STI; Enquire STI as B never lists A's STIs (A lists
them); B's revocation attempt leaves A's STI PENDING.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes.
"""

from __future__ import annotations

import uuid
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from idempotency_keys import check_key_reuse
from request_rules import ANY_JSON, request_schema, require_allowed, require_documented, violates
from suites.rule_broken import RuleBroken

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness

INPUT, REVOKE, ENQUIRE = "Input STI", "Revoke STI", "Enquire STI"
UNKNOWN_STI: Final = "STI9999999999"
_SHOWN: Final = ("own_reference", "quantity")
"""What of an STI must not show in another participant's answer (its id may: the request named it)."""


class StiRuleBroken(RuleBroken):
    """The target accepted, or misreported, an STI request its rules forbid; or leaked another's STI."""


def _received(answer: BoundExchange) -> str:
    return f"HTTP {answer.status} code={answer.error_code()} errors at {answer.error_pointers()}"


def _expect(answer: BoundExchange, what: str, kind: str | None, code: str | None = None, *,
            role: str | None = None, pointer: str | None = None) -> None:
    """The answer is a success (``kind`` None) or the bound contract's error of ``kind`` (``invalid``,
    ``not_found``, ``business``...) with the model's ``code``, naming the field of ``role`` (or the body field at
    ``pointer``)."""
    function, binding = answer.function, answer.binding
    if role is not None:
        binding.field(function, role)  # a role the binding lacks: the check is not run, naming it (never a fail)
    status = None if kind is None else binding.error_status(kind, function=function)
    status_ok = answer.ok if status is None else answer.status == status
    named = (role is None or role in answer.error_roles()) and (pointer is None or pointer in answer.error_pointers())
    if status_ok and (code is None or answer.error_code() == code) and named:
        return
    expected = ("2xx" if status is None else f"HTTP {status}") + (f" code={code}" if code else "") \
        + (f" naming {role or pointer}" if role or pointer else "")
    raise StiRuleBroken(function, what, exchange=answer.exchange, expected=expected, received=_received(answer))


def _valid_values(reference: str | None = None) -> dict[str, Any]:
    """A valid FOP Input STI by role, between the demo accounts 01 and 02."""
    return {"from_account": "01", "to_account": "02", "stock_code": "00005", "quantity": 1 + uuid.uuid4().int % 1000,
            "payment_type": "FOP", "own_reference": reference or uuid.uuid4().hex[:16]}


class _InputCase:
    """Input STI made ready against the target: the bound operation, a valid body, who sends it."""

    def __init__(self, harness: Harness) -> None:
        self.bound = harness.bound
        self.operation = self.bound.operation(INPUT, "create")
        if "requestBody" not in self.operation.spec:
            pytest.skip(f"{NOT_APPLICABLE}{self.operation.operation_id} takes no request body in the bound contract: "
                        "no field to reject")
        self.contracts = harness.contracts
        self.actor = harness.target.acting_pair()[0]
        self.path, self.base = self.bound.request(INPUT, "create", _valid_values())
        assert not self.forbidden(self.base), "harness bug: the base Input STI body breaks the contract"
        schema = request_schema(self.contracts, self.operation)
        self.properties = sorted(schema.get("properties", {}))
        self.required = list(schema.get("required", []))

    def send(self, body: dict[str, Any]) -> BoundExchange:
        return self.bound.call("Input STI", "create", as_participant=self.actor, validate_request=False, body=body,
                               parameters=self.path)

    def forbidden(self, body: dict[str, Any]) -> bool:
        return violates(self.contracts, self.operation, self.path, body)

    def accepts_the_valid_request(self) -> None:
        """The unbroken request (with a fresh reference) is accepted: the rejections then mean something."""
        _, body = self.bound.request(INPUT, "create", _valid_values())
        answer = self.send(body)
        _expect(answer, "Input STI valid for the contract and the business", None)
        self.bound.call("Revoke STI", "revoke", as_participant=self.actor, sti_id=answer.get("sti_id"))  # leave none


# ---------------------------------------------------------------------- negative: Input STI
@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_each_forbidden_field_value_is_rejected_and_named(ocp_harness: Harness) -> None:
    case = _InputCase(ocp_harness)

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(field=st.sampled_from(case.properties), value=ANY_JSON)
    def broken_field(field: str, value: Any) -> None:
        body = {**case.base, field: value}
        if not case.forbidden(body):
            return  # the value happens to be allowed: nothing to check
        _expect(case.send(body), f"Input STI whose {field} is {value!r}", "invalid", pointer=f"/{field}")

    broken_field()
    case.accepts_the_valid_request()


@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_each_required_field_is_required(ocp_harness: Harness) -> None:
    case = _InputCase(ocp_harness)
    for field in case.required:
        body = {k: v for k, v in case.base.items() if k != field}
        _expect(case.send(body), f"Input STI without required field {field}", "invalid", pointer=f"/{field}")
    case.accepts_the_valid_request()


BUSINESS_RULES: Final = [
    pytest.param({"to_account": "01", "from_account": "01"}, "ACCOUNT_SAME", "to_account", id="same-account"),
    pytest.param({"to_account": "55"}, "STOCK_ACCOUNT_UNKNOWN", "to_account", id="unknown-account"),
    pytest.param({"stock_code": "99999"}, "STOCK_UNKNOWN", "stock_code", id="unknown-stock"),
    pytest.param({"quantity": 0}, "QUANTITY_INVALID", "quantity", id="zero-quantity"),
    pytest.param({"amount": "100.00", "currency": "HKD"}, "AMOUNT_NOT_ALLOWED", "amount", id="fop-with-amount"),
    pytest.param({"payment_type": "DVP"}, "AMOUNT_REQUIRED", "amount", id="dvp-without-amount"),
    pytest.param({"payment_type": "DVP", "amount": "0", "currency": "HKD"}, "AMOUNT_INVALID", "amount",
                 id="dvp-zero-amount"),
    pytest.param({"from_account": "80", "to_account": "81"}, "SPSA_TRANSFER_NOT_ALLOWED", "to_account",
                 id="spsa-to-spsa"),  # the demo's two SPSAs: each holds one investor's stock
]


@pytest.mark.ocp(functions=[INPUT], check="negative")
@pytest.mark.parametrize(("change", "rule", "role"), BUSINESS_RULES)
def test_business_rule_is_enforced_and_nothing_created(change: dict[str, str], rule: str, role: str,
                                                       ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    require_documented(bound, INPUT, "create", rule)
    actor = ocp_harness.target.acting_pair()[0]
    values = {**_valid_values(), **change}
    require_allowed(bound, INPUT, "create", values, f"Input STI with {change}")
    answer = bound.call("Input STI", "create", as_participant=actor, **values)
    _expect(answer, f"Input STI with {change}", "business", rule, role=role)
    listed = bound.call("Enquire STI", "list", as_participant=actor, own_reference=values["own_reference"])
    listed.expect()
    if listed.items():
        raise StiRuleBroken(INPUT, f"a refused Input STI ({rule}) was stored", exchange=listed.exchange,
                            received=[listed.item_value(i, "sti_id") for i in listed.items()], expected="no STI")
    valid = bound.call("Input STI", "create", as_participant=actor, **_valid_values())
    _expect(valid, f"a valid Input STI after one refused as {rule}", None)
    bound.call(REVOKE, "revoke", as_participant=actor, sti_id=valid.get("sti_id"))  # leave none pending


# ---------------------------------------------------------------------- negative: Revoke STI, Enquire STI
@pytest.mark.ocp(functions=[REVOKE], check="negative")
def test_revoke_refuses_malformed_and_unknown_ids(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    actor = ocp_harness.target.acting_pair()[0]
    malformed = bound.call("Revoke STI", "revoke", as_participant=actor, validate_request=False, sti_id="STI12")
    _expect(malformed, "Revoke STI of a malformed STI id", "invalid", "VALIDATION_FAILED", role="sti_id")
    unknown = bound.call("Revoke STI", "revoke", as_participant=actor, sti_id=UNKNOWN_STI)
    _expect(unknown, "Revoke STI of an unknown STI id", "not_found", "STI_NOT_FOUND")


@pytest.mark.ocp(functions=[ENQUIRE], check="negative")
def test_enquire_refuses_bad_ids_filters_and_cursors(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    actor = ocp_harness.target.acting_pair()[0]
    malformed = bound.call("Enquire STI", "get", as_participant=actor, validate_request=False, sti_id="SI0000000001")
    _expect(malformed, "Enquire STI of a malformed STI id", "invalid", "VALIDATION_FAILED", role="sti_id")
    unknown = bound.call("Enquire STI", "get", as_participant=actor, sti_id=UNKNOWN_STI)
    _expect(unknown, "Enquire STI of an unknown STI id", "not_found", "STI_NOT_FOUND")
    status = bound.binding.parameter(ENQUIRE, "status")
    bad_status = bound.call("Enquire STI", "list", as_participant=actor, validate_request=False,
                            parameters={status: "MATCHED"})  # no STI status at all: sent as it is, not mapped
    _expect(bad_status, "Enquire STI with status MATCHED (not an STI status)", "invalid", "VALIDATION_FAILED",
            role="status")
    bad_cursor = bound.call("Enquire STI", "list", as_participant=actor, cursor="not-a-cursor-we-issued")
    _expect(bad_cursor, "Enquire STI with a cursor the target never issued", "business", "CURSOR_INVALID")


# ---------------------------------------------------------------------- security: isolation
def _owners_sti(bound: BoundClient, owner: str) -> dict[str, Any]:
    """The owner's new STI, by role: sti_id, own_reference, quantity."""
    values = {**_valid_values(), "quantity": 700_000 + uuid.uuid4().int % 200_000}
    created = bound.call("Input STI", "create", as_participant=owner, **values)
    if not created.ok:
        pytest.skip(f"could not set up A's STI (Input STI answered {created.status} {created.error_code()})")
    return {role: created.get(role) for role in ("sti_id", *_SHOWN)}


def _leaks(answer: BoundExchange, sti: dict[str, Any]) -> list[str]:
    text = answer.exchange.response.text
    return [f"{role}={sti[role]}" for role in _SHOWN if str(sti[role]) in text]


def _not_found(answer: BoundExchange, sti: dict[str, Any]) -> bool:
    """The bound contract's not-found answer (STI_NOT_FOUND), showing nothing of ``sti``."""
    status = answer.binding.error_status("not_found", function=answer.function)
    return answer.status == status and answer.error_code() == "STI_NOT_FOUND" and not _leaks(answer, sti)


@pytest.mark.ocp(functions=[ENQUIRE], check="security")
def test_other_participants_sti_is_not_found(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    owner, other = ocp_harness.target.acting_pair()
    sti = _owners_sti(bound, owner)
    answer = bound.call("Enquire STI", "get", as_participant=other, sti_id=sti["sti_id"])
    if not _not_found(answer, sti):
        raise StiRuleBroken(ENQUIRE, f"{other} enquired {owner}'s STI {sti['sti_id']}", exchange=answer.exchange,
                            received=f"HTTP {answer.status} code={answer.error_code()} shows {_leaks(answer, sti)}",
                            expected="the not-found error STI_NOT_FOUND, nothing of the owner's STI")


@pytest.mark.ocp(functions=[ENQUIRE], check="security")
def test_enquire_sti_never_lists_other_participants_sti(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    owner, other = ocp_harness.target.acting_pair()
    sti = _owners_sti(bound, owner)
    for filters in ({"own_reference": sti["own_reference"]}, {"own_reference": sti["own_reference"],
                                                              "status": "PENDING"}):
        answer = bound.call("Enquire STI", "list", as_participant=other, **filters)
        listed = [answer.item_value(i, "sti_id") for i in answer.items()]
        if not answer.ok or listed or _leaks(answer, sti):
            raise StiRuleBroken(ENQUIRE, f"Enquire STI as {other} with {filters}", exchange=answer.exchange,
                                received=f"HTTP {answer.status}, STI ids {listed}, shows {_leaks(answer, sti)}",
                                expected=f"2xx without {owner}'s STI {sti['sti_id']}")
        mine = bound.call("Enquire STI", "list", as_participant=owner, **filters)
        own = [mine.item_value(i, "sti_id") for i in mine.items()]
        if own != [sti["sti_id"]]:  # the owner lists it: the outsider's empty list then means something
            raise StiRuleBroken(ENQUIRE, f"Enquire STI as the owner {owner} with {filters}", exchange=mine.exchange,
                                received=f"HTTP {mine.status}, STI ids {own}", expected=[sti["sti_id"]])
    bound.call("Revoke STI", "revoke", as_participant=owner, sti_id=sti["sti_id"])  # leave nothing pending behind


@pytest.mark.ocp(functions=[REVOKE], check="security")
def test_other_participant_cannot_revoke(ocp_harness: Harness) -> None:
    bound = ocp_harness.bound
    owner, other = ocp_harness.target.acting_pair()
    sti = _owners_sti(bound, owner)
    answer = bound.call("Revoke STI", "revoke", as_participant=other, sti_id=sti["sti_id"])
    after = bound.call("Enquire STI", "get", as_participant=owner, sti_id=sti["sti_id"])
    after.expect(blame=REVOKE)  # the owner must still find its STI: else this check fails
    kept = after.get("status", None)
    if not _not_found(answer, sti) or kept != "PENDING":
        raise StiRuleBroken(REVOKE, f"{other} revoked {owner}'s STI {sti['sti_id']}", exchange=answer.exchange,
                            received=f"HTTP {answer.status} code={answer.error_code()}, the owner's STI is now {kept}",
                            expected="the not-found error STI_NOT_FOUND, the owner's STI still PENDING")
    bound.call("Revoke STI", "revoke", as_participant=owner, sti_id=sti["sti_id"])  # leave nothing pending behind


@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_input_sti_refuses_an_idempotency_key_reused_for_another_sti(ocp_harness: Harness) -> None:
    """The same idempotency key with another STI is the conflict error IDEMPOTENCY_KEY_REUSED; the other STI under a
    fresh key is accepted (both accepted STIs are revoked afterwards)."""
    bound = ocp_harness.bound
    require_documented(bound, INPUT, "create", "IDEMPOTENCY_KEY_REUSED")
    actor = ocp_harness.target.acting_pair()[0]
    first = _valid_values()
    accepted = check_key_reuse(bound, INPUT, "create", actor, first, {**first, "quantity": first["quantity"] + 1})
    for answer in accepted:
        bound.call(REVOKE, "revoke", as_participant=actor, sti_id=answer.get("sti_id"))  # leave none pending
