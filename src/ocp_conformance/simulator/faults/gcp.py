"""Fault profiles of the GCP reference datasets (Participant List, Stock List, Calendar, NCP/GCP Mapping)."""

from __future__ import annotations

import itertools

from ocp_conformance.contracts.validation import ValidRequest
from ocp_conformance.simulator.call import Call, Handler, Reply
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


GCP_FAULTS = [
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
