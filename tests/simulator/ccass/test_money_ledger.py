"""The money ledger: sub-ledgers, markets, the journal, and what settlement posts to it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from ccass_helpers import ALPHA, BETA, PairFn, dvp

from ocp_conformance.simulator.ccass import (
    HKT,
    SUB_LEDGERS,
    Ledger,
    MoneyLedger,
    Participant,
    ReferenceData,
    SiInput,
    Simulation,
    Stock,
)


def test_a_position_has_every_sub_ledger_and_only_settlement_moves() -> None:
    money = MoneyLedger()
    money.post(ALPHA, "HKD", Decimal("10.25"), kind="SI_SETTLEMENT", reference="M0000000001")
    money.post(ALPHA, "HKD", Decimal("-0.25"))
    position = money.position(ALPHA, "HKMK", "HKD")
    assert tuple(position.sub_ledgers) == SUB_LEDGERS
    assert position.sub_ledgers["SETTLEMENT"] == position.balance == Decimal("10.00")
    assert all(v == 0 for k, v in position.sub_ledgers.items() if k != "SETTLEMENT")
    assert [p.amount for p in money.postings(ALPHA)] == [Decimal("10.25"), Decimal("-0.25")]


def test_an_unknown_sub_ledger_is_refused() -> None:
    with pytest.raises(ValueError, match="BILLING"):
        MoneyLedger().post(ALPHA, "HKD", Decimal(1), sub_ledger="FEES")


def test_untouched_position_is_zero_and_not_listed() -> None:
    money = MoneyLedger()
    assert money.position(ALPHA, "MAMK", "CNY").balance == 0
    assert money.positions_of(ALPHA) == []


def test_postings_filter_by_date() -> None:
    money = MoneyLedger()
    money.post(ALPHA, "HKD", Decimal(1), at=datetime(2027, 4, 6, 10, tzinfo=HKT))
    money.post(ALPHA, "HKD", Decimal(2), at=datetime(2027, 4, 7, 10, tzinfo=HKT))
    assert [p.amount for p in money.postings(ALPHA, since=date(2027, 4, 7))] == [Decimal(2)]
    assert [p.amount for p in money.postings(ALPHA, until=date(2027, 4, 6))] == [Decimal(1)]


def test_ledger_posts_money_in_the_market_of_the_stock() -> None:
    ledger = Ledger(markets={"90001": "MAMK"})
    ledger.post_money(ALPHA, "CNY", Decimal(5), stock="90001")
    ledger.post_money(ALPHA, "CNY", Decimal(7), stock="80737")  # an RMB counter on the HK market
    assert [(p.market, p.balance) for p in ledger.money_ledger.positions_of(ALPHA)] == [
        ("HKMK", Decimal(7)), ("MAMK", Decimal(5))]
    assert ledger.money(ALPHA, "CNY") == Decimal(12)


def test_dvp_settlement_credits_deliverer_and_debits_receiver(sim: Simulation, matched_pair: PairFn) -> None:
    deliver, _ = matched_pair(**dvp("1000.50"))
    sim.run_batch_settlement()
    money = sim.ledger.money_ledger
    assert money.position(ALPHA, "HKMK", "HKD").balance == Decimal("1000.50")
    assert money.position(BETA, "HKMK", "HKD").balance == Decimal("-1000.50")
    (posting,) = money.postings(BETA)
    assert (posting.kind, posting.reference, posting.at) == ("SI_SETTLEMENT", deliver.match_id, sim.clock.now)


def test_china_connect_stock_settles_money_in_its_market() -> None:
    reference = ReferenceData([Participant(ALPHA, "A", "BROKER", ("01",)), Participant(BETA, "B", "BROKER", ("01",))],
                              [Stock("90001", "Kweichow Moutai", "MAMK")])
    sim = Simulation(reference=reference)
    sim.ledger.deposit(ALPHA, "01", "90001", 100)
    for side, owner, other in (("DELIVER", ALPHA, BETA), ("RECEIVE", BETA, ALPHA)):
        sim.si_book.input_si(owner, SiInput(side, other, "90001", 100, sim.clock.today, "RDP",  # type: ignore[arg-type]
                                            amount=Decimal("99.9"), currency="CNY"))
    sim.advance_to(sim.clock.now + timedelta(minutes=5))  # RDP: shares on hold, settled once the payment is confirmed
    assert sim.ledger.money_ledger.position(BETA, "MAMK", "CNY").balance == Decimal("-99.9")
