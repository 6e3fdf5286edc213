"""Privacy of Enquire Settlement Account/Status: a participant sees only its own accounts, activity and money.

- Enquire Stock Account Balance / Movement of another participant's stock account -> 404
  STOCK_ACCOUNT_NOT_FOUND (the same answer as for an account that does not exist), and nothing of its holdings;
- Enquire Settlement Activity never lists a settlement between two other participants;
- Enquire Money Position does not move when two other participants settle a DVP SI.

(No token / a forged token -> 401 is checked for every operation by test_security.py.)

Everything contract-specific comes through the binding: operations by function and role, fields and parameters by
role, the error shape, statuses and codes; only simulator control (seeding stock, running a batch) keeps its names.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, Final

import pytest
from di_support import seed_holding
from suites.rule_broken import RuleBroken

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import CLOCK_CONTROL, Target

BALANCE: Final = "Enquire Stock Account Balance"
MOVEMENT: Final = "Enquire Stock Account Movement"
ACTIVITY: Final = "Enquire Settlement Activity"
MONEY: Final = "Enquire Money Position"


class PrivacyBreach(RuleBroken):
    """One participant's enquiry shows another participant's data."""


def _three(target: Target) -> tuple[str, str, str]:
    """(enquirer B, owner A, A's counterparty C): C is a third participant, so B is party to nothing."""
    owner, enquirer = target.acting_pair()
    others = [p for p in target.participants if p not in (owner, enquirer)]
    if owner == enquirer or not others:
        pytest.skip("needs three participants")
    return enquirer, owner, others[0]


@pytest.mark.parametrize("function", [
    pytest.param(BALANCE, marks=pytest.mark.ocp(functions=[BALANCE], check="security"), id="balance"),
    pytest.param(MOVEMENT, marks=pytest.mark.ocp(functions=[MOVEMENT], check="security"), id="movement"),
])
def test_other_participants_account_is_not_found(function: str, ocp_harness: Harness) -> None:
    """B asking for A's stock account 01 gets the not-found error STOCK_ACCOUNT_NOT_FOUND and no items."""
    bound = ocp_harness.bound
    owner, other = ocp_harness.client.target.acting_pair()
    if owner == other:
        pytest.skip("needs two participants")
    answer = bound.call(function, "get", as_participant=other, account_id=f"{owner}01")
    status = bound.binding.error_status("not_found", function=function)
    if answer.status != status or answer.error_code() != "STOCK_ACCOUNT_NOT_FOUND" \
            or answer.get("items", None) is not None:
        raise PrivacyBreach(function, f"{other} enquired {owner}'s stock account {owner}01",
                            received=f"HTTP {answer.status} code={answer.error_code()}",
                            expected=f"HTTP {status} code=STOCK_ACCOUNT_NOT_FOUND, nothing of the account",
                            exchange=answer.exchange)


def _settle_between(bound: BoundClient, a: str, c: str, quantity: int, amount: str, reference: str) -> list[str]:
    """A delivers to C, DVP in USD, and a batch run settles it; returns the two SI ids."""
    client = bound.client
    today = client.business_dates()[0].isoformat()
    seed_holding(client, a, "02800", quantity)
    ids = []
    for party, side, counterparty in ((a, "DELIVER", c), (c, "RECEIVE", a)):
        created = bound.call("Input SI", "create", as_participant=party, side=side, counterparty=counterparty,
                             stock_code="02800", quantity=quantity, settlement_date=today, payment_type="DVP",
                             amount=amount, currency="USD", own_reference=reference)
        if not created.ok:
            pytest.skip(f"could not set up A's SI (Input SI answered {created.status} {created.error_code()})")
        ids.append(str(created.get("si_id")))
    client.call_operation("simRunBatchSettlement")
    return ids


def _needs_clock_control(target: Target) -> None:
    if not target.can(CLOCK_CONTROL):
        pytest.skip("needs clock-control: a settlement between two other participants on demand")


@pytest.mark.ocp(functions=[ACTIVITY], check="security")
def test_activity_never_lists_other_participants_settlements(ocp_harness: Harness) -> None:
    """A and C settle a DVP SI; B's settlement activity of the day shows neither SI nor its quantity."""
    bound, target = ocp_harness.bound, ocp_harness.client.target
    _needs_clock_control(target)
    enquirer, owner, counterparty = _three(target)
    quantity = 700_000 + secrets.randbelow(200_000)
    ids = _settle_between(bound, owner, counterparty, quantity, "4321.09", uuid.uuid4().hex[:16])
    cursor: str | None = None
    for _ in range(100):
        values: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = bound.call(ACTIVITY, "list", as_participant=enquirer, **values)
        text = page.exchange.response.text
        leaked = [i for i in ids if i in text] + ([str(quantity)] if str(quantity) in text else [])
        if not page.ok or leaked:
            raise PrivacyBreach(ACTIVITY, f"{enquirer}'s activity after {owner} settled with {counterparty}",
                                received=f"HTTP {page.status}, shows {leaked}",
                                expected=f"2xx without {owner}'s and {counterparty}'s SIs", exchange=page.exchange)
        cursor = page.get("next_cursor", None)
        if not cursor:
            break


@pytest.mark.ocp(functions=[MONEY], check="security")
def test_money_position_ignores_other_participants_settlements(ocp_harness: Harness) -> None:
    """B's money positions are the same before and after A and C settle a DVP SI."""
    bound, target = ocp_harness.bound, ocp_harness.client.target
    _needs_clock_control(target)
    enquirer, owner, counterparty = _three(target)
    bound.client.call_operation("simRunBatchSettlement")  # settle B's own leftovers first: only A-C's run counts
    before = bound.call(MONEY, "list", as_participant=enquirer)
    _settle_between(bound, owner, counterparty, 1 + secrets.randbelow(10_000), "98765.43", uuid.uuid4().hex[:16])
    after = bound.call(MONEY, "list", as_participant=enquirer)
    if not after.ok or before.items() != after.items():
        raise PrivacyBreach(MONEY, f"{enquirer}'s money positions after {owner} settled with {counterparty}",
                            received=after.body, expected=f"unchanged: {before.items()}", exchange=after.exchange)
