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
from ocp_conformance.simulator.roles import by_operation, header, page_body, query, set_field

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
        items, next_cursor = page(all_rows, query(call, "cursor"), int(query(call, "limit", 50)))
        if _matches(header(call, "if_none_match"), etag):
            return Reply(304, None, {"ETag": etag})
        body = page_body(call, list(items), next_cursor)
        set_field(call, body, "business_date", business_date)
        return Reply(200, body, {"ETag": etag})

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
    records, next_sequence = call.state.simulation.trade_feed.after(
        str(call.participant), clock.today, clock.now, int(query(call, "after_sequence", 0)),
        int(query(call, "limit", 50)))
    body: dict[str, Any] = {}
    set_field(call, body, "business_date", clock.today.isoformat())
    set_field(call, body, "items", [encode(r) for r in records])
    set_field(call, body, "next_sequence", next_sequence)
    return Reply(200, body)


def stream_trades(call: Call) -> Reply:
    """The feed as Server-Sent Events. A stream ends once every record issued so far is sent (the simulated
    clock does not move while a request is served) or after :data:`EVENTS_PER_STREAM` events, whichever comes
    first, and the client reconnects with Last-Event-ID, as the contract allows."""
    clock = call.state.simulation.clock
    last_event = header(call, "last_event_id")
    after = int(last_event) if last_event else int(query(call, "after_sequence", 0))
    records, _ = call.state.simulation.trade_feed.after(str(call.participant), clock.today, clock.now, after,
                                                      EVENTS_PER_STREAM)
    events = "".join(f"id: {r.sequence}\nevent: trade\ndata: {json.dumps(encode(r), separators=(',', ':'))}\n\n"
                     for r in records)
    return Reply(200, events, {"Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"})


GCP_HANDLERS: dict[str, Handler] = by_operation({
    ("Real Time Trade Information", "list"): get_trades,
    ("Real Time Trade Information", "stream"): stream_trades,
    ("Participant List", "list"): _dataset(_participants),
    ("Stock List", "list"): _dataset(_stocks),
    ("Trading and Settlement Calendar", "list"): _dataset(_calendar),
    ("NCP/GCP Mapping", "list"): _dataset(_mappings),
})
