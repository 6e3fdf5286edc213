"""Batch settlement runs, day-end purge and the Simulation driving them from the clock."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from ccass_helpers import ALPHA, BETA, MakeSi, PairFn, dvp, next_business_day

from ocp_conformance.simulator.ccass import (
    DEFAULT_START,
    HKT,
    Ledger,
    ReferenceData,
    Simulation,
    demo_reference_data,
)

TUE = date(2027, 4, 6)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), HKT)


class TestBatchSettlement:
    def test_fop_pair_settles_into_receivers_account(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, receive = matched_pair(stock_account="02", r_stock_account="80", quantity=4_000)
        run = sim.run_batch_settlement()
        assert (run.run_id, run.at, run.settled, run.failed) == (
            "R00000001",
            sim.clock.now,
            (deliver.match_id,),
            (),
        )
        assert sim.ledger.holding(ALPHA, "02", "00700") == 6_000
        assert sim.ledger.holding(BETA, "80", "00700") == 4_000
        for owner, si in ((ALPHA, deliver), (BETA, receive)):
            settled = sim.si_book.get(owner, si.si_id)
            assert (settled.status, settled.settled_at, settled.settlement_run_id) == (
                "SETTLED",
                sim.clock.now,
                "R00000001",
            )
        assert sim.ledger.money_of(ALPHA) == {}

    def test_dvp_posts_money(self, sim: Simulation, matched_pair: PairFn) -> None:
        matched_pair(**dvp("350000.50", "CNY"))
        sim.run_batch_settlement()
        assert sim.ledger.money(ALPHA, "CNY") == Decimal("350000.50")
        assert sim.ledger.money(BETA, "CNY") == Decimal("-350000.50")

    def test_lack_of_stock_fails_both_and_retries(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, receive = matched_pair(stock_account="02", quantity=20_000)
        run = sim.run_batch_settlement()
        assert run.settled == () and [mid for mid, _ in run.failed] == [deliver.match_id]
        assert "20000" in run.failed[0][1] and "10000" in run.failed[0][1] and "00700" in run.failed[0][1]
        for owner, si in ((ALPHA, deliver), (BETA, receive)):
            failed = sim.si_book.get(owner, si.si_id)
            assert failed.status == "MATCHED"
            assert failed.last_settlement_failure is not None
            assert (failed.last_settlement_failure.code, failed.last_settlement_failure.run_id) == (
                "LACK",
                run.run_id,
            )
        assert sim.ledger.holding(ALPHA, "02", "00700") == 10_000  # all or nothing
        sim.ledger.deposit(ALPHA, "02", "00700", 10_000)
        assert sim.run_batch_settlement().settled == (deliver.match_id,)

    def test_ineligible_pairs_are_left_alone(self, sim: Simulation, matched_pair: PairFn) -> None:
        on_hold, _ = matched_pair(quantity=1, hold=True)
        excluded, _ = matched_pair(quantity=2, r_exclude_from_batch=True)
        future, _ = matched_pair(quantity=3, settlement_date=next_business_day(sim))
        revoking, _ = matched_pair(quantity=4)
        sim.si_book.revoke(ALPHA, revoking.si_id)
        eligible, _ = matched_pair(quantity=5)
        run = sim.run_batch_settlement()
        assert run.settled == (eligible.match_id,) and run.failed == ()
        for si, status in ((on_hold, "MATCHED_ON_HOLD"), (excluded, "MATCHED"), (future, "MATCHED")):
            assert sim.si_book.get(ALPHA, si.si_id).status == status
        assert sim.si_book.get(ALPHA, revoking.si_id).status == "REVOKE_PENDING"

    def test_released_hold_and_included_pair_settle_later(
        self, sim: Simulation, matched_pair: PairFn
    ) -> None:
        held, _ = matched_pair(quantity=1, hold=True)
        excluded, _ = matched_pair(quantity=2, exclude_from_batch=True)
        sim.si_book.set_hold(ALPHA, held.si_id, False)
        sim.si_book.change_matched(ALPHA, excluded.si_id, {"exclude_from_batch": False})
        assert sim.run_batch_settlement().settled == (held.match_id, excluded.match_id)

    def test_processing_in_match_order_decides_who_gets_scarce_stock(
        self, sim: Simulation, matched_pair: PairFn
    ) -> None:
        first, _ = matched_pair(stock_account="02", quantity=6_000)
        second, _ = matched_pair(stock_account="02", quantity=5_000)
        run = sim.run_batch_settlement()
        assert run.settled == (first.match_id,)
        assert [mid for mid, _ in run.failed] == [second.match_id]

    def test_settled_pairs_are_not_settled_again(self, sim: Simulation, matched_pair: PairFn) -> None:
        matched_pair()
        sim.run_batch_settlement()
        assert sim.run_batch_settlement().settled == ()
        assert sim.ledger.total("00700") == 4 * 1_010_000 + 1_000_000  # brokers/custodians and the investor


class TestDayEnd:
    def test_purges_unmatched_due_sis_only(
        self, sim: Simulation, make_si: MakeSi, matched_pair: PairFn
    ) -> None:
        due = sim.si_book.input_si(ALPHA, make_si(quantity=1))
        later = sim.si_book.input_si(ALPHA, make_si(quantity=2, settlement_date=next_business_day(sim)))
        excluded, _ = matched_pair(quantity=3, exclude_from_batch=True)
        sim.si_book.on_day_end(TUE)
        purged = sim.si_book.get(ALPHA, due.si_id)
        assert purged.status == "PURGED" and purged.deleted_at == sim.clock.now
        assert sim.si_book.get(ALPHA, later.si_id).status == "UNMATCHED"
        assert sim.si_book.get(ALPHA, excluded.si_id).status == "MATCHED"  # matched SIs are not purged
        # a purged SI is out of the matching index
        assert sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, quantity=1)).status == "UNMATCHED"

    def test_late_day_end_dates_the_purge_at_the_end_of_that_day(
        self, sim: Simulation, make_si: MakeSi
    ) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        sim.clock.advance_to(at(date(2027, 4, 7), 9))  # the clock alone: no scheduled processing
        sim.si_book.on_day_end(TUE)
        assert sim.si_book.get(ALPHA, si.si_id).deleted_at == datetime(2027, 4, 6, 23, 59, 59, tzinfo=HKT)


class TestSimulation:
    def test_defaults(self) -> None:
        sim = Simulation()
        assert sim.clock.now == DEFAULT_START and sim.clock.today == TUE
        assert sim.ledger.holding(ALPHA, "01", "00005") == 1_000_000
        assert len(sim.si_book) == 0

    def test_custom_reference_starts_with_empty_ledger(self) -> None:
        sim = Simulation(reference=demo_reference_data(), start=at(date(2027, 4, 7), 8))
        assert isinstance(sim.ledger, Ledger) and isinstance(sim.reference, ReferenceData)
        assert sim.ledger.holdings_of(ALPHA) == []
        assert sim.clock.today == date(2027, 4, 7)

    def test_advance_runs_batches_at_their_times(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair()
        runs = sim.advance_to(at(TUE, 15))
        assert [run.at for run in runs] == [at(TUE, 10, 30), at(TUE, 12), at(TUE, 14)]
        assert runs[0].settled == (deliver.match_id,)
        assert sim.si_book.get(ALPHA, deliver.si_id).settled_at == at(TUE, 10, 30)
        assert sim.clock.now == at(TUE, 15)

    def test_advance_over_day_end_purges_then_continues(self, sim: Simulation, make_si: MakeSi) -> None:
        si = sim.si_book.input_si(ALPHA, make_si())
        runs = sim.advance_to(at(date(2027, 4, 7), 11))
        assert len(runs) == 5  # four on Tuesday, the first on Wednesday
        purged = sim.si_book.get(ALPHA, si.si_id)
        assert purged.status == "PURGED" and purged.deleted_at == at(TUE, 23, 59)

    def test_future_dated_pair_settles_on_its_date(self, sim: Simulation, matched_pair: PairFn) -> None:
        deliver, _ = matched_pair(settlement_date=next_business_day(sim))
        assert all(run.settled == () for run in sim.advance_to(at(TUE, 17)))
        runs = sim.advance_to(at(date(2027, 4, 7), 10, 30))
        assert runs[-1].settled == (deliver.match_id,)

    def test_backwards_or_naive_is_rejected(self, sim: Simulation) -> None:
        with pytest.raises(ValueError, match="before now"):
            sim.advance_to(at(TUE, 8))
        with pytest.raises(ValueError, match="naive"):
            sim.advance_to(datetime(2027, 4, 6, 12, 0))
        assert sim.clock.now == DEFAULT_START
