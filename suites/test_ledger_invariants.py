"""Ledger invariants over the API: balances, movements, settlement activity and money positions agree.

After a random sequence of what the suite can do over the API (seed holdings, SIs of both sides with every
payment type, some held, batch settlement runs), for the acting pair of participants:

- each balance equals its opening balance plus its listed movements: the movements listed after the sequence
  extend the ones listed before it, their quantities add up to the change of the balance, and every
  ``balanceAfter`` is the previous one plus the movement's quantity, ending at the balance's ``total``;
- ``available + onHold == total``, and ``pendingOut`` / ``pendingIn`` are the quantities of the participant's
  matched, unsettled SIs of that stock and account (Enquire SI decides which those are);
- the money position delta equals the signed sum of the settled DVP/RDP amounts of the suite's own SIs
  (deliverer credited, receiver debited), and a position is the sum of its sub-ledgers;
- the day's settlement activity lists every batch run the suite made, and each of the suite's settled SIs
  in that run's results and among the items, with its quantity and money signed from the participant's side.

Never assumes an empty world: the stock (02800) and currency (USD) are ones no other suite settles in, a batch
run first settles whatever other tests left matched, and only the suite's own SIs are summed. Needs a target
with clock-control (batch runs on demand, seeding); elsewhere only the static agreement of balance and
movements is checked.
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from suites.rule_broken import RuleBroken

from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.targets import CLOCK_CONTROL, Target

BALANCE: Final = "Enquire Stock Account Balance"
MOVEMENT: Final = "Enquire Stock Account Movement"
ACTIVITY: Final = "Enquire Settlement Activity"
MONEY: Final = "Enquire Money Position"
STOCK: Final = "02800"
CURRENCY: Final = "USD"
MARKET: Final = "HKMK"
ACCOUNTS: Final = ("01", "02")
_PENDING: Final = ("MATCHED", "MATCHED_ON_HOLD", "REVOKE_PENDING")


class LedgerMismatch(RuleBroken):
    """Balances, movements, activity and money positions of the target disagree."""

    def __init__(self, function: str, what: str, *, received: object, expected: object,
                 exchange: Exchange | None = None, steps: list[str] | None = None) -> None:
        super().__init__(function, what, received=received, expected=expected, exchange=exchange,
                         context=[f"After: {'; '.join(steps)}"] if steps else ())


@dataclass(frozen=True)
class SiOp:
    deliverer_first: bool
    payment: str
    quantity: int
    cents: int
    accounts: tuple[str, str]
    hold: bool
    matched: bool


@dataclass(frozen=True)
class SeedOp:
    party: int
    account: str
    quantity: int


@dataclass(frozen=True)
class RunOp:
    pass


operations = st.lists(st.one_of(
    st.builds(SiOp, st.booleans(), st.sampled_from(["FOP", "DVP", "RDP"]), st.integers(1, 5_000),
              st.integers(1, 10**8), st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS)),
              st.booleans(), st.booleans()),
    st.builds(SeedOp, st.integers(0, 1), st.sampled_from(ACCOUNTS), st.integers(1, 20_000)),
    st.just(RunOp()),
), min_size=1, max_size=8)


@dataclass
class Snapshot:
    totals: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    movements: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    money: dict[str, Decimal] = field(default_factory=dict)


def _problem(exchange: Exchange) -> str:
    body = exchange.body
    return f"HTTP {exchange.status}" + (f" {body.get('code')}" if isinstance(body, dict) and "code" in body else "")


class Ledger:
    """What the suite reads and does over the API for one acting pair."""

    def __init__(self, client: OcpClient, pair: tuple[str, str], today: date) -> None:
        self.client = client
        self.pair = pair
        self.today = today
        self.steps: list[str] = []

    # ------------------------------------------------------------------ reading
    def balance(self, party: str, account: str) -> dict[str, Any]:
        exchange = self.client.call(BALANCE, as_participant=party, accountId=party + account, stockCode=STOCK)
        items = exchange.body.get("items") if exchange.status == 200 else None
        if not items or len(items) != 1 or items[0].get("stockCode") != STOCK:
            raise LedgerMismatch(BALANCE, f"balance of {STOCK} in {party}{account} (stockCode filter)",
                                 received=f"{_problem(exchange)} items={items}",
                                 expected=f"HTTP 200, one item for {STOCK}", exchange=exchange, steps=self.steps)
        item: dict[str, Any] = items[0]
        if item["available"] + item["onHold"] != item["total"]:
            raise LedgerMismatch(BALANCE, f"available + onHold != total in {party}{account}", received=item,
                                 expected="available + onHold == total", exchange=exchange, steps=self.steps)
        return item

    def movements(self, party: str, account: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        window = {"fromDate": (self.today - timedelta(days=7)).isoformat(),
                  "toDate": (self.today + timedelta(days=7)).isoformat()}
        for _ in range(500):
            fields: dict[str, Any] = {**window, "stockCode": STOCK, "limit": 200}
            if cursor:
                fields["cursor"] = cursor
            page = self.client.call(MOVEMENT, as_participant=party, accountId=party + account, **fields)
            if page.status != 200:
                raise LedgerMismatch(MOVEMENT, f"movements of {party}{account}", received=_problem(page),
                                     expected="HTTP 200", exchange=page, steps=self.steps)
            found += page.expect()["items"]
            cursor = page.body.get("nextCursor")
            if not cursor:
                break
        return found

    def money(self, party: str) -> Decimal:
        exchange = self.client.call(MONEY, as_participant=party, market=MARKET, currency=CURRENCY)
        items = exchange.body.get("items") if exchange.status == 200 else None
        if not items or len(items) != 1:
            raise LedgerMismatch(MONEY, f"money position {MARKET}/{CURRENCY} of {party} (both filters)",
                                 received=f"{_problem(exchange)} items={items}", expected="HTTP 200, one item",
                                 exchange=exchange, steps=self.steps)
        position = items[0]
        parts = sum((Decimal(v) for v in position["subLedgers"].values()), Decimal(0))
        if Decimal(position["balance"]) != parts:
            raise LedgerMismatch(MONEY, "a position is not the sum of its sub-ledgers", received=position,
                                 expected=f"balance {parts}", exchange=exchange, steps=self.steps)
        return Decimal(position["balance"])

    def snapshot(self) -> Snapshot:
        shot = Snapshot()
        for party in self.pair:
            shot.money[party] = self.money(party)
            for account in ACCOUNTS:
                shot.totals[(party, account)] = self.balance(party, account)
                shot.movements[(party, account)] = self.movements(party, account)
        return shot

    # ------------------------------------------------------------------ acting
    def run(self) -> str:
        exchange = self.client.call_operation("simRunBatchSettlement")
        assert exchange.status == 200, f"harness: /_sim/settlement-runs answered {exchange.status}"
        return str(exchange.expect()["runId"])

    def seed(self, party: str, account: str, quantity: int) -> None:
        exchange = self.client.call_operation("simSeedHolding", body={
            "participantId": party, "stockAccount": account, "stockCode": STOCK, "quantity": quantity})
        assert exchange.status == 200, f"harness: /_sim/holdings answered {exchange.status}"

    def input_si(self, party: str, counterparty: str, side: str, op: SiOp, account: str, reference: str,
                 hold: bool) -> dict[str, Any]:
        money = {} if op.payment == "FOP" else {"amount": str(Decimal(op.cents) / 100), "currency": CURRENCY}
        exchange = self.client.call("Input SI", as_participant=party, side=side, counterpartyId=counterparty,
                                    stockCode=STOCK, quantity=op.quantity, settlementDate=self.today.isoformat(),
                                    paymentType=op.payment, stockAccount=account, ownReference=reference,
                                    hold=hold, **money)
        assert exchange.status == 201, f"harness: Input SI answered {_problem(exchange)}: {exchange.body}"
        return dict(exchange.body)


def _check_statements(ledger: Ledger, before: Snapshot, after: Snapshot) -> None:
    for key, listed in after.movements.items():
        party, account = key
        where = f"{party}{account} stock {STOCK}"
        earlier = before.movements[key]
        if [m["movementId"] for m in listed[:len(earlier)]] != [m["movementId"] for m in earlier]:
            raise LedgerMismatch(MOVEMENT, f"movements of {where} listed before are no longer listed the same",
                                 received=[m["movementId"] for m in listed],
                                 expected=f"starting with {[m['movementId'] for m in earlier]}", steps=ledger.steps)
        new = listed[len(earlier):]
        delta = after.totals[key]["total"] - before.totals[key]["total"]
        if sum(m["quantity"] for m in new) != delta:
            raise LedgerMismatch(MOVEMENT, f"balance of {where} changed by {delta}, its new movements do not add up",
                                 received=[(m["movementType"], m["quantity"]) for m in new],
                                 expected=f"movements summing to {delta}", steps=ledger.steps)
        for previous, current in itertools.pairwise(listed):
            if current["balanceAfter"] != previous["balanceAfter"] + current["quantity"]:
                raise LedgerMismatch(MOVEMENT, f"balanceAfter does not chain in {where}", received=current,
                                     expected=f"balanceAfter {previous['balanceAfter'] + current['quantity']}",
                                     steps=ledger.steps)
        if listed and listed[-1]["balanceAfter"] != after.totals[key]["total"]:
            raise LedgerMismatch(BALANCE, f"total of {where} is not the balance after its last movement",
                                 received=after.totals[key]["total"], expected=listed[-1]["balanceAfter"],
                                 steps=ledger.steps)
        if listed and listed[0]["balanceAfter"] - listed[0]["quantity"] < 0:
            raise LedgerMismatch(MOVEMENT, f"opening balance of {where} is negative", received=listed[0],
                                 expected="balanceAfter - quantity >= 0", steps=ledger.steps)


def _check_pending(ledger: Ledger, after: Snapshot) -> None:
    for party in ledger.pair:
        due: dict[tuple[str, str], int] = {}
        for status in _PENDING:
            listing = ledger.client.call("Enquire SI", operation="enquireSi", as_participant=party,
                                         stockCode=STOCK, status=status, limit=200)
            for si in listing.body.get("items", []) if listing.status == 200 else []:
                leg = (si["stockAccount"], "pendingOut" if si["side"] == "DELIVER" else "pendingIn")
                due[leg] = due.get(leg, 0) + si["quantity"]
        for account in ACCOUNTS:
            balance = after.totals[(party, account)]
            expected = {name: due.get((account, name), 0) for name in ("pendingIn", "pendingOut")}
            received = {name: balance[name] for name in expected}
            if received != expected:
                raise LedgerMismatch(BALANCE, f"pending stock of {party}{account} is not its matched, unsettled SIs",
                                     received=received, expected=expected, steps=ledger.steps)


def _check_money(ledger: Ledger, before: Snapshot, after: Snapshot, settled: list[dict[str, Any]]) -> None:
    for party in ledger.pair:
        expected = sum((Decimal(si["amount"]) * (1 if si["side"] == "DELIVER" else -1)
                        for si in settled if si["participantId"] == party and si["paymentType"] != "FOP"),
                       Decimal(0))
        received = after.money[party] - before.money[party]
        if received != expected:
            own = [(s["siId"], s["paymentType"], s["side"], s["amount"])
                   for s in settled if s["participantId"] == party]
            raise LedgerMismatch(MONEY, f"{party}'s {MARKET}/{CURRENCY} position moved by {received}",
                                 received=received, expected=f"{expected}, the signed sum of its settled SIs {own}",
                                 steps=ledger.steps)


def _check_activity(ledger: Ledger, runs: list[str], settled: list[dict[str, Any]]) -> None:
    for party in ledger.pair:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        page: Exchange | None = None
        for _ in range(500):
            fields: dict[str, Any] = {"businessDate": ledger.today.isoformat(), "limit": 200}
            page = ledger.client.call(ACTIVITY, as_participant=party, **fields | ({"cursor": cursor} if cursor else {}))
            if page.status != 200:
                raise LedgerMismatch(ACTIVITY, f"settlement activity of {party}", received=_problem(page),
                                     expected="HTTP 200", exchange=page, steps=ledger.steps)
            items += page.expect()["items"]
            cursor = page.body.get("nextCursor")
            if not cursor:
                break
        assert page is not None
        listed_runs = {run["runId"]: run for run in page.expect()["batchRuns"]}
        missing = [run for run in runs if run not in listed_runs]
        if missing:
            raise LedgerMismatch(ACTIVITY, f"batch runs of today missing from {party}'s settlement activity",
                                 received=sorted(listed_runs), expected=f"to include {runs}", exchange=page,
                                 steps=ledger.steps)
        by_source = {item["sourceId"]: item for item in items if item["sourceType"] == "SI"}
        for si in (s for s in settled if s["participantId"] == party):
            run = listed_runs.get(si["settlementRunId"])
            if run is None or si["siId"] not in run["settled"]:
                raise LedgerMismatch(ACTIVITY, f"SI {si['siId']} settled in run {si['settlementRunId']}, not in its "
                                     "batch run results", received=run, expected=f"settled to include {si['siId']}",
                                     exchange=page, steps=ledger.steps)
            item = by_source.get(si["siId"])
            sign = 1 if si["side"] == "RECEIVE" else -1
            amount = None if si["paymentType"] == "FOP" else Decimal(si["amount"]) * -sign
            received = None if item is None else (
                item["quantity"], None if item["amount"] is None else Decimal(item["amount"]))
            if received != (sign * si["quantity"], amount):
                raise LedgerMismatch(ACTIVITY, f"SI {si['siId']} settled today, its activity item is wrong or missing",
                                     received=item, expected={"quantity": sign * si["quantity"], "amount": amount},
                                     exchange=page, steps=ledger.steps)


def _apply(ledger: Ledger, ops: list[Any], runs: list[str], mine: list[tuple[str, str]]) -> None:
    a, b = ledger.pair
    for op in ops:
        if isinstance(op, RunOp):
            runs.append(ledger.run())
            ledger.steps.append(f"batch run {runs[-1]}")
        elif isinstance(op, SeedOp):
            party = ledger.pair[op.party]
            ledger.seed(party, op.account, op.quantity)
            ledger.steps.append(f"seed {op.quantity} into {party}{op.account}")
        else:
            deliverer, receiver = (a, b) if op.deliverer_first else (b, a)
            reference = uuid.uuid4().hex[:16]
            first = ledger.input_si(deliverer, receiver, "DELIVER", op, op.accounts[0], reference, op.hold)
            mine.append((deliverer, first["siId"]))
            described = f"{op.payment} {op.quantity} {deliverer}{op.accounts[0]}->{receiver}{op.accounts[1]}"
            if op.matched:
                second = ledger.input_si(receiver, deliverer, "RECEIVE", op, op.accounts[1], reference, False)
                mine.append((receiver, second["siId"]))
                described += " matched" + (" on hold" if op.hold else "")
            ledger.steps.append(f"SI {described}")


def _settled(ledger: Ledger, mine: list[tuple[str, str]]) -> list[dict[str, Any]]:
    found = []
    for party, si_id in mine:
        exchange = ledger.client.call("Enquire SI", operation="getSi", as_participant=party, siId=si_id)
        assert exchange.status == 200, f"Enquire SI of the suite's own SI {si_id}: {_problem(exchange)}"
        if exchange.expect()["status"] == "SETTLED":
            found.append(dict(exchange.body))
    return found


def _clean_up(ledger: Ledger, mine: list[tuple[str, str]]) -> None:
    """Cancel the suite's unmatched SIs and revoke its matched ones (both sides), so nothing it left settles
    later, in another example's run or another test's: best effort, other suites judge these functions."""
    for party, si_id in mine:
        got = ledger.client.call("Enquire SI", operation="getSi", as_participant=party, siId=si_id)
        status = got.body.get("status") if got.status == 200 else None
        if status == "UNMATCHED":
            ledger.client.call("Cancel SI", as_participant=party, siId=si_id)
        elif status in _PENDING:
            ledger.client.call("Revoke Matched SI", as_participant=party, siId=si_id)


def _pair(target: Target) -> tuple[str, str]:
    pair = target.acting_pair()
    if pair[0] == pair[1]:
        pytest.skip("needs two participants")
    return pair


@pytest.mark.ocp(functions=[BALANCE, MOVEMENT, ACTIVITY, MONEY], check="scenario")
@settings(max_examples=12, deadline=None, database=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=list(HealthCheck))
@given(ops=operations)
def test_ledger_invariants_hold_after_random_settlement(ops: list[Any], ocp_client: OcpClient,
                                                        ocp_target: Target) -> None:
    """Random seeds, SIs (FOP/DVP/RDP, held or not, matched or not) and batch runs keep balances, movements,
    activity and money positions in agreement."""
    if not ocp_target.can(CLOCK_CONTROL):
        pytest.skip("needs clock-control: seeding holdings and batch settlement runs on demand")
    clock = ocp_client.call_operation("simGetClock").body
    if not clock.get("inFunctionWindow", True):
        pytest.skip(f"the target's clock ({clock.get('now')}) is outside the function window")
    ledger = Ledger(ocp_client, _pair(ocp_target), date.fromisoformat(str(clock["businessDate"])))
    ledger.run()  # settle what other tests left matched, so the sums below are the suite's own
    for party in ledger.pair:  # each example starts with a fresh deposit: every movement kind is exercised
        ledger.seed(party, "01", 1 + secrets.randbelow(10_000))
    before = ledger.snapshot()
    runs: list[str] = []
    mine: list[tuple[str, str]] = []
    _apply(ledger, [SeedOp(0, "01", 50_000), *ops, RunOp()], runs, mine)
    after = ledger.snapshot()
    settled = _settled(ledger, mine)
    try:
        _check_statements(ledger, before, after)
        _check_pending(ledger, after)
        _check_money(ledger, before, after, settled)
        _check_activity(ledger, runs, settled)
    finally:
        _clean_up(ledger, mine)


@pytest.mark.ocp(functions=[BALANCE, MOVEMENT], check="scenario")
def test_balance_is_its_opening_balance_plus_todays_movements(ocp_client: OcpClient, ocp_target: Target) -> None:
    """On any target: for each stock of the acting participant's accounts, the last movement listed today
    ends at the balance's total, and every balanceAfter chains from the previous one."""
    party = ocp_target.acting_pair()[0]
    ledger = Ledger(ocp_client, (party, party), ocp_client.business_dates()[0])
    for account in ACCOUNTS:
        page = ocp_client.call(BALANCE, as_participant=party, accountId=party + account, limit=200)
        if page.status == 404:
            continue  # the participant has no such account
        for item in page.expect()["items"]:
            moves = ocp_client.call(MOVEMENT, as_participant=party, accountId=party + account,
                                    stockCode=item["stockCode"], limit=200)
            listed = moves.expect()["items"] if moves.status == 200 else []
            if moves.status != 200 or moves.body.get("nextCursor"):
                continue  # too many to check in one page, or refused (other tests judge that)
            for previous, current in itertools.pairwise(listed):
                if current["balanceAfter"] != previous["balanceAfter"] + current["quantity"]:
                    raise LedgerMismatch(MOVEMENT, f"balanceAfter does not chain in {party}{account}",
                                         received=current, expected=previous["balanceAfter"] + current["quantity"],
                                         exchange=moves)
            if listed and listed[-1]["balanceAfter"] != item["total"]:
                raise LedgerMismatch(BALANCE, f"total of {item['stockCode']} in {party}{account} is not the balance "
                                     "after today's last movement", received=item, expected=listed[-1]["balanceAfter"],
                                     exchange=moves, steps=ledger.steps)
