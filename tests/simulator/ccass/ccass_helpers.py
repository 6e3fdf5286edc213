"""Shared constants and builders for the CCASS domain tests (imported by conftest and test modules)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from ocp_conformance.simulator.ccass import SettlementInstruction, SiInput, Simulation

ALPHA, BETA, GAMMA, DELTA = "B01234", "B05678", "C00019", "B07777"

MakeSi = Callable[..., SiInput]
PairFn = Callable[..., tuple[SettlementInstruction, SettlementInstruction]]


def dvp(amount: str = "350000.00", currency: str = "HKD") -> dict[str, Any]:
    """Keyword overrides for a DVP SI."""
    return {"payment_type": "DVP", "amount": Decimal(amount), "currency": currency}


def next_business_day(sim: Simulation, n: int = 1) -> date:
    """The settlement day ``n`` settlement days after today (a date an SI may settle on)."""
    return sim.clock.calendar.add_settlement_days(sim.clock.today, n)
