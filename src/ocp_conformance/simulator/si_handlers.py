"""Handlers of the Maintain SI operations: translate HTTP to the domain and back."""

from __future__ import annotations

from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import SiFilter, SiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import domain_values, si_json, unmatched_json

__all__ = ["SI_HANDLERS"]


def _owner(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _si_id(call: Call) -> str:
    return str(call.request.path["siId"])


def input_si(call: Call) -> Reply:
    def create() -> Reply:
        si = call.state.simulation.si_book.input_si(_owner(call), SiInput(**domain_values(call.request.body)))
        return Reply(201, si_json(si), {"Location": f"/ocp/v1/settlement-instructions/{si.si_id}"})

    return idempotent(call, create, what="SI")


def enquire_si(call: Call) -> Reply:
    query = dict(call.request.query)
    limit = int(query.pop("limit", 50))
    cursor = query.pop("cursor", None)
    sis = call.state.simulation.si_book.enquire(_owner(call), SiFilter(**domain_values(query)))
    return _page_reply(sis, cursor, limit)


def _page_reply(sis: list[Any], cursor: str | None, limit: int) -> Reply:
    items, next_cursor = page(sis, cursor, limit)
    return Reply(200, {"items": [si_json(s) for s in items], "nextCursor": next_cursor})


def get_si(call: Call) -> Reply:
    return Reply(200, si_json(call.state.simulation.si_book.get(_owner(call), _si_id(call))))


def change_si(call: Call) -> Reply:
    si = call.state.simulation.si_book.change_si(_owner(call), _si_id(call), domain_values(call.request.body))
    return Reply(200, si_json(si))


def cancel_si(call: Call) -> Reply:
    return Reply(200, si_json(call.state.simulation.si_book.cancel_si(_owner(call), _si_id(call))))


def change_hold(call: Call) -> Reply:
    si = call.state.simulation.si_book.set_hold(_owner(call), _si_id(call), bool(call.request.body["hold"]))
    return Reply(200, si_json(si))


def revoke(call: Call) -> Reply:
    return Reply(200, si_json(call.state.simulation.si_book.revoke(_owner(call), _si_id(call))))


def change_matched(call: Call) -> Reply:
    changes = domain_values(call.request.body)
    si = call.state.simulation.si_book.change_matched(_owner(call), _si_id(call), changes)
    return Reply(200, si_json(si))


def unmatched_reason(call: Call) -> Reply:
    report = call.state.simulation.si_book.unmatched_reasons(_owner(call), _si_id(call))
    return Reply(200, unmatched_json(report))


def enquire_deleted(call: Call) -> Reply:
    query = call.request.query
    sis = call.state.simulation.si_book.deleted_today(_owner(call))
    reference = query.get("ownReference")
    if reference is not None:
        sis = [si for si in sis if si.own_reference == reference]
    return _page_reply(sis, query.get("cursor"), int(query.get("limit", 50)))


SI_HANDLERS: dict[str, Handler] = {
    "inputSi": input_si,
    "enquireSi": enquire_si,
    "getSi": get_si,
    "changeSi": change_si,
    "cancelSi": cancel_si,
    "changeHoldMatchedSi": change_hold,
    "revokeMatchedSi": revoke,
    "changeMatchedSettledSi": change_matched,
    "enquireSiUnmatchedReason": unmatched_reason,
    "enquireDeletedSi": enquire_deleted,
}
