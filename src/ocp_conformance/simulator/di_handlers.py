"""Handlers of Maintain DI and Enquire Due/Overdue Position (the trade booking of simulator control is in
control_handlers.py)."""

from __future__ import annotations

from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import CnsBook, CnsPosition, CnsPositionFilter, DeliveryInstruction, DiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import domain_values, encode
from ocp_conformance.simulator.roles import (
    body_of,
    by_operation,
    field,
    function_of,
    model_binding,
    page_body,
    path,
    query,
)

__all__ = ["DI_HANDLERS", "di_json", "position_json"]

_INPUT, _REQUIREMENT, _POSITIONS = "Input DI", "Change DI Requirement", "Enquire Due/Overdue Position"



def position_json(book: CnsBook, position: CnsPosition) -> dict[str, Any]:
    """A position as the contract's CnsPosition (unsigned quantities, the direction says which way), by role."""
    requirement = book.requirement(position.participant, position.stock_code)
    return body_of(_POSITIONS, {
        "participant": position.participant,
        "stock_code": position.stock_code,
        "market": position.market,
        "settlement_date": encode(position.settlement_date),
        "position_type": position.position_type,
        "direction": position.direction,
        "quantity": abs(position.obligation),
        "carried_forward_quantity": position.carried_forward,
        "overdue_since": encode(position.overdue_since),
        "settled_quantity": position.settled,
        "outstanding_quantity": abs(position.outstanding),
        "requirement_stock_code": requirement.stock_code,
        "requirement_hold_back": requirement.hold_back_quantity,
        "requirement_updated_at": encode(requirement.updated_at),
        "updated_at": encode(position.updated_at),
    })


def di_json(book: CnsBook, di: DeliveryInstruction) -> dict[str, Any]:
    """A DI as the contract's DeliveryInstruction, with the position it delivers against, by role."""
    return body_of(_INPUT, {
        "di_id": di.di_id, "participant": di.participant, "stock_code": di.stock_code, "quantity": di.quantity,
        "stock_account": di.stock_account, "settlement_date": encode(di.settlement_date),
        "own_reference": di.own_reference, "status": di.status, "created_at": encode(di.created_at),
        "position": position_json(book, di.position)})


def input_di(call: Call) -> Reply:
    def create() -> Reply:
        book = call.state.simulation.cns
        di = book.input_di(call.owner, DiInput(**domain_values(call.request.body)))
        return Reply(201, di_json(book, di))

    return idempotent(call, create, what="DI")


def change_di_requirement(call: Call) -> Reply:
    book = call.state.simulation.cns
    requirement = book.set_requirement(call.owner, path(call, "stock_code"), int(field(call, "hold_back_quantity")))
    return Reply(200, body_of(_REQUIREMENT, {"stock_code": requirement.stock_code,
                                             "hold_back_quantity": requirement.hold_back_quantity,
                                             "updated_at": encode(requirement.updated_at)}))


def enquire_positions(call: Call) -> Reply:
    filters = dict(call.request.query)
    limit, cursor = int(query(call, "limit", 50)), query(call, "cursor")
    for role in ("limit", "cursor"):
        filters.pop(model_binding().parameter(function_of(call), role), None)
    book = call.state.simulation.cns
    positions = book.positions(call.owner, CnsPositionFilter(**domain_values(filters)))
    items, next_cursor = page(positions, cursor, limit)
    return Reply(200, page_body(call, [position_json(book, p) for p in items], next_cursor))


DI_HANDLERS: dict[str, Handler] = {
    **by_operation({
        (_INPUT, "create"): input_di,
        (_REQUIREMENT, "change"): change_di_requirement,
        (_POSITIONS, "list"): enquire_positions,
    }),
}
