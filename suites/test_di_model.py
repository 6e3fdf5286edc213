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
from typing import Any, Final

import pytest
from di_support import ENQUIRE, DiFailure, book, holding, open_di_input, position, require_positions, signed_outstanding
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ocp_conformance.client import OcpClient
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

    def di_answer(self, quantity: int) -> tuple[int, str | None]:
        short = max(0, -self.outstanding)
        if short == 0:
            return 422, "NO_DUE_SHORT_POSITION"
        if quantity > short:
            return 422, "DI_EXCEEDS_DUE_POSITION"
        if quantity > self.holding:
            return 422, "DI_EXCEEDS_AVAILABLE_BALANCE"
        return 201, None


def _participant(target: Target) -> str:
    """A participant the other suites' SI work does not use, when the target has one."""
    pair = target.acting_pair()
    others = [p for p in target.participants if p not in pair]
    return others[0] if others else pair[0]


def _check_position(client: OcpClient, participant: str, model: Model, step: str) -> None:
    item = position(client, participant, STOCK)
    received = signed_outstanding(item)
    if received != model.outstanding:
        raise DiFailure("Input DI" if step.startswith("DI") else ENQUIRE,
                        f"outstanding position in {STOCK} after {step}", received=received,
                        expected=f"{model.outstanding} (trades netted less delivered; negative = short)")
    if item is not None:
        quantity, settled = int(item["quantity"]), int(item["settledQuantity"])
        if received not in (-quantity + settled, quantity + settled):
            raise DiFailure(ENQUIRE, f"the position's own figures after {step}", received=item,
                            expected="outstanding = netted quantity less (short) or plus (long) settled")
    held = holding(client, participant, STOCK)
    if held != model.holding:
        raise DiFailure("Input DI", f"{participant}'s holding of {STOCK} after {step}", received=held,
                        expected=f"{model.holding} (the start less {model.delivered} delivered by DIs)")


@pytest.mark.ocp(functions=["Input DI", ENQUIRE], check="scenario")
def test_trades_and_dis_keep_positions_and_stock_consistent(ocp_client: OcpClient, ocp_target: Target) -> None:
    require_positions(ocp_client, ocp_target)
    open_di_input(ocp_client)
    client, participant = ocp_client, _participant(ocp_target)
    client.call("Change DI Requirement", as_participant=participant, stockCode=STOCK, holdBackQuantity=HOLD_ALL)

    @settings(max_examples=15, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(ops=OPS)
    def run(ops: list[tuple[str, int]]) -> None:
        model = Model(outstanding=signed_outstanding(position(client, participant, STOCK)),
                      holding=holding(client, participant, STOCK))
        try:
            for op, quantity in ops:
                if op in ("BUY", "SELL"):
                    book(client, participant, STOCK, op, quantity)
                    model.outstanding += quantity if op == "BUY" else -quantity
                else:
                    _di(client, participant, model, quantity)
                _check_position(client, participant, model, f"{op} {quantity}")
        finally:
            _deliver_what_is_short(client, participant)

    run()
    client.call("Change DI Requirement", as_participant=participant, stockCode=STOCK, holdBackQuantity=0)


def _di(client: OcpClient, participant: str, model: Model, quantity: int) -> None:
    status, code = model.di_answer(quantity)
    exchange = client.call("Input DI", as_participant=participant, stockCode=STOCK, quantity=quantity)
    body: dict[str, Any] = exchange.body if isinstance(exchange.body, dict) else {}
    if exchange.status != status or (code is not None and body.get("code") != code):
        raise DiFailure("Input DI", f"DI {quantity} against outstanding {model.outstanding}, holding {model.holding}",
                        received=f"HTTP {exchange.status} {body.get('code', '')}",
                        expected=f"HTTP {status} {code or ''}", exchange=exchange)
    if status == 201:
        model.outstanding += quantity
        model.holding -= quantity
        model.delivered += quantity
        after = body["position"]
        if signed_outstanding(after) != model.outstanding:
            raise DiFailure("Input DI", f"the position in the answer to DI {quantity}", received=after,
                            expected=f"outstanding {model.outstanding} (signed)", exchange=exchange)


def _deliver_what_is_short(client: OcpClient, participant: str) -> None:
    """Leave no short for later examples (best effort: top up the holding, then deliver it all)."""
    short = max(0, -signed_outstanding(position(client, participant, STOCK)))
    if short:
        client.call_operation("simSeedHolding", body={"participantId": participant, "stockCode": STOCK,
                                                      "quantity": short})
        client.call("Input DI", as_participant=participant, stockCode=STOCK, quantity=short)
