"""Correction 8 of issue 17: since 30 June 2025 CCASS holds and settles a multi-counter security under one
(domain-counter) code [F] (contracts/SOURCES.md [HKEX-MC]): RMB counters (80000-89999) are no longer separate CCASS
securities, so the stock list has none and an instruction quoting one is STOCK_UNKNOWN, saying why."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import HKT, DiInput, DomainError, SiInput, Simulation
from ocp_conformance.simulator.ccass._validation import RMB_COUNTERS

_SIM = Simulation(start=datetime(2026, 12, 22, 10, 30, tzinfo=HKT))
_RMB_CODES = st.integers(RMB_COUNTERS.start, RMB_COUNTERS.stop - 1).map(lambda n: f"{n:05d}")


def test_the_stock_list_holds_no_rmb_counter() -> None:
    assert [code for code in _SIM.reference.stocks if int(code) in RMB_COUNTERS] == []


@given(code=_RMB_CODES)
def test_an_si_in_an_rmb_counter_is_stock_unknown_naming_the_domain_counter_rule(code: str) -> None:
    si = SiInput("DELIVER", "B05678", code, 1_000, _SIM.clock.today, "FOP")
    with pytest.raises(DomainError, match="domain-counter code") as refused:
        _SIM.si_book.input_si("B01234", si)
    assert (refused.value.code, refused.value.pointer) == ("STOCK_UNKNOWN", "/stockCode")


@given(code=_RMB_CODES)
def test_an_sti_and_a_di_in_an_rmb_counter_are_stock_unknown_too(code: str) -> None:
    with pytest.raises(DomainError, match="domain-counter code") as sti:
        _SIM.transfers.input_sti("B01234", "01", "02", code, 100, own_reference="x")
    with pytest.raises(DomainError, match="domain-counter code") as di:
        _SIM.cns.input_di("B01234", DiInput(code, 100, own_reference="x"))
    assert sti.value.code == di.value.code == "STOCK_UNKNOWN"


def test_a_code_without_its_leading_zeros_is_still_pointed_at_its_five_digit_form() -> None:
    with pytest.raises(DomainError, match="Did you mean '00700'"):
        _SIM.si_book.input_si("B01234", SiInput("DELIVER", "B05678", "700", 1_000, _SIM.clock.today, "FOP"))
