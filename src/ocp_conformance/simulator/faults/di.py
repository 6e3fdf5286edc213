"""Fault profiles of Maintain DI and Enquire Due/Overdue Position."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import CnsPositionFilter, DeliveryInstruction, DomainError, Simulation
from ocp_conformance.simulator.di_handlers import di_json, position_json
from ocp_conformance.simulator.faults.fault import Fault, codes_collapsed_into, on_refusal
from ocp_conformance.simulator.paging import page

__all__ = ["DI_FAULTS"]


def _delivered_beyond_due(call: Call, error: DomainError) -> Reply:
    """Like a server that checks the stock balance but not the due position: the excess is 'delivered' too."""
    assert call.participant is not None
    sim = call.state.simulation
    body = call.request.body
    account, stock, quantity = body.get("stockAccount", "01"), body["stockCode"], int(body["quantity"])
    if sim.ledger.available(call.participant, account, stock) < quantity:
        raise DomainError("DI_EXCEEDS_AVAILABLE_BALANCE", "not enough stock", pointer="/quantity") from None
    position = sim.cns.position(call.participant, stock)
    assert position is not None
    sim.ledger.move(stock=stock, quantity=quantity, source=(call.participant, account),
                    target=sim.cns.rules.hkscc_account, kind="CNS_DI")
    position.settled += quantity
    di = DeliveryInstruction("DI9999999999", call.participant, stock, quantity, account,
                             position.settlement_date, body.get("ownReference"), "SETTLED", sim.clock.now,
                             position)
    return Reply(201, di_json(sim.cns, di))


_accept_beyond_due = on_refusal("DI_EXCEEDS_DUE_POSITION", _delivered_beyond_due)


def _position_not_reduced(call: Call, inner: Handler) -> Reply:
    """The stock leaves the account but the position forgets the delivery (the response still shows it)."""
    reply = inner(call)
    if reply.status == 201 and call.participant is not None:
        position = call.state.simulation.cns.position(call.participant, reply.body["stockCode"])
        if position is not None:
            position.settled -= int(reply.body["quantity"])
    return reply


def _everyones_positions(call: Call, inner: Handler) -> Reply:
    query = dict(call.request.query)
    limit, cursor = int(query.pop("limit", 50)), query.pop("cursor", None)
    sim = call.state.simulation
    wanted = CnsPositionFilter(stock_code=query.get("stockCode"), market=query.get("market"),
                               position_type=query.get("positionType"),
                               direction=query.get("direction"))
    everyone = [p for pid in sim.reference.participants for p in sim.cns.positions(pid, wanted)]
    items, next_cursor = page(everyone, cursor, limit)
    return Reply(200, {"items": [position_json(sim.cns, p) for p in items], "nextCursor": next_cursor})


def _exact_stock_code(call: Call, inner: Handler) -> Reply:
    """Compares the stockCode filter as text, so "388" no longer finds 00388."""
    reply = inner(call)
    wanted = call.request.query.get("stockCode")
    if reply.status == 200 and wanted is not None:
        reply.body["items"] = [item for item in reply.body["items"] if item["stockCode"] == wanted]
    return reply


def _ignore_requirement_in_batch(sim: Simulation) -> None:
    book = sim.cns
    run_batch = book.run_batch

    def run_ignoring_requirements(run_id: str) -> object:
        saved = dict(book._requirements)  # the fault breaks the internals on purpose
        book._requirements.clear()
        try:
            return run_batch(run_id)
        finally:
            book._requirements.update(saved)

    setattr(book, "run_batch", run_ignoring_requirements)  # noqa: B010 - mypy forbids assigning to a method


def _di_input_always_open(sim: Simulation) -> None:
    sim.cns.rules = replace(sim.cns.rules, di_input_opens=time(0, 0))


DI_FAULTS = [
    Fault("di-exceeding-due-position-accepted", "Input DI", "negative",
          "Input DI accepts a quantity above the outstanding due/overdue short position (up to the stock held)",
          wrappers={"inputDi": _accept_beyond_due}),
    Fault("di-position-not-reduced", "Input DI", "scenario",
          "after a DI the due/overdue position still shows the delivered quantity as outstanding",
          wrappers={"inputDi": _position_not_reduced}),
    Fault("other-participants-positions-visible", "Enquire Due/Overdue Position", "security",
          "Enquire Due/Overdue Position lists every participant's positions",
          wrappers={"enquireDueOverduePosition": _everyones_positions}),
    Fault("stock-code-leading-zeros-not-matched", "Enquire Due/Overdue Position", "scenario",
          'Enquire Due/Overdue Position matches stockCode as text: "388" does not find 00388',
          wrappers={"enquireDueOverduePosition": _exact_stock_code}),
    Fault("di-requirement-ignored-by-batch", "Change DI Requirement", "scenario",
          "batch settlement runs deliver the whole due short position, ignoring the DI requirement's hold-back",
          patch=_ignore_requirement_in_batch),
    Fault("di-requirement-error-codes-collapsed", "Change DI Requirement", "negative",
          "Change DI Requirement answers every business-rule refusal with its first documented code: an unknown stock "
          "is 422 VALIDATION_FAILED instead of 422 STOCK_UNKNOWN",
          wrappers={"changeDiRequirement": codes_collapsed_into("VALIDATION_FAILED")}),
    Fault("di-input-open-before-10", "Input DI", "negative",
          "Input DI takes DIs before DI input opens at 10:00 (a DI at 09:45 is judged on its position instead of "
          "422 DI_INPUT_NOT_OPEN)", patch=_di_input_always_open),
]
