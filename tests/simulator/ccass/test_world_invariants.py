"""Model-based invariants of one whole simulated market (issue 3, item 3).

A hypothesis state machine drives a :class:`Simulation` with everything that moves stock or money: SIs of every
payment type (matched, unmatched, on hold), batch runs, ATI, STI, mass ATI/STI, ISIs with and without
affirmation, deposits and withdrawals, and the clock. After every step, whatever happened:

- for every stock, the sum of all holdings changed only by the test's own deposits and withdrawals;
- every balance equals its opening balance plus its listed movements (and ``balance_after`` chains);
- every money position equals the signed sum of the settled DVP/RDP SI and DVP ISI amounts of that party,
  read from the instruction books, not from the ledger (deliverer credited, receiver debited);
- every item of a processed mass submission was applied exactly once, or rejected with a code and a reason;
- the day's settlement activity lists exactly the day's settlement movements, with their money.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ocp_conformance.simulator.ccass import (
    DomainError,
    MassItem,
    Participant,
    ReferenceData,
    SiFilter,
    SiInput,
    Simulation,
    Stock,
)
from ocp_conformance.simulator.ccass.isi import IsiInput

BROKERS = ("B01234", "B05678")
INVESTOR = "I12345"
PARTICIPANTS = (*BROKERS, INVESTOR)
ACCOUNTS = ("01", "02", "80")
# 90001 is a China Connect (Shanghai) security: its money settles in market MAMK.
STOCKS = {"00005": "HKMK", "00700": "HKMK", "90001": "MAMK"}
EARLY, LATE = date(2000, 1, 1), date(2100, 1, 1)

quantities = st.integers(1, 2_000)
amounts = st.integers(1, 10**8).map(lambda cents: Decimal(cents) / 100)


def _reference() -> ReferenceData:
    participants = [Participant(pid, pid, "BROKER", ACCOUNTS) for pid in BROKERS]
    participants.append(Participant(INVESTOR, "Chan Tai Man", "Investor", ("01",)))
    return ReferenceData(participants, [Stock(code, code, market) for code, market in STOCKS.items()])


def _accounts(participant: str) -> tuple[str, ...]:
    return ("01",) if participant == INVESTOR else ACCOUNTS


class WorldMachine(RuleBasedStateMachine):
    """Random operations on one market; the invariants are checked after each."""

    @initialize()
    def start(self) -> None:
        self.sim = Simulation(reference=_reference())
        for broker in BROKERS:
            self.sim.isi_book.allow_without_affirmation(INVESTOR, broker)
        self.net_deposits: Counter[str] = Counter()
        self.unaffirmed: list[str] = []
        self.mass_ids: list[str] = []

    # ------------------------------------------------------------------ stock entering and leaving
    @rule(participant=st.sampled_from(PARTICIPANTS), account=st.sampled_from(ACCOUNTS),
          stock=st.sampled_from(sorted(STOCKS)), quantity=st.integers(1, 100_000))
    def deposit(self, participant: str, account: str, stock: str, quantity: int) -> None:
        account = account if account in _accounts(participant) else "01"
        self.sim.ledger.deposit(participant, account, stock, quantity, at=self.sim.clock.now)
        self.net_deposits[stock] += quantity

    @rule(participant=st.sampled_from(PARTICIPANTS), account=st.sampled_from(ACCOUNTS),
          stock=st.sampled_from(sorted(STOCKS)), quantity=quantities)
    def withdraw(self, participant: str, account: str, stock: str, quantity: int) -> None:
        account = account if account in _accounts(participant) else "01"
        try:
            self.sim.ledger.withdraw(participant, account, stock, quantity, at=self.sim.clock.now)
        except DomainError as error:
            assert error.code == "INSUFFICIENT_STOCK"
            return
        self.net_deposits[stock] -= quantity

    # ------------------------------------------------------------------ SIs and batch runs
    @rule(deliverer=st.sampled_from(BROKERS), stock=st.sampled_from(sorted(STOCKS)), quantity=quantities,
          payment=st.sampled_from(["FOP", "DVP", "RDP"]), amount=amounts, currency=st.sampled_from(["HKD", "CNY"]),
          accounts=st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS)),
          hold=st.booleans(), both_sides=st.booleans(), fund=st.booleans())
    def input_si(self, deliverer: str, stock: str, quantity: int, payment: str, amount: Decimal, currency: str,
                 accounts: tuple[str, str], hold: bool, both_sides: bool, fund: bool) -> None:
        receiver = BROKERS[1 - BROKERS.index(deliverer)]
        if fund:  # random deposits rarely land where a deliverer needs them
            self.deposit(deliverer, accounts[0], stock, quantity)
        money: dict[str, Any] = {} if payment == "FOP" else {"amount": amount, "currency": currency}
        today = self.sim.clock.today
        book = self.sim.si_book
        book.input_si(deliverer, SiInput("DELIVER", receiver, stock, quantity, today, payment,  # type: ignore[arg-type]
                                         stock_account=accounts[0], hold=hold, **money))
        if both_sides:
            book.input_si(receiver, SiInput("RECEIVE", deliverer, stock, quantity, today, payment,  # type: ignore[arg-type]
                                            stock_account=accounts[1], **money))

    @rule(participant=st.sampled_from(BROKERS))
    def release_holds(self, participant: str) -> None:
        for si in self.sim.si_book.enquire(participant, SiFilter(status="MATCHED_ON_HOLD")):
            if si.hold:
                self.sim.si_book.set_hold(participant, si.si_id, False)

    @rule()
    def batch_run(self) -> None:
        self.sim.run_batch_settlement()

    @rule(minutes=st.integers(1, 24 * 60))
    def advance_clock(self, minutes: int) -> None:
        self.sim.advance_to(self.sim.clock.now + timedelta(minutes=minutes))

    # ------------------------------------------------------------------ transfers
    @rule(participant=st.sampled_from(BROKERS),
          accounts=st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS)),
          stock=st.sampled_from(sorted(STOCKS)), quantity=quantities, kind=st.sampled_from(["ATI", "STI"]),
          fund=st.booleans())
    def transfer(self, participant: str, accounts: tuple[str, str], stock: str, quantity: int, kind: str,
                 fund: bool) -> None:
        if fund:
            self.deposit(participant, accounts[0], stock, quantity)
        transfers = self.sim.transfers
        try:
            if kind == "ATI":
                transfers.input_ati(participant, accounts[0], accounts[1], stock, quantity)
            else:
                transfers.input_sti(participant, accounts[0], accounts[1], stock, quantity)
        except DomainError:
            pass  # a refusal moves nothing; the invariants say so

    @rule(participant=st.sampled_from(BROKERS), items=st.lists(st.builds(
        MassItem, st.sampled_from(["ATI", "STI"]), st.sampled_from(ACCOUNTS), st.sampled_from(ACCOUNTS),
        st.sampled_from([*sorted(STOCKS), "99999"]), st.integers(0, 2_000)), min_size=1, max_size=6))
    def mass_submission(self, participant: str, items: list[MassItem]) -> None:
        self.mass_ids.append(self.sim.mass_transfers.submit(participant, items).mass_id)

    @precondition(lambda self: bool(self.mass_ids))
    @rule(data=st.data())
    def cancel_mass_submission(self, data: st.DataObject) -> None:
        mass_id = data.draw(st.sampled_from(self.mass_ids))
        with suppress(DomainError):  # already processed: it stays as it was
            self.sim.mass_transfers.cancel(self._owner_of(mass_id), mass_id)

    # ------------------------------------------------------------------ ISIs
    @rule(broker=st.sampled_from(BROKERS), direction=st.sampled_from(["DELIVER_TO_INVESTOR", "RECEIVE_FROM_INVESTOR"]),
          stock=st.sampled_from(["00005", "00700"]), quantity=quantities, dvp=st.booleans(), amount=amounts,
          with_affirmation=st.booleans())
    def input_isi(self, broker: str, direction: str, stock: str, quantity: int, dvp: bool, amount: Decimal,
                  with_affirmation: bool) -> None:
        money: dict[str, Any] = {"payment_type": "DVP", "amount": amount, "currency": "HKD"} if dvp else {}
        if not with_affirmation:
            money = {}  # without affirmation: FOP only [F]
        try:
            isi = self.sim.isi_book.input_isi(broker, IsiInput(INVESTOR, direction, stock, quantity,  # type: ignore[arg-type]
                                                               with_affirmation=with_affirmation, **money))
        except DomainError:
            return
        if isi.status == "UNAFFIRMED":
            self.unaffirmed.append(isi.isi_id)

    @precondition(lambda self: bool(self.unaffirmed))
    @rule(data=st.data())
    def affirm_isi(self, data: st.DataObject) -> None:
        isi_id = data.draw(st.sampled_from(self.unaffirmed))
        self.unaffirmed.remove(isi_id)
        with suppress(DomainError):  # purged at a day end meanwhile
            self.sim.isi_book.affirm(INVESTOR, isi_id)

    # ------------------------------------------------------------------ invariants
    @invariant()
    def stock_is_conserved(self) -> None:
        for stock in STOCKS:
            assert self.sim.ledger.total(stock) == self.net_deposits[stock], stock

    @invariant()
    def balances_equal_opening_plus_movements(self) -> None:
        statements, ledger = self.sim.statements, self.sim.ledger
        today = self.sim.clock.today
        for participant in PARTICIPANTS:
            for account in _accounts(participant):
                for balance in statements.balances(participant, account):
                    assert balance.total == balance.available + balance.on_hold == ledger.holding(
                        participant, account, balance.stock_code)
                for stock in STOCKS:
                    holding = ledger.holding(participant, account, stock)
                    everything = statements.movements(participant, account, EARLY, LATE, stock)
                    assert sum(line.quantity for line in everything) == holding  # opening balance 0
                    running = 0
                    for line in everything:
                        running += line.quantity
                        assert line.balance_after == running >= 0
                    todays = statements.movements(participant, account, today, today, stock)
                    if todays:
                        opening = todays[0].balance_after - todays[0].quantity
                        assert opening + sum(line.quantity for line in todays) == holding

    @invariant()
    def money_equals_settled_amounts(self) -> None:
        expected: defaultdict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        for participant in BROKERS:
            for si in self.sim.si_book.enquire(participant, SiFilter(status="SETTLED")):
                if si.payment_type != "FOP" and si.amount is not None and si.currency is not None:
                    sign = 1 if si.side == "DELIVER" else -1
                    expected[(participant, STOCKS[si.stock_code], si.currency)] += sign * si.amount
        for isi in self.sim.isi_book.enquire(INVESTOR, "SETTLED"):
            if isi.payment_type == "DVP" and isi.amount is not None and isi.currency is not None:
                expected[(isi.deliverer, STOCKS[isi.stock_code], isi.currency)] += isi.amount
                expected[(isi.receiver, STOCKS[isi.stock_code], isi.currency)] -= isi.amount
        money = self.sim.ledger.money_ledger
        actual = {(p, pos.market, pos.currency): pos.balance
                  for p in PARTICIPANTS for pos in money.positions_of(p)}
        for key in {*expected, *actual}:
            assert actual.get(key, Decimal(0)) == expected.get(key, Decimal(0)), key
            position = money.position(*key)
            assert position.sub_ledgers["SETTLEMENT"] == position.balance  # only settlement moves [M]

    @invariant()
    def mass_items_applied_once_or_rejected(self) -> None:
        transfer_ids: list[str] = []
        for mass_id in self.mass_ids:
            submission = self.sim.mass_transfers.get(self._owner_of(mass_id), mass_id)
            if submission.status in ("RECEIVED", "CANCELLED"):
                assert all(item.result is None for item in submission.items)
                continue
            for item in submission.items:
                result = item.result
                assert result is not None
                if result.outcome == "REJECTED":
                    assert result.code and result.message and result.transfer_id is None
                else:
                    assert result.transfer_id is not None
                    transfer_ids.append(result.transfer_id)
        assert len(transfer_ids) == len(set(transfer_ids))  # no item created two transfers
        for transfer_id in transfer_ids:
            lines = [m for p in BROKERS for m in self.sim.ledger.movements(p) if m.reference == transfer_id]
            assert len(lines) in ((0, 2) if transfer_id.startswith("STI") else (2,))  # an STI may still be pending

    @invariant()
    def activity_lists_the_days_settlements(self) -> None:
        clock = self.sim.clock
        for participant in PARTICIPANTS:
            activity = self.sim.activity.read(participant, clock.today, date_of=clock.business_date_of)
            lines = [m for m in self.sim.ledger.movements(participant)
                     if m.at is not None and clock.business_date_of(m.at) == clock.today
                     and m.kind not in ("DEPOSIT", "WITHDRAWAL")]
            assert [item.movement_id for item in activity.items] == [m.seq for m in lines]
            postings = [p for p in self.sim.ledger.money_ledger.postings(participant)
                        if p.at is not None and clock.business_date_of(p.at) == clock.today]
            listed = sum((item.amount for item in activity.items if item.amount is not None), Decimal(0))
            assert listed == sum((p.amount for p in postings), Decimal(0))
            assert [run.run_id for run in activity.batch_runs] == [
                r.si_run.run_id for r in self.sim.batch_runs if clock.business_date_of(r.si_run.at) == clock.today]

    def _owner_of(self, mass_id: str) -> str:
        for broker in BROKERS:
            if any(s.mass_id == mass_id for s in self.sim.mass_transfers.enquire(broker)):
                return broker
        raise AssertionError(mass_id)


WorldMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None, database=None,
                                          suppress_health_check=[HealthCheck.too_slow])
TestWorldInvariants = WorldMachine.TestCase
