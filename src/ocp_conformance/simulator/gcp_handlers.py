"""Handlers of the GCP services: trade feed by sequence; reference datasets with ETags and paging.

Each dataset is built whole for the caller, its ETag is a digest of the business date and the full JSON rows
(so it changes only when the dataset does, and every page carries the same one), and then one page is cut.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any, Final

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import calendar_days, mappings_of, participant_list, stock_list
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import encode

__all__ = ["EVENTS_PER_STREAM", "GCP_HANDLERS", "dataset_etag"]

Rows = Callable[[Call], Sequence[Any]]
EVENTS_PER_STREAM: Final = 2000
"""The most events one trade stream carries before the server closes it (the client resumes)."""


def dataset_etag(business_date: str, rows: Sequence[dict[str, Any]]) -> str:
    """A strong ETag over the whole dataset of a business date."""
    text = json.dumps([business_date, list(rows)], sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:16] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def _dataset(rows: Rows) -> Handler:
    def handler(call: Call) -> Reply:
        business_date = call.state.simulation.clock.today.isoformat()
        all_rows = [encode(row) for row in rows(call)]
        etag = dataset_etag(business_date, all_rows)
        query = call.request.query
        items, next_cursor = page(all_rows, query.get("cursor"), int(query.get("limit", 50)))
        if _matches(call.request.headers.get("If-None-Match"), etag):
            return Reply(304, None, {"ETag": etag})
        return Reply(200, {"businessDate": business_date, "items": list(items), "nextCursor": next_cursor},
                     {"ETag": etag})

    return handler


def _participants(call: Call) -> Sequence[Any]:
    sim = call.state.simulation
    return participant_list(sim.reference, sim.ncp_gcp_mappings)


def _stocks(call: Call) -> Sequence[Any]:
    return stock_list(call.state.simulation.reference)


def _calendar(call: Call) -> Sequence[Any]:
    sim = call.state.simulation
    return calendar_days(sim.clock.calendar, sim.clock.today, sim.cns.rules.settlement_cycles)


def _mappings(call: Call) -> Sequence[Any]:
    return mappings_of(call.state.simulation.ncp_gcp_mappings, str(call.participant))


def get_trades(call: Call) -> Reply:
    """Real Time Trade Information: the caller's feed of the business date after ``afterSequence``."""
    clock = call.state.simulation.clock
    query = call.request.query
    records, next_sequence = call.state.simulation.trade_feed.after(
        str(call.participant), clock.today, clock.now, int(query.get("afterSequence", 0)), int(query.get("limit", 50)))
    return Reply(200, {"businessDate": clock.today.isoformat(), "items": [encode(r) for r in records],
                       "nextSequence": next_sequence})


def stream_trades(call: Call) -> Reply:
    """The feed as Server-Sent Events. A stream ends once every record issued so far is sent (the simulated
    clock does not move while a request is served) or after :data:`EVENTS_PER_STREAM` events, whichever comes
    first, and the client reconnects with Last-Event-ID, as the contract allows."""
    clock = call.state.simulation.clock
    last_event = call.request.headers.get("Last-Event-ID")
    after = int(last_event) if last_event else int(call.request.query.get("afterSequence", 0))
    records, _ = call.state.simulation.trade_feed.after(str(call.participant), clock.today, clock.now, after,
                                                      EVENTS_PER_STREAM)
    events = "".join(f"id: {r.sequence}\nevent: trade\ndata: {json.dumps(encode(r), separators=(',', ':'))}\n\n"
                     for r in records)
    return Reply(200, events, {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"})


GCP_HANDLERS: dict[str, Handler] = {
    "getTrades": get_trades,
    "streamTrades": stream_trades,
    "getParticipantList": _dataset(_participants),
    "getStockList": _dataset(_stocks),
    "getTradingCalendar": _dataset(_calendar),
    "getNcpGcpMappings": _dataset(_mappings),
}
