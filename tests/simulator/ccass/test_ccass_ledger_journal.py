"""Ledger journal, holds and balances; account kinds of the reference data."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import InsufficientStock, Simulation
from ocp_conformance.simulator.ccass.clock import HKT
from ocp_conformance.simulator.ccass.ledger import Balance, Ledger
from ocp_conformance.simulator.ccass.reference import SPSA_ACCOUNT_RANGE, account_kind

FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
D1 = datetime(2027, 4, 6, 10, 0, tzinfo=HKT)
D2 = datetime(2027, 4, 7, 10, 0, tzinfo=HKT)


class TestAccountKind:
    @pytest.mark.parametrize(
        ("account", "kind"),
        [("01", "clearing"), ("02", "segregated"), ("79", "segregated"), ("80", "spsa"), ("99", "spsa")],
    )
    def test_default_ranges(self, account: str, kind: str) -> None:
        assert account_kind(account) == kind

    def test_spsa_range_is_configurable(self) -> None:
        assert SPSA_ACCOUNT_RANGE == (80, 99)
        assert account_kind("70", spsa_range=(70, 79)) == "spsa"
        assert account_kind("80", spsa_range=(70, 79)) == "segregated"

    @pytest.mark.parametrize("account", ["1", "001", "ab", "٠١", ""])
    def test_malformed_account(self, account: str) -> None:
        with pytest.raises(ValueError, match="2 digits"):
            account_kind(account)


class TestJournal:
    def test_deposit_and_move_are_journalled(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 1_000, at=D1, reference="SEED1")
        ledger.move(stock="00005", quantity=300, source=("B01234", "01"), target=("B05678", "02"),
                    at=D2, kind="SI_SETTLEMENT", reference="SI0000000001")
        alpha = ledger.movements("B01234")
        assert [(m.seq, m.quantity, m.kind, m.reference) for m in alpha] == [
            (1, 1_000, "DEPOSIT", "SEED1"),
            (2, -300, "SI_SETTLEMENT", "SI0000000001"),
        ]
        (beta,) = ledger.movements("B05678")
        assert (beta.seq, beta.account, beta.stock, beta.quantity, beta.at) == (3, "02", "00005", 300, D2)

    def test_old_callers_get_defaults(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 10)
        ledger.move(stock="00005", quantity=4, source=("B01234", "01"), target=("B01234", "02"))
        assert [(m.kind, m.at, m.reference) for m in ledger.movements("B01234")] == [
            ("DEPOSIT", None, None), ("MOVE", None, None), ("MOVE", None, None)
        ]

    def test_filters(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)  # no time: matches any range
        ledger.deposit("B01234", "01", "00700", 100, at=D1)
        ledger.deposit("B01234", "02", "00005", 100, at=D2)
        assert [m.seq for m in ledger.movements("B01234", account="01")] == [1, 2]
        assert [m.seq for m in ledger.movements("B01234", stock="00005")] == [1, 3]
        assert [m.seq for m in ledger.movements("B01234", account="01", stock="00005")] == [1]
        assert [m.seq for m in ledger.movements("B01234", since=date(2027, 4, 7))] == [1, 3]
        assert [m.seq for m in ledger.movements("B01234", until=date(2027, 4, 6))] == [1, 2]
        assert [m.seq for m in ledger.movements("B01234", since=D1.date(), until=D1.date())] == [1, 2]
        assert ledger.movements("B05678") == []

    def test_failed_move_journals_nothing(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 10)
        with pytest.raises(InsufficientStock):
            ledger.move(stock="00005", quantity=11, source=("B01234", "01"), target=("B01234", "02"))
        assert len(ledger.movements("B01234")) == 1

    def test_demo_seed_is_journalled(self) -> None:
        sim = Simulation()
        lines = sim.ledger.movements("B01234", account="02", stock="00700")
        assert [(m.quantity, m.kind) for m in lines] == [(10_000, "DEPOSIT")]


class TestHolds:
    def test_hold_reduces_available_not_total(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)
        ledger.hold("B01234", "01", "00005", 30, "H1")
        assert ledger.balance("B01234", "01", "00005") == Balance(available=70, on_hold=30, total=100)
        assert ledger.on_hold("B01234", "01", "00005") == 30
        assert ledger.available("B01234", "01", "00005") == 70
        assert [h.reference for h in ledger.holds_of("B01234")] == ["H1"]

    def test_move_refuses_held_stock(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)
        ledger.hold("B01234", "01", "00005", 30, "H1")
        with pytest.raises(InsufficientStock) as caught:
            ledger.move(stock="00005", quantity=71, source=("B01234", "01"), target=("B01234", "02"))
        assert (caught.value.needed, caught.value.available) == (71, 70)
        ledger.move(stock="00005", quantity=70, source=("B01234", "01"), target=("B01234", "02"))
        assert ledger.balance("B01234", "01", "00005") == Balance(0, 30, 30)

    def test_release(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)
        ledger.hold("B01234", "01", "00005", 30, "H1")
        ledger.hold("B01234", "01", "00005", 20, "H2")
        assert ledger.release("H1").quantity == 30
        assert ledger.balance("B01234", "01", "00005") == Balance(80, 20, 100)
        ledger.release("H2")
        assert ledger.balance("B01234", "01", "00005") == Balance(100, 0, 100)
        with pytest.raises(KeyError):
            ledger.release("H2")

    def test_hold_rules(self) -> None:
        ledger = Ledger()
        ledger.deposit("B01234", "01", "00005", 100)
        with pytest.raises(ValueError, match="positive"):
            ledger.hold("B01234", "01", "00005", 0, "H1")
        with pytest.raises(InsufficientStock):
            ledger.hold("B01234", "01", "00005", 101, "H1")
        ledger.hold("B01234", "01", "00005", 60, "H1")
        with pytest.raises(ValueError, match="already holds"):
            ledger.hold("B01234", "01", "00005", 1, "H1")
        with pytest.raises(InsufficientStock):
            ledger.hold("B01234", "01", "00005", 41, "H2")

    def test_settlement_with_holds_unchanged_for_sis(self) -> None:
        # SIs place no holds, so availability equals holding and SI settlement is unaffected.
        sim = Simulation()
        assert sim.ledger.available("B01234", "01", "00700") == sim.ledger.holding("B01234", "01", "00700")


ACCOUNTS = ("01", "02", "80")
STOCKS = ("00005", "00700")
PARTIES = ("B01234", "B05678")

_op = st.one_of(
    st.tuples(st.just("deposit"), st.sampled_from(PARTIES), st.sampled_from(ACCOUNTS), st.sampled_from(STOCKS),
              st.integers(1, 500)),
    st.tuples(st.just("move"), st.sampled_from(PARTIES), st.sampled_from(ACCOUNTS), st.sampled_from(STOCKS),
              st.integers(1, 500), st.sampled_from(PARTIES), st.sampled_from(ACCOUNTS)),
    st.tuples(st.just("hold"), st.sampled_from(PARTIES), st.sampled_from(ACCOUNTS), st.sampled_from(STOCKS),
              st.integers(1, 500)),
    st.tuples(st.just("release"), st.integers(0, 20)),
)


@FAST
@given(st.lists(_op, max_size=40))
def test_balance_total_equals_sum_of_movements(ops: list[tuple[object, ...]]) -> None:
    ledger = Ledger()
    holds: list[str] = []
    deposited = dict.fromkeys(STOCKS, 0)
    for n, op in enumerate(ops):
        try:
            match op:
                case ("deposit", str(p), str(a), str(s), int(q)):
                    ledger.deposit(p, a, s, q)
                    deposited[s] += q
                case ("move", str(p), str(a), str(s), int(q), str(tp), str(ta)):
                    ledger.move(stock=s, quantity=q, source=(p, a), target=(tp, ta))
                case ("hold", str(p), str(a), str(s), int(q)):
                    ledger.hold(p, a, s, q, f"H{n}")
                    holds.append(f"H{n}")
                case ("release", int(i)) if holds:
                    ledger.release(holds.pop(i % len(holds)))
        except InsufficientStock:
            pass
    for stock in STOCKS:
        assert ledger.total(stock) == deposited[stock]
    for p in PARTIES:
        for a in ACCOUNTS:
            for s in STOCKS:
                bal = ledger.balance(p, a, s)
                assert bal.total == sum(m.quantity for m in ledger.movements(p, a, s))
                assert bal.total == sum(m.quantity for m in ledger.movements(p) if (m.account, m.stock) == (a, s))
                assert bal.available >= 0
                assert bal.on_hold >= 0
                assert bal.available + bal.on_hold == bal.total
