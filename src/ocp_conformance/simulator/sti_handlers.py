"""Handlers of the Maintain STI operations: translate HTTP to the domain's TransferBook and back."""

from __future__ import annotations

import dataclasses
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import SegregatedTransfer
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import camel, domain_values, encode

__all__ = ["STI_HANDLERS", "sti_json"]


def sti_json(sti: SegregatedTransfer) -> dict[str, Any]:
    """An STI as the contract's SegregatedTransfer (the owner is the participantId)."""
    return {("participantId" if f.name == "owner" else camel(f.name)): encode(getattr(sti, f.name))
            for f in dataclasses.fields(sti)}


def _owner(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _sti_id(call: Call) -> str:
    return str(call.request.path["stiId"])


def input_sti(call: Call) -> Reply:
    def create() -> Reply:
        values = domain_values(call.request.body)
        sti = call.state.simulation.transfers.input_sti(
            _owner(call), values.pop("from_account"), values.pop("to_account"), values.pop("stock_code"),
            values.pop("quantity"), values.pop("payment_type"), **values)
        return Reply(201, sti_json(sti), {"Location": f"/ocp/v1/segregated-transfers/{sti.sti_id}"})

    return idempotent(call, create, what="STI")


def enquire_sti(call: Call) -> Reply:
    query = dict(call.request.query)
    limit = int(query.pop("limit", 50))
    cursor = query.pop("cursor", None)
    stis = call.state.simulation.transfers.enquire_sti(_owner(call), **domain_values(query))
    items, next_cursor = page(stis, cursor, limit)
    return Reply(200, {"items": [sti_json(s) for s in items], "nextCursor": next_cursor})


def get_sti(call: Call) -> Reply:
    return Reply(200, sti_json(call.state.simulation.transfers.get_sti(_owner(call), _sti_id(call))))


def revoke_sti(call: Call) -> Reply:
    return Reply(200, sti_json(call.state.simulation.transfers.revoke_sti(_owner(call), _sti_id(call))))


STI_HANDLERS: dict[str, Handler] = {
    "inputSti": input_sti,
    "enquireSti": enquire_sti,
    "getSti": get_sti,
    "revokeSti": revoke_sti,
}
