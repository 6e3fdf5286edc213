"""Handlers of Maintain DI and Enquire Due/Overdue Position, and the simulator-control trade booking."""

from __future__ import annotations

from datetime import date
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import CnsBook, CnsPosition, CnsPositionFilter, DeliveryInstruction, DiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import domain_values, encode

__all__ = ["DI_HANDLERS", "di_json", "position_json"]


def _owner(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def position_json(book: CnsBook, position: CnsPosition) -> dict[str, Any]:
    """A position as the contract's CnsPosition (unsigned quantities, the direction says which way)."""
    requirement = book.requirement(position.participant, position.stock_code)
    return {
        "participantId": position.participant,
        "stockCode": position.stock_code,
        "market": position.market,
        "settlementDate": encode(position.settlement_date),
        "positionType": position.position_type,
        "direction": position.direction,
        "quantity": abs(position.obligation),
        "carriedForwardQuantity": position.carried_forward,
        "overdueSince": encode(position.overdue_since),
        "settledQuantity": position.settled,
        "outstandingQuantity": abs(position.outstanding),
        "diRequirement": {"stockCode": requirement.stock_code, "holdBackQuantity": requirement.hold_back_quantity,
                          "updatedAt": encode(requirement.updated_at)},
        "updatedAt": encode(position.updated_at),
    }


def di_json(book: CnsBook, di: DeliveryInstruction) -> dict[str, Any]:
    return {"diId": di.di_id, "participantId": di.participant, "stockCode": di.stock_code, "quantity": di.quantity,
            "stockAccount": di.stock_account, "settlementDate": encode(di.settlement_date),
            "ownReference": di.own_reference, "status": di.status, "createdAt": encode(di.created_at),
            "position": position_json(book, di.position)}


def input_di(call: Call) -> Reply:
    def create() -> Reply:
        book = call.state.simulation.cns
        di = book.input_di(_owner(call), DiInput(**domain_values(call.request.body)))
        return Reply(201, di_json(book, di))

    return idempotent(call, create, what="DI")


def change_di_requirement(call: Call) -> Reply:
    book = call.state.simulation.cns
    requirement = book.set_requirement(_owner(call), str(call.request.path["stockCode"]),
                                       int(call.request.body["holdBackQuantity"]))
    return Reply(200, {"stockCode": requirement.stock_code, "holdBackQuantity": requirement.hold_back_quantity,
                       "updatedAt": encode(requirement.updated_at)})


def enquire_positions(call: Call) -> Reply:
    query = dict(call.request.query)
    limit = int(query.pop("limit", 50))
    cursor = query.pop("cursor", None)
    book = call.state.simulation.cns
    positions = book.positions(_owner(call), CnsPositionFilter(**domain_values(query)))
    items, next_cursor = page(positions, cursor, limit)
    return Reply(200, {"items": [position_json(book, p) for p in items], "nextCursor": next_cursor})


def book_trade(call: Call) -> Reply:
    """simBookExchangeTrade: without tradeDate, the trade settles on the current business date (or
    businessDaysOverdue business days before it)."""
    body = call.request.body
    sim = call.state.simulation
    book = sim.cns
    stock = sim.reference.stock(body["stockCode"])
    market = body.get("market") or (stock.market if stock else "HKMK")
    if "tradeDate" in body:
        trade_date = date.fromisoformat(body["tradeDate"])
    else:
        trade_date = book.trade_date_due_today(market, days_overdue=int(body.get("businessDaysOverdue", 0)))
    trade, position = book.book_trade(body["participantId"], body["stockCode"], body["side"], body["quantity"],
                                      trade_date, body.get("market"))
    return Reply(200, {"tradeId": trade.trade_id, "participantId": trade.participant, "stockCode": trade.stock_code,
                       "side": trade.side, "quantity": trade.quantity, "tradeDate": encode(trade.trade_date),
                       "market": trade.market, "settlementDate": encode(trade.settlement_date),
                       "position": {"settlementDate": encode(position.settlement_date),
                                    "positionType": position.position_type, "direction": position.direction,
                                    "quantity": abs(position.obligation),
                                    "outstandingQuantity": abs(position.outstanding)}})


DI_HANDLERS: dict[str, Handler] = {
    "inputDi": input_di,
    "changeDiRequirement": change_di_requirement,
    "enquireDueOverduePosition": enquire_positions,
    "simBookExchangeTrade": book_trade,
}
