"""Fixtures for the CCASS domain tests: a fresh demo simulation and SI input builders."""

from __future__ import annotations

from typing import Any

import pytest
from ccass_helpers import ALPHA, BETA, MakeSi, PairFn

from ocp_conformance.simulator.ccass import SettlementInstruction, SiInput, Simulation

# Attributes that belong to one side only, so a matched pair does not copy them to the counterparty.
_OWN_ONLY = frozenset({"hold", "stock_account", "own_reference", "narrative", "exclude_from_batch"})


@pytest.fixture
def sim() -> Simulation:
    """A demo simulation at DEFAULT_START (Tue 2027-04-06 10:00 HKT) with demo holdings."""
    return Simulation()


@pytest.fixture
def make_si(sim: Simulation) -> MakeSi:
    """Build an SiInput: by default a FOP deliver of 1,000 × 00700 to BETA settling today."""

    def build(side: str = "DELIVER", counterparty_id: str = BETA, **overrides: Any) -> SiInput:
        fields: dict[str, Any] = {
            "side": side,
            "counterparty_id": counterparty_id,
            "stock_code": "00700",
            "quantity": 1_000,
            "settlement_date": sim.clock.today,
            "payment_type": "FOP",
        }
        fields.update(overrides)
        return SiInput(**fields)

    return build


@pytest.fixture
def matched_pair(sim: Simulation, make_si: MakeSi) -> PairFn:
    """Input a deliver SI by ALPHA and the matching receive SI by BETA; return (deliver, receive)."""

    def build(**overrides: Any) -> tuple[SettlementInstruction, SettlementInstruction]:
        deliver_overrides = {k: v for k, v in overrides.items() if not k.startswith("r_")}
        receive_overrides = {k[2:]: v for k, v in overrides.items() if k.startswith("r_")}
        common = {k: v for k, v in deliver_overrides.items() if k not in _OWN_ONLY}
        deliver = sim.si_book.input_si(ALPHA, make_si("DELIVER", BETA, **deliver_overrides))
        receive = sim.si_book.input_si(BETA, make_si("RECEIVE", ALPHA, **{**common, **receive_overrides}))
        return sim.si_book.get(ALPHA, deliver.si_id), receive

    return build
