"""RDP SIs settle in real time, pair by pair, never in a batch run (issue 17 correction 6): shares on hold, the
receiver's CHATS payment confirmed five minutes later, the 13:30 cut-off, the unwind when the payment fails."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ccass_helpers import ALPHA, BETA

from ocp_conformance.simulator.ccass import HKT, DomainError, SettlementInstruction, SiInput, Simulation
from ocp_conformance.simulator.ccass.clock import RDP_CUTOFF, RDP_PAYMENT_DELAY
from ocp_conformance.simulator.ccass.rules import SiRules

TUE = date(2027, 4, 6)
WED = date(2027, 4, 7)


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), HKT)


def rdp(amount: str = "1000.50", **overrides: Any) -> dict[str, Any]:
    return {"payment_type": "RDP", "amount": Decimal(amount), "currency": "HKD", **overrides}


def status(sim: Simulation, owner: str, si_id: str) -> str:
    return sim.si_book.get(owner, si_id).status


def test_the_cutoff_and_payment_delay_are_data() -> None:
    assert (time(13, 30), timedelta(minutes=5)) == (RDP_CUTOFF, RDP_PAYMENT_DELAY)


def test_a_pair_matched_at_1030_puts_the_shares_on_hold_then_settles_5_minutes_later() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    before = sim.ledger.holding(ALPHA, "01", "00700")
    deliver, receive = _pair(sim)
    assert (deliver.status, receive.status) == ("SHARES_ON_HOLD", "SHARES_ON_HOLD")
    balance = sim.ledger.balance(ALPHA, "01", "00700")
    assert (balance.on_hold, balance.total) == (1_000, before)
    assert sim.run_batch_settlement().settled == ()  # never in a batch run
    sim.advance_to(at(TUE, 10, 34))
    assert status(sim, ALPHA, deliver.si_id) == "SHARES_ON_HOLD"
    sim.advance_to(at(TUE, 10, 40))
    for owner, si in ((ALPHA, deliver), (BETA, receive)):
        settled = sim.si_book.get(owner, si.si_id)
        assert (settled.status, settled.settled_at, settled.settlement_run_id) == ("SETTLED", at(TUE, 10, 35), None)
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 0
    assert sim.ledger.holding(ALPHA, "01", "00700") == before - 1_000
    assert sim.ledger.holding(BETA, "01", "00700") >= 1_000
    money = sim.ledger.money_ledger
    assert money.position(ALPHA, "HKMK", "HKD").balance == Decimal("1000.50")
    assert money.position(BETA, "HKMK", "HKD").balance == Decimal("-1000.50")


def test_a_pair_matched_after_the_cutoff_stays_matched_and_no_batch_run_settles_it() -> None:
    sim = Simulation(start=at(TUE, 13, 45))
    deliver, receive = _pair(sim)
    assert (deliver.status, receive.status) == ("MATCHED", "MATCHED")
    assert sim.run_batch_settlement().settled == ()
    runs = sim.advance_to(at(TUE, 16, 0))
    assert all(deliver.match_id not in run.settled for run in runs)
    assert status(sim, ALPHA, deliver.si_id) == "MATCHED"
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 0
    sim.advance_to(at(WED, 10, 10))  # the next settlement day: on hold at its first processing point, then settled
    assert status(sim, BETA, receive.si_id) == "SETTLED"


def test_a_failed_payment_unwinds_the_pair_until_the_next_settlement_day() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    deliver, receive = _pair(sim)
    assert sim.si_book.fail_rdp_payment(receive.si_id).status == "MATCHED"
    assert status(sim, ALPHA, deliver.si_id) == "MATCHED"
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 0
    sim.advance_to(at(TUE, 12, 0))  # not held again today
    assert status(sim, ALPHA, deliver.si_id) == "MATCHED"
    assert sim.ledger.money_ledger.position(BETA, "HKMK", "HKD").balance == 0
    with pytest.raises(DomainError) as refused:
        sim.si_book.fail_rdp_payment(receive.si_id)
    assert refused.value.code == "SI_STATE_CONFLICT"
    sim.advance_to(at(WED, 10, 10))
    assert status(sim, ALPHA, deliver.si_id) == "SETTLED"


def test_a_pair_still_on_hold_at_the_cutoff_is_unwound() -> None:
    sim = Simulation(start=at(TUE, 13, 28))
    deliver, _ = _pair(sim)
    assert deliver.status == "SHARES_ON_HOLD"
    sim.advance_to(at(TUE, 13, 40))
    assert status(sim, ALPHA, deliver.si_id) == "MATCHED"
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 0


def test_revocation_by_both_sides_at_shares_on_hold_returns_the_shares() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    deliver, receive = _pair(sim)
    assert sim.si_book.revoke(ALPHA, deliver.si_id).status == "REVOKE_PENDING"
    sim.advance_to(at(TUE, 10, 40))  # the revocation request stopped the payment
    assert status(sim, BETA, receive.si_id) == "REVOKE_PENDING"
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 1_000
    assert sim.si_book.revoke(BETA, receive.si_id).status == "REVOKED"
    assert status(sim, ALPHA, deliver.si_id) == "REVOKED"
    assert sim.ledger.balance(ALPHA, "01", "00700").on_hold == 0


def test_hold_and_change_matched_are_refused_at_shares_on_hold() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    deliver, _ = _pair(sim)
    for attempt in (lambda: sim.si_book.set_hold(ALPHA, deliver.si_id, True),
                    lambda: sim.si_book.change_matched(ALPHA, deliver.si_id, {"narrative": "x"})):
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "SI_STATE_CONFLICT"


def test_a_pair_released_from_hold_is_processed_at_once() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    deliver, _ = _pair(sim, hold=True)
    assert deliver.status == "MATCHED_ON_HOLD"
    assert sim.si_book.set_hold(ALPHA, deliver.si_id, False).status == "SHARES_ON_HOLD"


def test_a_pair_short_of_shares_stays_matched_and_is_retried() -> None:
    sim = Simulation(start=at(TUE, 10, 30))
    deliver, _ = _pair(sim, stock_code="00005", quantity=10**9)
    assert deliver.status == "MATCHED"
    sim.ledger.deposit(ALPHA, "01", "00005", 10**9)
    sim.advance_to(at(TUE, 10, 31))
    assert status(sim, ALPHA, deliver.si_id) == "SHARES_ON_HOLD"


def test_without_real_time_rdp_the_batch_run_settles_the_pair() -> None:
    sim = Simulation(start=at(TUE, 10, 30), rules=SiRules(rdp_real_time=False))
    deliver, _ = _pair(sim)
    assert deliver.status == "MATCHED"
    assert sim.run_batch_settlement().settled == (deliver.match_id,)


def _pair(sim: Simulation, **overrides: Any) -> tuple[SettlementInstruction, SettlementInstruction]:
    """ALPHA delivers to BETA an RDP of 1,000 x 00700 settling today (``hold`` sets ALPHA's hold flag)."""
    fields: dict[str, Any] = {"stock_code": "00700", "quantity": 1_000, "settlement_date": sim.clock.today, **rdp()}
    fields.update({k: v for k, v in overrides.items() if k != "hold"})
    deliver = sim.si_book.input_si(ALPHA, SiInput("DELIVER", BETA, hold=bool(overrides.get("hold")), **fields))
    receive = sim.si_book.input_si(BETA, SiInput("RECEIVE", ALPHA, **fields))
    return sim.si_book.get(ALPHA, deliver.si_id), receive
