"""Maintain SI answers each business refusal with its own documented code (issue 15, item 3).

Every code Input SI, Change SI and Change Matched/Settled SI document for their own rules gets a case that
provokes it through the API and checks the answer's status (by error kind) and code, and the field it names (by
role): an SI whose counterparty is the participant itself, a stock or stock account it does not know, a settlement
date on a weekend, a DVP SI without an amount or with a zero one, a FOP SI with one, an SI of 0 shares (input or
changed to), an Idempotency-Key reused with another body, and a change of a settled SI's batch exclusion. A target
that answers every refusal with one catch-all code fails. Each broken request is contract-valid (the client validates
it), so only the business rule can refuse it; a case whose request the bound contract's own schema forbids (one whose
quantity minimum is 1) is not applicable there. After it, the same request unbroken must be accepted, so a target
that refuses everything never passes.

Everything contract-specific comes through the binding: operations by function and role, fields by role, the
error shape, statuses and codes; simulator control (holdings, batch runs) through ``sim_control``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import pytest
from request_rules import require_allowed, require_documented
from suites.rule_broken import RuleBroken
from suites.sim_control import in_function_window, run_batch_settlement, seed_holding

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient, BoundExchange
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL

INPUT: Final = "Input SI"
CHANGE: Final = "Change SI"
AMEND: Final = "Change Matched/Settled SI"
_STOCK: Final = "00005"
_SATURDAY: Final = 5


class NotRefused(RuleBroken):
    """The target accepted, or answered with another status or code, a request a Maintain SI rule refuses."""


@dataclass(frozen=True, slots=True)
class World:
    """Who acts and when: the participant under test, its counterparty, the target's business date."""

    bound: BoundClient
    actor: str
    counterparty: str
    today: date

    def weekend_day(self) -> date:
        """The first Saturday on or after the business date: never a settlement day, never in the past."""
        return self.today + timedelta(days=(_SATURDAY - self.today.weekday()) % 7)


def _world(harness: Harness) -> World:
    actor, counterparty = harness.target.acting_pair()
    return World(harness.bound, actor, counterparty, harness.client.business_dates()[0])


def _expect(answer: BoundExchange, what: str, kind: str | None, code: str | None = None, *,
            role: str | None = None) -> None:
    """The answer is a success (``kind`` None) or the bound contract's error of ``kind`` with the model's ``code``,
    naming the field of ``role``."""
    status = None if kind is None else answer.binding.error_status(kind, function=answer.function)
    status_ok = answer.ok if status is None else answer.status == status
    if status_ok and (code is None or answer.error_code() == code) \
            and (role is None or role in answer.error_roles()):
        return
    expected = ("2xx" if status is None else f"HTTP {status}") + (f" code={code}" if code else "") \
        + (f" naming {role}" if role else "")
    raise NotRefused(answer.function, what, received=f"HTTP {answer.status} code={answer.error_code()} naming "
                     f"{answer.error_roles()}: {answer.exchange.response.text[:300]}", expected=expected,
                     exchange=answer.exchange)


def _valid_input(world: World, **roles: Any) -> dict[str, Any]:
    """A FOP SI delivering to the counterparty today, valid for the contract and the business, of a fresh quantity
    and reference (so it matches nothing), overridden by ``roles``."""
    fresh = uuid.uuid4()
    return {"side": "DELIVER", "counterparty": world.counterparty, "stock_code": _STOCK,
            "quantity": 1_000 + fresh.int % 10**6, "settlement_date": world.today.isoformat(), "payment_type": "FOP",
            "own_reference": fresh.hex[:16], **roles}


def _created(answer: BoundExchange, what: str) -> dict[str, Any]:
    """The path roles of the SI ``answer`` created; Input SI is blamed if it created none (the setup of a check)."""
    _expect(answer, what, None)
    return {"si_id": answer.get("si_id")}


def _cancel(world: World, si: Mapping[str, Any]) -> None:
    """Cancel an unmatched SI of the actor (best effort: later checks then never meet it in matching)."""
    world.bound.call("Cancel SI", "cancel", as_participant=world.actor, **si)


# ---------------------------------------------------------------------- one case per business code
@dataclass(frozen=True, slots=True)
class Refusal:
    """One documented refusal: ``broken`` gives the role values that break the rule (merged into a valid Input SI,
    or the change Change SI sends); the answer must be ``kind``'s status with ``code``, naming ``role``."""

    function: str
    code: str
    kind: str
    what: str
    broken: Callable[[World], dict[str, Any]]
    role: str | None


def _dvp(amount: str | None) -> Callable[[World], dict[str, Any]]:
    paid = {"payment_type": "DVP", "currency": "HKD"}
    return lambda world: paid if amount is None else {**paid, "amount": amount}


def _self(world: World) -> dict[str, Any]:
    return {"counterparty": world.actor}


def _weekend(world: World) -> dict[str, Any]:
    return {"settlement_date": world.weekend_day().isoformat()}


def _fop_amount(world: World) -> dict[str, Any]:
    return {"amount": "5.00", "currency": "HKD"}


def _unknown_account(world: World) -> dict[str, Any]:
    return {"stock_account": "99"}  # two digits, as the contract wants; no participant of the simulator has it


REFUSALS: Final[tuple[Refusal, ...]] = (
    Refusal(INPUT, "AMOUNT_INVALID", "business", "a DVP SI of amount 0", _dvp("0"), "amount"),
    Refusal(INPUT, "AMOUNT_NOT_ALLOWED", "business", "a FOP SI with an amount", _fop_amount, "amount"),
    Refusal(INPUT, "AMOUNT_REQUIRED", "business", "a DVP SI without an amount", _dvp(None), "amount"),
    Refusal(INPUT, "COUNTERPARTY_IS_SELF", "business", "an SI whose counterparty is its own participant", _self,
            "counterparty"),
    Refusal(INPUT, "SETTLEMENT_DATE_NOT_BUSINESS_DAY", "business", "an SI settling on a Saturday", _weekend,
            "settlement_date"),
    Refusal(INPUT, "STOCK_ACCOUNT_UNKNOWN", "business", "an SI from stock account 99, not the participant's",
            _unknown_account, "stock_account"),
    Refusal(INPUT, "STOCK_UNKNOWN", "business", "an SI in stock 99999, not on the stock list",
            lambda world: {"stock_code": "99999"}, "stock_code"),
    Refusal(INPUT, "QUANTITY_INVALID", "business", "an SI of 0 shares", lambda world: {"quantity": 0}, "quantity"),
    Refusal(CHANGE, "AMOUNT_INVALID", "business", "a change to DVP at amount 0", _dvp("0"), "amount"),
    Refusal(CHANGE, "AMOUNT_NOT_ALLOWED", "business", "a FOP SI changed to carry an amount", _fop_amount, "amount"),
    Refusal(CHANGE, "AMOUNT_REQUIRED", "business", "a change to DVP without an amount", _dvp(None), "amount"),
    Refusal(CHANGE, "SETTLEMENT_DATE_NOT_BUSINESS_DAY", "business", "a change of settlement date to a Saturday",
            _weekend, "settlement_date"),
    Refusal(CHANGE, "STOCK_ACCOUNT_UNKNOWN", "business", "a change to stock account 99, not the participant's",
            _unknown_account, "stock_account"),
    Refusal(CHANGE, "QUANTITY_INVALID", "business", "a change of quantity to 0 shares", lambda world: {"quantity": 0},
            "quantity"),
)


def _refused_input(world: World, refusal: Refusal) -> None:
    what = f"{refusal.what} ({refusal.code})"
    broken = _valid_input(world, **refusal.broken(world))
    require_allowed(world.bound, INPUT, "create", broken, refusal.what)
    _expect(world.bound.call(INPUT, "create", as_participant=world.actor, **broken), what, refusal.kind, refusal.code,
            role=refusal.role)
    accepted = world.bound.call(INPUT, "create", as_participant=world.actor, **_valid_input(world))
    _cancel(world, _created(accepted, f"the same SI without the fault of {what}, valid for the contract and the "
                                      "business"))


def _refused_change(world: World, refusal: Refusal) -> None:
    what = f"{refusal.what} ({refusal.code})"
    si = _created(world.bound.call(INPUT, "create", as_participant=world.actor, **_valid_input(world)),
                  f"a valid FOP SI (the setup of Change SI's check of {refusal.code})")
    change = refusal.broken(world)
    try:
        require_allowed(world.bound, CHANGE, "change", {**si, **change}, refusal.what)
    except pytest.skip.Exception:
        _cancel(world, si)
        raise
    _expect(world.bound.call(CHANGE, "change", as_participant=world.actor, **si, **change),
            what, refusal.kind, refusal.code, role=refusal.role)
    fixed = world.bound.call(CHANGE, "change", as_participant=world.actor, **si,
                             quantity=_valid_input(world)["quantity"])
    _expect(fixed, f"a valid change of the same SI (after {what})", None)
    _cancel(world, si)


RUNNERS: Final[dict[str, tuple[str, Callable[[World, Refusal], None]]]] = {
    INPUT: ("create", _refused_input),
    CHANGE: ("change", _refused_change),
}


def _params() -> list[Any]:
    return [pytest.param(refusal, id=f"{refusal.function}:{refusal.code}",
                         marks=pytest.mark.ocp(functions=[refusal.function], check="negative"))
            for refusal in REFUSALS]


@pytest.mark.parametrize("refusal", _params())
def test_each_si_refusal_has_its_own_code(refusal: Refusal, ocp_harness: Harness) -> None:
    """Each documented code, provoked on its own: the right status, exactly that code and field."""
    role, run = RUNNERS[refusal.function]
    require_documented(ocp_harness.bound, refusal.function, role, refusal.code, kind=refusal.kind)
    run(_world(ocp_harness), refusal)


# ---------------------------------------------------------------------- an Idempotency-Key reused
def _key_headers(harness: Harness) -> list[str]:
    """The headers Input SI requires besides the credential: where its idempotency key goes."""
    credential = {name.lower() for name in harness.target.auth_headers(harness.target.acting_pair()[0])}
    return [name for name in harness.bound.operation(INPUT, "create").parameter_names("header", required=True)
            if name.lower() not in credential]


@pytest.mark.ocp(functions=[INPUT], check="negative")
def test_an_idempotency_key_reused_with_another_body_is_refused(ocp_harness: Harness) -> None:
    """The same key with another SI is refused (the first SI's answer must not be replayed for it, nor a second SI
    made); the other SI under a fresh key is accepted."""
    require_documented(ocp_harness.bound, INPUT, "create", "IDEMPOTENCY_KEY_REUSED", kind="conflict")
    names = _key_headers(ocp_harness)
    if not names:
        pytest.skip(f"{NOT_APPLICABLE}Input SI takes no idempotency key in the bound contract")
    world, key = _world(ocp_harness), uuid.uuid4().hex
    first = world.bound.call(INPUT, "create", as_participant=world.actor, headers=dict.fromkeys(names, key),
                             **_valid_input(world))
    first_si = _created(first, "a valid SI under a fresh idempotency key")
    other = _valid_input(world)
    reused = world.bound.call(INPUT, "create", as_participant=world.actor, headers=dict.fromkeys(names, key), **other)
    _expect(reused, f"another SI (quantity {other['quantity']}) under the first one's idempotency key {key}",
            "conflict", "IDEMPOTENCY_KEY_REUSED")
    fresh_key = dict.fromkeys(names, uuid.uuid4().hex)
    fresh = world.bound.call(INPUT, "create", as_participant=world.actor, headers=fresh_key, **other)
    _cancel(world, _created(fresh, "the other SI under a fresh idempotency key"))
    _cancel(world, first_si)


# ---------------------------------------------------------------------- a settled SI's locked field
_SETTLE_ROUNDS: Final = 3


def _settled_si(harness: Harness, world: World) -> dict[str, Any]:
    """A pair of SIs the actor delivers, matched and settled by a batch run (simulator control).

    Earlier checks may have left the actor's matched pairs in the same stock (a target whose revocation failed, say):
    a batch run may give them the stock first. So the run is repeated while it fails this pair for lack of stock,
    with the stock topped up each time; a pair that still does not settle is a setup the check could not make
    (skipped with the reason: the settlement rules are judged by the SI model and the settlement workflows), never
    a failure blamed on a function this check does not judge."""
    run_batch_settlement(harness.client)  # settle what earlier checks left matched first
    values = _valid_input(world)
    si = _created(world.bound.call(INPUT, "create", as_participant=world.actor, **values),
                  "the deliver side of a pair to settle (the setup of Change Matched/Settled SI's check)")
    _created(world.bound.call(INPUT, "create", as_participant=world.counterparty, **{
        **values, "side": "RECEIVE", "counterparty": world.actor, "own_reference": uuid.uuid4().hex[:16]}),
        "the receive side of a pair to settle (the setup of Change Matched/Settled SI's check)")
    status: object = None
    for _ in range(_SETTLE_ROUNDS):
        seed_holding(harness.client, world.actor, _STOCK, values["quantity"])
        failed = run_batch_settlement(harness.client).failed_match_ids
        view = world.bound.call("Enquire SI", "get", as_participant=world.actor, **si)
        status = view.get("status", None)
        if status == "SETTLED":
            return si
        if view.get("match_id", None) not in failed:
            break  # not for lack of stock: topping up again would not help
    pytest.skip(f"setup: a matched pair due today ({values['quantity']} x {_STOCK}) was {status} after "
                f"{_SETTLE_ROUNDS} batch settlement runs with its stock topped up; the check needs a SETTLED SI")


@pytest.mark.ocp(functions=[AMEND], check="negative")
def test_a_settled_si_keeps_its_batch_exclusion(ocp_harness: Harness) -> None:
    """Once SETTLED, an SI's batch exclusion is locked (SETTLED_SI_FIELD_LOCKED); its narrative may still change."""
    require_documented(ocp_harness.bound, AMEND, "amend", "SETTLED_SI_FIELD_LOCKED", kind="conflict")
    client, target = ocp_harness.client, ocp_harness.target
    control = client.contracts.control_document
    if not target.can(CLOCK_CONTROL) or control is None:
        pytest.skip("settling an SI needs a batch settlement run: a target with clock-control "
                    "(simRunBatchSettlement) to run one")
    if not in_function_window(client):
        pytest.skip("the target's clock is outside the function window")
    world = _world(ocp_harness)
    si = _settled_si(ocp_harness, world)
    locked = world.bound.call(AMEND, "amend", as_participant=world.actor, exclude_from_batch=True, **si)
    _expect(locked, "a change of a SETTLED SI's batch exclusion", "conflict", "SETTLED_SI_FIELD_LOCKED",
            role="exclude_from_batch")
    narrative = world.bound.call(AMEND, "amend", as_participant=world.actor, narrative="settled, noted", **si)
    _expect(narrative, "a change of a SETTLED SI's narrative", None)


# ---------------------------------------------------------------------- a revocation requested twice
REVOKE: Final = "Revoke Matched SI"


@pytest.mark.ocp(functions=[REVOKE], check="negative")
def test_a_second_revocation_from_the_same_side_is_refused(ocp_harness: Harness) -> None:
    """One side asks to revoke a matched pair twice: the first request is taken (the pair waits for the other
    side's), the second is REVOCATION_ALREADY_REQUESTED. (The SI model reaches this only when its random walk does.)
    The counterparty's revocation then ends the pair, so later checks never meet it."""
    require_documented(ocp_harness.bound, REVOKE, "revoke", "REVOCATION_ALREADY_REQUESTED", kind="conflict")
    if ocp_harness.target.can(CLOCK_CONTROL) and not in_function_window(ocp_harness.client):
        pytest.skip("the target's clock is outside the function window")
    world = _world(ocp_harness)
    values = _valid_input(world)
    ours = _created(world.bound.call(INPUT, "create", as_participant=world.actor, **values),
                    "the deliver side of a pair to revoke (the setup of Revoke Matched SI's check)")
    theirs = _created(world.bound.call(INPUT, "create", as_participant=world.counterparty, **{
        **values, "side": "RECEIVE", "counterparty": world.actor, "own_reference": uuid.uuid4().hex[:16]}),
        "the receive side of a pair to revoke (the setup of Revoke Matched SI's check)")
    status = world.bound.call("Enquire SI", "get", as_participant=world.actor, **ours).get("status", None)
    if status != "MATCHED":
        _cancel(world, ours)
        world.bound.call("Cancel SI", "cancel", as_participant=world.counterparty, **theirs)
        pytest.skip(f"setup: the pair was {status}, not MATCHED, right after both sides' input (the target matches "
                    "later, e.g. before its first matching of the day); the check needs a matched pair")
    _expect(world.bound.call(REVOKE, "revoke", as_participant=world.actor, **ours),
            "a first request to revoke a matched SI", None)
    _expect(world.bound.call(REVOKE, "revoke", as_participant=world.actor, **ours),
            "a second request by the same side to revoke the same matched SI", "conflict",
            "REVOCATION_ALREADY_REQUESTED")
    world.bound.call(REVOKE, "revoke", as_participant=world.counterparty, **theirs)
