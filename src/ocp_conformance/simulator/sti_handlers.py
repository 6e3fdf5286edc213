"""Handlers of the Maintain STI operations: translate HTTP to the domain's TransferBook and back."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import SegregatedTransfer
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.representation import camel, domain_values, encode
from ocp_conformance.simulator.state import IdempotencyRecord

__all__ = ["STI_HANDLERS", "sti_json"]

# Idempotency keys are per participant and per function: an SI and an STI may carry the same key.
_KEY_SCOPE = "inputSti"


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
    owner = _owner(call)
    key = call.request.headers["Idempotency-Key"]
    body = call.request.body
    request_hash = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    scoped = (owner, f"{_KEY_SCOPE}:{key}")
    previous = call.state.idempotency.get(scoped)
    if previous is not None:
        if previous.request_hash != request_hash:
            raise Problem(409, "IDEMPOTENCY_KEY_REUSED",
                          f"Idempotency-Key {key!r} was used for a different STI; use a fresh key per new STI",
                          (FieldError("/header/Idempotency-Key", "already used with another body"),))
        return Reply(previous.status, previous.body, {**previous.headers, "Idempotent-Replayed": "true"})
    values = domain_values(body)
    sti = call.state.simulation.transfers.input_sti(
        owner, values.pop("from_account"), values.pop("to_account"), values.pop("stock_code"),
        values.pop("quantity"), values.pop("payment_type"), **values)
    reply = Reply(201, sti_json(sti), {"Location": f"/ocp/v1/segregated-transfers/{sti.sti_id}"})
    call.state.idempotency[scoped] = IdempotencyRecord(request_hash, reply.status, reply.body, reply.headers)
    return reply


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
