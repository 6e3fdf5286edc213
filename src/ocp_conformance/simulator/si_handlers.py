"""Handlers of the Maintain SI operations: translate HTTP to the domain and back."""

from __future__ import annotations

from typing import Any, Final

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError, SiFilter, SiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.refusals import RETRY_AFTER_SECONDS
from ocp_conformance.simulator.representation import domain_values, si_json, unmatched_json
from ocp_conformance.simulator.roles import (
    by_operation,
    field,
    function_of,
    location,
    model_binding,
    page_body,
    path,
    query,
)

__all__ = ["MARKET_WINDOW_FUNCTIONS", "SI_HANDLERS"]

# The Maintain SI functions that act on one SI: each is open in the SI function windows of its stock's market
# (clock.SI_MARKET_WINDOWS, issue 17 correction 9: [F] China Connect SIs 07:15-19:45). [M] The SI enquiries, which
# span markets, keep the function windows of every other operation. The API gate (app.py) lets these through while
# any market's window is open; _require_window then asks the clock for the SI's own market.
MARKET_WINDOW_FUNCTIONS: Final[frozenset[str]] = frozenset({
    "Input SI", "Change SI", "Cancel SI", "Change Hold Matched SI", "Revoke Matched SI", "Change Matched/Settled SI",
})


def _si_id(call: Call) -> str:
    return path(call, "si_id")


def _require_window(call: Call, *stock_codes: str | None) -> None:
    """503 SERVICE_WINDOW_CLOSED unless the SI function windows of each stock's market are open now. An unknown
    stock (or none) has the function windows of the Hong Kong market, as before the windows depended on it."""
    simulation = call.state.simulation
    clock = simulation.clock
    for code in stock_codes:
        stock = simulation.reference.stock(code) if code is not None else None
        market = stock.market if stock is not None else None
        if not clock.in_function_window(market):
            securities = f"{market} securities such as {code}" if market is not None else "Hong Kong securities"
            raise Problem(503, "SERVICE_WINDOW_CLOSED",
                          f"{function_of(call)} for {securities} is available {clock.describe_windows(market)} on "
                          f"that market's business days; the business clock says {clock.now.isoformat()}",
                          headers={"Retry-After": RETRY_AFTER_SECONDS})


def _stock_of_si(call: Call) -> str | None:
    """The stock of the acting participant's SI named in the path, ``None`` if it has none by that id (the
    operation itself then answers SI_NOT_FOUND inside the Hong Kong windows)."""
    try:
        return call.state.simulation.si_book.get(call.owner, _si_id(call)).stock_code
    except DomainError:
        return None


def input_si(call: Call) -> Reply:
    _require_window(call, domain_values(call.request.body).get("stock_code"))

    def create() -> Reply:
        si = call.state.simulation.si_book.input_si(call.owner, SiInput(**domain_values(call.request.body)))
        return Reply(201, si_json(si), {"Location": location("Enquire SI", "get", si_id=si.si_id)})

    return idempotent(call, create, what="SI")


def enquire_si(call: Call) -> Reply:
    filters = dict(call.request.query)
    limit, cursor = int(query(call, "limit", 50)), query(call, "cursor")
    for role in ("limit", "cursor"):
        filters.pop(model_binding().parameter(function_of(call), role), None)
    sis = call.state.simulation.si_book.enquire(call.owner, SiFilter(**domain_values(filters)))
    return _page_reply(call, sis, cursor, limit)


def _page_reply(call: Call, sis: list[Any], cursor: str | None, limit: int) -> Reply:
    items, next_cursor = page(sis, cursor, limit)
    return Reply(200, page_body(call, [si_json(s) for s in items], next_cursor))


def get_si(call: Call) -> Reply:
    return Reply(200, si_json(call.state.simulation.si_book.get(call.owner, _si_id(call))))


def change_si(call: Call) -> Reply:
    changes = domain_values(call.request.body)
    _require_window(call, _stock_of_si(call), *([changes["stock_code"]] if "stock_code" in changes else []))
    si = call.state.simulation.si_book.change_si(call.owner, _si_id(call), changes)
    return Reply(200, si_json(si))


def cancel_si(call: Call) -> Reply:
    _require_window(call, _stock_of_si(call))
    return Reply(200, si_json(call.state.simulation.si_book.cancel_si(call.owner, _si_id(call))))


def change_hold(call: Call) -> Reply:
    _require_window(call, _stock_of_si(call))
    si = call.state.simulation.si_book.set_hold(call.owner, _si_id(call), bool(field(call, "hold")))
    return Reply(200, si_json(si))


def revoke(call: Call) -> Reply:
    _require_window(call, _stock_of_si(call))
    return Reply(200, si_json(call.state.simulation.si_book.revoke(call.owner, _si_id(call))))


def change_matched(call: Call) -> Reply:
    _require_window(call, _stock_of_si(call))
    changes = domain_values(call.request.body)
    si = call.state.simulation.si_book.change_matched(call.owner, _si_id(call), changes)
    return Reply(200, si_json(si))


def unmatched_reason(call: Call) -> Reply:
    report = call.state.simulation.si_book.unmatched_reasons(call.owner, _si_id(call))
    return Reply(200, unmatched_json(report))


def enquire_deleted(call: Call) -> Reply:
    sis = call.state.simulation.si_book.deleted_today(call.owner)
    reference = query(call, "own_reference")
    if reference is not None:
        sis = [si for si in sis if si.own_reference == reference]
    return _page_reply(call, sis, query(call, "cursor"), int(query(call, "limit", 50)))


SI_HANDLERS: dict[str, Handler] = by_operation({
    ("Input SI", "create"): input_si,
    ("Enquire SI", "list"): enquire_si,
    ("Enquire SI", "get"): get_si,
    ("Change SI", "change"): change_si,
    ("Cancel SI", "cancel"): cancel_si,
    ("Change Hold Matched SI", "hold"): change_hold,
    ("Revoke Matched SI", "revoke"): revoke,
    ("Change Matched/Settled SI", "amend"): change_matched,
    ("Enquire SI Unmatched Reason", "get"): unmatched_reason,
    ("Enquire Deleted SI", "list"): enquire_deleted,
})
