"""Stock account statements: pending legs, balance after each movement, and the sources they name."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ccass_helpers import ALPHA, BETA, PairFn

from ocp_conformance.simulator.ccass import PendingLeg, SiInput, Simulation


def test_matched_unsettled_si_is_pending_on_both_sides(sim: Simulation, matched_pair: PairFn) -> None:
    matched_pair(quantity=300, stock_account="02", r_stock_account="80")
    (out,) = sim.statements.balances(ALPHA, "02", "00700")
    (due_in,) = sim.statements.balances(BETA, "80", "00700")
    assert (out.pending_out, out.pending_in, due_in.pending_in, due_in.pending_out) == (300, 0, 300, 0)
    sim.run_batch_settlement()
    (after,) = sim.statements.balances(ALPHA, "02", "00700")
    assert (after.pending_out, after.total) == (0, out.total - 300)


def test_unmatched_si_is_not_pending(sim: Simulation) -> None:
    sim.si_book.input_si(ALPHA, SiInput("DELIVER", BETA, "00700", 5, sim.clock.today, "FOP"))
    (balance,) = sim.statements.balances(ALPHA, "01", "00700")
    assert balance.pending_out == 0


def test_a_new_book_plugs_in_its_pending_legs(sim: Simulation) -> None:
    sim.statements.pending_sources.append(lambda p: [PendingLeg("01", "00005", -7)] if p == ALPHA else [])
    (balance,) = sim.statements.balances(ALPHA, "01", "00005")
    assert balance.pending_out == 7


def test_movements_carry_balance_after_and_own_si_id(sim: Simulation, matched_pair: PairFn) -> None:
    deliver, receive = matched_pair(quantity=250)
    sim.ledger.deposit(BETA, "01", "00700", 50, at=sim.clock.now)
    sim.run_batch_settlement()
    today = sim.clock.today
    lines = sim.statements.movements(BETA, "01", today, today, "00700")
    assert [(m.quantity, m.source_type, m.source_id) for m in lines] == [
        (50, "DEPOSIT", None), (250, "SI", receive.si_id)]
    opening = lines[0].balance_after - lines[0].quantity
    assert opening + 300 == lines[-1].balance_after == sim.ledger.holding(BETA, "01", "00700")
    (own,) = sim.statements.movements(ALPHA, "01", today, today, "00700")
    assert own.source_id == deliver.si_id and own.quantity == -250


def test_movements_outside_the_range_are_not_listed(sim: Simulation, matched_pair: PairFn) -> None:
    matched_pair(quantity=10)
    sim.run_batch_settlement()
    tomorrow = sim.clock.today + timedelta(days=1)
    assert sim.statements.movements(ALPHA, "01", tomorrow, tomorrow) == []


def test_activity_lists_settlements_with_money_and_run_results(sim: Simulation, matched_pair: PairFn) -> None:
    deliver, _ = matched_pair(quantity=40, payment_type="DVP", amount=Decimal("88.80"), currency="HKD")
    lack, _ = matched_pair(quantity=10**9, stock_code="00005")
    sim.run_batch_settlement()
    activity = sim.activity.read(ALPHA, sim.clock.today)
    (item,) = activity.items
    assert (item.source_type, item.source_id, item.quantity) == ("SI", deliver.si_id, -40)
    assert item.amount == Decimal("88.80")
    (run,) = activity.batch_runs
    assert run.settled == (deliver.si_id,)
    assert [si_id for si_id, _ in run.failed] == [lack.si_id]


def test_a_new_instruction_type_appears_in_activity_and_movements_unchanged(sim: Simulation) -> None:
    """DI (built elsewhere) only has to move stock through the ledger under its own kind."""
    sim.ledger.move(stock="00005", quantity=11, source=(ALPHA, "01"), target=("C00019", "01"), at=sim.clock.now,
                    kind="DI", reference="DI0000000001")
    (item,) = sim.activity.read(ALPHA, sim.clock.today).items
    assert (item.source_type, item.source_id, item.quantity) == ("DI", "DI0000000001", -11)
    today = sim.clock.today
    (line,) = sim.statements.movements(ALPHA, "01", today, today, "00005")
    assert (line.movement_type, line.source_type) == ("DI", "DI")
