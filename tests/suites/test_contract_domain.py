"""The model tests' values come from the contract's own schema, read through the binding (issue 15 item 2): what
Money, Quantity and Reference allow is never restated in the suites."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from suites.contract_domain import field_domain

from ocp_conformance.binding import load_binding
from ocp_conformance.contracts import load_contracts

ROOT = Path(__file__).resolve().parents[2]
OURS = load_contracts()
AMOUNT = field_domain(OURS, load_binding(OURS), "Input SI", "create", "amount")


def test_the_domains_are_the_contracts() -> None:
    binding = load_binding(OURS)
    assert (AMOUNT.decimals(), AMOUNT.step()) == (4, Decimal("0.0001"))
    quantity = field_domain(OURS, binding, "Input SI", "create", "quantity")
    assert (quantity.minimum, quantity.maximum) == (0, 999_999_999_999)  # 0 is a business refusal, not syntax
    assert field_domain(OURS, binding, "Input SI", "create", "own_reference").longest() == 16
    # a field that may be cleared (oneOf Money / null) is read as Money
    assert field_domain(OURS, binding, "Change SI", "change", "amount").decimals() == 4


def test_a_bound_contract_gives_its_own_domain() -> None:
    variant = load_contracts(ROOT / "tests" / "data" / "official-variant")
    domain = field_domain(variant, load_binding(variant), "Input SI", "create", "amount")
    assert domain.name.startswith("Input SI create amount (submitSettlementInstruction ")
    assert domain.decimals() >= 2


def test_neighbours_are_one_step_apart_and_stay_in_the_domain() -> None:
    assert AMOUNT.neighbour("1000") == "1000.0001"
    assert AMOUNT.neighbour("999999999999999.9999") == "999999999999999.9998"


@settings(max_examples=200, database=None)
@given(st.data())
def test_drawn_amounts_are_positive_and_in_the_domain(data: st.DataObject) -> None:
    amount = data.draw(AMOUNT.amounts())
    assert AMOUNT.fits(amount) and Decimal(amount) > 0
