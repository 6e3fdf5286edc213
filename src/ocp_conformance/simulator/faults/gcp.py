"""Fault profiles of the GCP services: the trade feed and the reference datasets."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from ocp_conformance.contracts.validation import ValidRequest
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import Simulation, TradeFeed
from ocp_conformance.simulator.faults.fault import Fault
from ocp_conformance.simulator.representation import encode

__all__ = ["GCP_FAULTS"]

_VERSIONS = itertools.count(1)


def _etag_per_response(call: Call, inner: Handler) -> Reply:
    """Like a server that stamps each transmission instead of the content: same rows, a new ETag each time."""
    call = Call(call.operation_id, call.participant, _without_if_none_match(call), call.state)
    reply = inner(call)
    if "ETag" in reply.headers:
        reply.headers["ETag"] = f'"{next(_VERSIONS):016x}"'
    return reply


def _without_if_none_match(call: Call) -> ValidRequest:
    request = call.request
    headers = {k: v for k, v in request.headers.items() if k != "If-None-Match"}
    return ValidRequest(request.path, request.query, headers, request.body)


def _drop_ncps(call: Call, inner: Handler) -> Reply:
    """A Participant List built from CCASS participants only: the NCPs of the mappings are missing."""
    reply = inner(call)
    if reply.status == 200:
        reply.body["items"] = [p for p in reply.body["items"] if p["clearingType"] != "NCP"]
    return reply


def _holiday_trading(call: Call, inner: Handler) -> Reply:
    """A calendar that forgets weekday public holidays: they are listed as trading days."""
    reply = inner(call)
    if reply.status == 200:
        for day in reply.body["items"]:
            if day["dayType"] == "HOLIDAY":
                day.update(tradingDay=True, settlementDay=True)
    return reply


def _every_mapping(call: Call, inner: Handler) -> Reply:
    """The NCP/GCP Mapping of every GCP to every caller, instead of the caller's own NCPs only."""
    reply = inner(call)
    if reply.status == 200 and reply.body["items"] == [] and call.request.query.get("cursor") is None:
        reply.body["items"] = encode(list(call.state.simulation.ncp_gcp_mappings))
    return reply


def _unpadded_codes(call: Call, inner: Handler) -> Reply:
    """Stock codes without their leading zeros (5 instead of 00005)."""
    reply = inner(call)
    if reply.status == 200:
        for stock in reply.body["items"]:
            stock["stockCode"] = stock["stockCode"].lstrip("0") or "0"
    return reply


def _skip_sequence(call: Call, inner: Handler) -> Reply:
    """A feed that loses record #5 (as a server that drops a message between two reads)."""
    reply = inner(call)
    if reply.status == 200:
        reply.body["items"] = [r for r in reply.body["items"] if r["sequence"] != 5]
    return reply


def _duplicate_trade(call: Call, inner: Handler) -> Reply:
    """A feed that sends record #5 twice (as a server that replays the last message after a resume)."""
    reply = inner(call)
    if reply.status == 200:
        items = reply.body["items"]
        reply.body["items"] = [copy for r in items for copy in ([r, dict(r)] if r["sequence"] == 5 else [r])]
    return reply


def _foreign_ncp(call: Call, inner: Handler) -> Reply:
    """Every seventh trade is of an NCP the caller does not clear for."""
    reply = inner(call)
    if reply.status == 200:
        for record in reply.body["items"]:
            if record["sequence"] % 7 == 0:
                record["ncpId"] = "B39999"
    return reply


def _settlement_off_calendar(call: Call, inner: Handler) -> Reply:
    """Settlement dates counted in calendar days (T+2 days), ignoring weekends and holidays."""
    reply = inner(call)
    if reply.status == 200:
        for record in reply.body["items"]:
            record["settlementDate"] = (date.fromisoformat(record["tradeDate"]) + timedelta(days=3)).isoformat()
    return reply


def _china_connect_on_the_hong_kong_cycle(sim: Simulation) -> None:
    """The trade generator settles China Connect trades T+2, as Hong Kong market trades; the calendar stays right."""
    cycles = dict.fromkeys(sim.cns.rules.settlement_cycles, 2)
    sim.trade_feed = TradeFeed(sim.reference, sim.clock.calendar, sim.ncp_gcp_mappings, settlement_cycles=cycles,
                               trades_per_day=sim.trade_feed.trades_per_day)


def _stream_drops_an_event(call: Call, inner: Handler) -> Reply:
    """The Server-Sent Events form leaves out the second event it should send."""
    reply = inner(call)
    if reply.status == 200 and isinstance(reply.body, str):
        events = reply.body.split("\n\n")
        reply.body = "\n\n".join(events[:1] + events[2:])
    return reply


GCP_FAULTS = [
    Fault("trade-stream-drops-an-event", "Real Time Trade Information", "contract",
          "the SSE stream form skips a record the pull form returns",
          wrappers={"streamTrades": _stream_drops_an_event}),
    Fault("trade-sequence-gap", "Real Time Trade Information", "contract",
          "the trade feed skips sequence number 5", wrappers={"getTrades": _skip_sequence}),
    Fault("trade-duplicated", "Real Time Trade Information", "contract",
          "the trade feed sends record 5 twice", wrappers={"getTrades": _duplicate_trade}),
    Fault("trade-of-foreign-ncp", "Real Time Trade Information", "security",
          "a GCP is sent trades of an NCP that does not clear through it", wrappers={"getTrades": _foreign_ncp}),
    Fault("trade-settlement-date-off-calendar", "Real Time Trade Information", "contract",
          "trade settlement dates are trade date + 3 calendar days, not T+2 business days by the calendar",
          wrappers={"getTrades": _settlement_off_calendar}),
    Fault("china-connect-trades-settle-t-plus-2", "Real Time Trade Information", "contract",
          "China Connect trades (MAMK, SZMK) carry the Hong Kong T+2 settlement date instead of T",
          patch=_china_connect_on_the_hong_kong_cycle),
    Fault("etag-changes-without-content-change", "Stock List", "contract",
          "every Stock List response has a new ETag though the rows are the same, and If-None-Match never gets 304",
          wrappers={"getStockList": _etag_per_response}),
    Fault("participant-list-without-ncps", "Participant List", "contract",
          "the Participant List lacks the NCPs that the NCP/GCP Mapping names",
          wrappers={"getParticipantList": _drop_ncps}),
    Fault("calendar-holiday-as-trading-day", "Trading and Settlement Calendar", "contract",
          "weekday public holidays are listed as trading and settlement days",
          wrappers={"getTradingCalendar": _holiday_trading}),
    Fault("ncp-gcp-mapping-of-other-gcps", "NCP/GCP Mapping", "security",
          "a participant with no NCPs is shown the mappings of other GCPs",
          wrappers={"getNcpGcpMappings": _every_mapping}),
    Fault("stock-list-codes-unpadded", "Stock List", "contract",
          "Stock List codes lose their leading zeros (5 instead of 00005)",
          wrappers={"getStockList": _unpadded_codes}),
]
