"""Privacy of Enquire Settlement Account/Status: a participant sees only its own accounts, activity and money.

- Enquire Stock Account Balance / Movement of another participant's stock account -> 404
  STOCK_ACCOUNT_NOT_FOUND (the same answer as for an account that does not exist), and nothing of its holdings;
- Enquire Settlement Activity never lists a settlement between two other participants;
- Enquire Money Position does not move when two other participants settle a DVP SI.

(No token / a forged token -> 401 is checked for every operation by test_security.py.)
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any, Final

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

BALANCE: Final = "Enquire Stock Account Balance"
MOVEMENT: Final = "Enquire Stock Account Movement"
ACTIVITY: Final = "Enquire Settlement Activity"
MONEY: Final = "Enquire Money Position"


class PrivacyBreach(RuleBroken):
    """One participant's enquiry shows another participant's data."""


def _code(exchange: Exchange) -> str | None:
    body = exchange.body
    return body.get("code") if isinstance(body, dict) else None


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
def test_other_participants_account_is_not_found(function: str, ocp_client: OcpClient, ocp_target: Target) -> None:
    """B asking for A's stock account 01 gets 404 STOCK_ACCOUNT_NOT_FOUND and no items."""
    owner, other = ocp_target.acting_pair()
    if owner == other:
        pytest.skip("needs two participants")
    exchange = ocp_client.call(function, as_participant=other, accountId=f"{owner}01")
    if exchange.status != 404 or _code(exchange) != "STOCK_ACCOUNT_NOT_FOUND" or "items" in (exchange.body or {}):
        raise PrivacyBreach(function, f"{other} enquired {owner}'s stock account {owner}01",
                            received=f"HTTP {exchange.status} code={_code(exchange)}",
                            expected="HTTP 404 code=STOCK_ACCOUNT_NOT_FOUND, nothing of the account", exchange=exchange)


def _settle_between(client: OcpClient, a: str, c: str, quantity: int, amount: str, reference: str) -> list[str]:
    """A delivers to C, DVP in USD, and a batch run settles it; returns the two SI ids."""
    today = client.business_dates()[0].isoformat()
    seeded = client.call_operation("simSeedHolding", body={"participantId": a, "stockCode": "02800",
                                                           "quantity": quantity})
    assert seeded.status == 200, f"harness: /_sim/holdings answered {seeded.status}"
    ids = []
    for party, side, counterparty in ((a, "DELIVER", c), (c, "RECEIVE", a)):
        created = client.call("Input SI", as_participant=party, side=side, counterpartyId=counterparty,
                              stockCode="02800", quantity=quantity, settlementDate=today, paymentType="DVP",
                              amount=amount, currency="USD", ownReference=reference)
        if created.status != 201:
            pytest.skip(f"could not set up A's SI (Input SI answered {created.status} {_code(created)})")
        ids.append(str(created.expect()["siId"]))
    client.call_operation("simRunBatchSettlement")
    return ids


def _needs_clock_control(target: Target) -> None:
    if not target.can(CLOCK_CONTROL):
        pytest.skip("needs clock-control: a settlement between two other participants on demand")


@pytest.mark.ocp(functions=[ACTIVITY], check="security")
def test_activity_never_lists_other_participants_settlements(ocp_client: OcpClient, ocp_target: Target) -> None:
    """A and C settle a DVP SI; B's settlement activity of the day shows neither SI nor its quantity."""
    _needs_clock_control(ocp_target)
    enquirer, owner, counterparty = _three(ocp_target)
    quantity = 700_000 + secrets.randbelow(200_000)
    ids = _settle_between(ocp_client, owner, counterparty, quantity, "4321.09", uuid.uuid4().hex[:16])
    cursor: str | None = None
    for _ in range(100):
        fields: dict[str, Any] = {"limit": 200} | ({"cursor": cursor} if cursor else {})
        page = ocp_client.call(ACTIVITY, as_participant=enquirer, **fields)
        text = page.response.text
        leaked = [i for i in ids if i in text] + ([str(quantity)] if str(quantity) in text else [])
        if page.status != 200 or leaked:
            raise PrivacyBreach(ACTIVITY, f"{enquirer}'s activity after {owner} settled with {counterparty}",
                                received=f"HTTP {page.status}, shows {leaked}",
                                expected=f"HTTP 200 without {owner}'s and {counterparty}'s SIs", exchange=page)
        cursor = page.body.get("nextCursor")
        if not cursor:
            break


@pytest.mark.ocp(functions=[MONEY], check="security")
def test_money_position_ignores_other_participants_settlements(ocp_client: OcpClient, ocp_target: Target) -> None:
    """B's money positions are the same before and after A and C settle a DVP SI."""
    _needs_clock_control(ocp_target)
    enquirer, owner, counterparty = _three(ocp_target)
    ocp_client.call_operation("simRunBatchSettlement")  # settle B's own leftovers first: only A-C's run counts
    before = ocp_client.call(MONEY, as_participant=enquirer)
    _settle_between(ocp_client, owner, counterparty, 1 + secrets.randbelow(10_000), "98765.43", uuid.uuid4().hex[:16])
    after = ocp_client.call(MONEY, as_participant=enquirer)
    if after.status != 200 or before.body.get("items") != after.body.get("items"):
        raise PrivacyBreach(MONEY, f"{enquirer}'s money positions after {owner} settled with {counterparty}",
                            received=after.body, expected=f"unchanged: {before.body.get('items')}", exchange=after)
