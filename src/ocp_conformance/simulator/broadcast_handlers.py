"""Handlers of Enquire Broadcast Message: every participant reads the same BroadcastBoard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import BroadcastMessage
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import encode

__all__ = ["BROADCAST_HANDLERS", "message_json"]


def message_json(message: BroadcastMessage) -> dict[str, Any]:
    """A message as the contract's BroadcastMessage."""
    body: dict[str, Any] = encode(message)
    return body


def enquire_messages(call: Call) -> Reply:
    query = call.request.query
    since, business_date = query.get("since"), query.get("businessDate")
    messages = call.state.simulation.broadcasts.enquire(
        since=datetime.fromisoformat(since) if since else None,
        category=query.get("category"),
        after_id=query.get("afterId"),
        business_date=date.fromisoformat(business_date) if business_date else None,
    )
    if query.get("order") == "newest":
        messages = messages[::-1]
    items, next_cursor = page(messages, query.get("cursor"), int(query.get("limit", 50)))
    return Reply(200, {"items": [message_json(m) for m in items], "nextCursor": next_cursor})


def get_message(call: Call) -> Reply:
    return Reply(200, message_json(call.state.simulation.broadcasts.get(str(call.request.path["messageId"]))))


BROADCAST_HANDLERS: dict[str, Handler] = {
    "enquireBroadcastMessages": enquire_messages,
    "getBroadcastMessage": get_message,
}
