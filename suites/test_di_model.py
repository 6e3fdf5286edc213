"""Property test of CNS positions and DIs: random exchange trades and DIs, checked after every step.

For one participant and stock the suite books random buy and sell trades settling today and inputs random DIs,
predicting each answer from a model of the rules, and checks through the position enquiry and the
participant's holdings (simulator control) only:

- the outstanding position equals the trades netted less what was delivered (signed: short negative), so a
  short never goes below zero: a DI above the outstanding short is refused (DI_EXCEEDS_DUE_POSITION), and a DI
  with nothing outstanding too (NO_DUE_SHORT_POSITION);
- the position's own figures agree: outstanding = netted quantity less (short) or plus (long) what was settled;
- stock is conserved: the participant's holding falls by exactly the quantities the accepted DIs delivered.

The world is shared, so the model starts from the position and holding the target shows at the start of each
example, and the DI requirement for the stock holds everything back so no batch run in between delivers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import pytest
from di_support import (
    ENQUIRE,
    DiFailure,
    Position,
    book,
    holding,
    open_di_input,
    position,
    require_positions,
    seed_holding,
    signed_outstanding,
)
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ocp_conformance.bound_client import BoundClient
from ocp_conformance.pytest_plugin import Harness
from ocp_conformance.targets import Target

STOCK: Final = "00005"
HOLD_ALL: Final = 999_999_999_999
OPS = st.lists(st.one_of(st.tuples(st.sampled_from(["BUY", "SELL"]), st.integers(1, 5_000)),
                         st.tuples(st.just("DI"), st.integers(1, 6_000))), min_size=1, max_size=10)


@dataclass(slots=True)
class Model:
    outstanding: int
    """Signed from the participant's side: negative = short still to deliver."""
    holding: int
    delivered: int = 0

    def di_answer(self, quantity: int) -> str | None:
        """The business rejection's code a DI of ``quantity`` must get (``None``: it is accepted)."""
        short = max(0, -self.outstanding)
        if short == 0:
            return "NO_DUE_SHORT_POSITION"
        if quantity > short:
            return "DI_EXCEEDS_DUE_POSITION"
        if quantity > self.holding:
            return "DI_EXCEEDS_AVAILABLE_BALANCE"
        return None


def _participant(target: Target) -> str:
    """A participant the other suites' SI work does not use, when the target has one."""
    pair = target.acting_pair()
    others = [p for p in target.participants if p not in pair]
    return others[0] if others else pair[0]


def _check_position(bound: BoundClient, participant: str, model: Model, step: str) -> None:
    client = bound.client
    item = position(bound, participant, STOCK)
    received = signed_outstanding(item)
    if received != model.outstanding:
        raise DiFailure("Input DI" if step.startswith("DI") else ENQUIRE,
                        f"outstanding position in {STOCK} after {step}", received=received,
                        expected=f"{model.outstanding} (trades netted less delivered; negative = short)")
    if item is not None:
        quantity, settled = item.quantity, item.settled
        if not isinstance(quantity, int) or not isinstance(settled, int) \
                or received not in (-quantity + settled, quantity + settled):
            raise DiFailure(ENQUIRE, f"the position's own figures after {step}", received=item,
                            expected="outstanding = netted quantity less (short) or plus (long) settled")
    held = holding(client, participant, STOCK)
    if held != model.holding:
        raise DiFailure("Input DI", f"{participant}'s holding of {STOCK} after {step}", received=held,
                        expected=f"{model.holding} (the start less {model.delivered} delivered by DIs)")


@pytest.mark.ocp(functions=["Input DI", ENQUIRE], check="scenario")
def test_trades_and_dis_keep_positions_and_stock_consistent(ocp_harness: Harness) -> None:
    client, bound, target = ocp_harness.client, ocp_harness.bound, ocp_harness.target
    require_positions(client, target)
    open_di_input(client)
    participant = _participant(target)
    bound.call("Change DI Requirement", "change", as_participant=participant, stock_code=STOCK,
               hold_back_quantity=HOLD_ALL).expect()

    @settings(max_examples=15, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(ops=OPS)
    def run(ops: list[tuple[str, int]]) -> None:
        model = Model(outstanding=signed_outstanding(position(bound, participant, STOCK)),
                      holding=holding(client, participant, STOCK))
        try:
            for op, quantity in ops:
                if op in ("BUY", "SELL"):
                    book(client, participant, STOCK, op, quantity)
                    model.outstanding += quantity if op == "BUY" else -quantity
                else:
                    _di(bound, participant, model, quantity)
                _check_position(bound, participant, model, f"{op} {quantity}")
        finally:
            _deliver_what_is_short(bound, participant)

    run()
    bound.call("Change DI Requirement", "change", as_participant=participant, stock_code=STOCK, hold_back_quantity=0)


def _di(bound: BoundClient, participant: str, model: Model, quantity: int) -> None:
    code = model.di_answer(quantity)
    answer = bound.call("Input DI", "create", as_participant=participant, stock_code=STOCK, quantity=quantity)
    business = bound.binding.error_status("business", function="Input DI")
    received = answer.error_code() if not answer.ok else None
    wrong = not answer.ok if code is None else (answer.status != business or received != code)
    if wrong:
        raise DiFailure("Input DI", f"DI {quantity} against outstanding {model.outstanding}, holding {model.holding}",
                        received=f"HTTP {answer.status} {received or ''}".strip(),
                        expected="2xx" if code is None else f"HTTP {business} {code}", exchange=answer.exchange)
    if code is None:
        model.outstanding += quantity
        model.holding -= quantity
        model.delivered += quantity
        after = Position.read(answer, answer.get("position"))
        if signed_outstanding(after) != model.outstanding:
            raise DiFailure("Input DI", f"the position in the answer to DI {quantity}", received=after,
                            expected=f"outstanding {model.outstanding} (signed)", exchange=answer.exchange)


def _deliver_what_is_short(bound: BoundClient, participant: str) -> None:
    """Leave no short for later examples (best effort: top up the holding, then deliver it all)."""
    short = max(0, -signed_outstanding(position(bound, participant, STOCK)))
    if short:
        seed_holding(bound.client, participant, STOCK, short)
        bound.call("Input DI", "create", as_participant=participant, stock_code=STOCK, quantity=short)
