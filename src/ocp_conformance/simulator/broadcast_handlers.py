"""Handlers of Enquire Broadcast Message: every participant reads the same BroadcastBoard."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import BroadcastMessage
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import encode
from ocp_conformance.simulator.roles import by_operation, page_body, path, query

__all__ = ["BROADCAST_HANDLERS", "message_json"]

FUNCTION = "Enquire Broadcast Message"


def message_json(message: BroadcastMessage) -> dict[str, Any]:
    """A message as the contract's BroadcastMessage."""
    body: dict[str, Any] = encode(message)
    return body


def enquire_messages(call: Call) -> Reply:
    since, business_date = query(call, "since"), query(call, "business_date")
    messages = call.state.simulation.broadcasts.enquire(
        since=datetime.fromisoformat(since) if since else None,
        category=query(call, "category"),
        after_id=query(call, "after_id"),
        business_date=date.fromisoformat(business_date) if business_date else None,
    )
    if query(call, "order") == "newest":
        messages = messages[::-1]
    items, next_cursor = page(messages, query(call, "cursor"), int(query(call, "limit", 50)))
    return Reply(200, page_body(call, [message_json(m) for m in items], next_cursor))


def get_message(call: Call) -> Reply:
    return Reply(200, message_json(call.state.simulation.broadcasts.get(path(call, "message_id"))))


BROADCAST_HANDLERS: dict[str, Handler] = by_operation({
    (FUNCTION, "list"): enquire_messages,
    (FUNCTION, "get"): get_message,
})
