"""A China Connect security settles only on a China Connect settlement day: an overdue pair of one is not settled by
a batch run, nor put on hold in real time (RDP), on a mainland holiday on which Hong Kong settles; it settles on the
next day both markets are open. A Hong Kong security's overdue pair settles on that holiday as before."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from ccass_helpers import ALPHA, BETA

from ocp_conformance.simulator.ccass import HKT, SettlementInstruction, SiInput, Simulation

FRIDAY = date(2027, 4, 30)  # a settlement day in Hong Kong and the mainland
MAINLAND_HOLIDAY = date(2027, 5, 4)  # Tuesday: Hong Kong settles, the mainland is closed (1-5 May)
REOPENED = date(2027, 5, 6)  # Thursday: both open again
SHANGHAI, HONG_KONG = "90001", "00700"


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), HKT)


def _overdue_pair(sim: Simulation, stock: str, **payment: Any) -> SettlementInstruction:
    """ALPHA delivers 100 of ``stock`` to BETA, settling on FRIDAY, without the shares until after FRIDAY."""
    ledger = sim.ledger
    held = ledger.holding(ALPHA, "01", stock)
    if held:
        ledger.withdraw(ALPHA, "01", stock, held)
    fields: dict[str, Any] = {"stock_code": stock, "quantity": 100, "settlement_date": FRIDAY,
                              "payment_type": "FOP", **payment}
    deliver = sim.si_book.input_si(ALPHA, SiInput("DELIVER", BETA, **fields))
    sim.si_book.input_si(BETA, SiInput("RECEIVE", ALPHA, **fields))
    sim.advance_to(at(FRIDAY, 18, 0))  # every run of FRIDAY failed for lack of stock
    assert sim.si_book.get(ALPHA, deliver.si_id).status == "MATCHED"
    ledger.deposit(ALPHA, "01", stock, 100)
    return deliver


def _status(sim: Simulation, si: SettlementInstruction) -> str:
    return sim.si_book.get(ALPHA, si.si_id).status


def test_an_overdue_china_connect_pair_waits_over_a_mainland_holiday() -> None:
    sim = Simulation(start=at(FRIDAY, 9, 0))
    deliver = _overdue_pair(sim, SHANGHAI)
    sim.advance_to(at(MAINLAND_HOLIDAY, 18, 0))  # every batch run of the holiday
    assert _status(sim, deliver) == "MATCHED"
    sim.advance_to(at(REOPENED, 18, 0))
    assert _status(sim, deliver) == "SETTLED"


def test_an_overdue_hong_kong_pair_settles_on_that_day() -> None:
    sim = Simulation(start=at(FRIDAY, 9, 0))
    deliver = _overdue_pair(sim, HONG_KONG)
    sim.advance_to(at(MAINLAND_HOLIDAY, 18, 0))
    assert _status(sim, deliver) == "SETTLED"


def test_an_overdue_china_connect_rdp_pair_is_not_held_on_a_mainland_holiday() -> None:
    sim = Simulation(start=at(FRIDAY, 9, 0))
    deliver = _overdue_pair(sim, SHANGHAI, payment_type="RDP", amount=Decimal("1000.00"), currency="CNY")
    sim.advance_to(at(MAINLAND_HOLIDAY, 12, 0))
    assert _status(sim, deliver) == "MATCHED"
    assert sim.ledger.balance(ALPHA, "01", SHANGHAI).on_hold == 0
    sim.advance_to(at(REOPENED, 12, 0))
    assert _status(sim, deliver) == "SETTLED"
