"""Handlers of the Maintain ATI operations (Input ATI, Mass ATI/STI): translate HTTP to the domain and back.

Processing model of a mass submission [M]: it is stored RECEIVED and processed by the next batch settlement run
(scheduled, or ``/_sim/settlement-runs``), item by item, each applied exactly once or rejected with a reason
(:class:`~ocp_conformance.simulator.ccass.MassTransferBook`).
"""

from __future__ import annotations

from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import AccountTransfer, MassItem, MassItemRecord, MassSubmission
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import domain_values, encode

__all__ = ["ATI_HANDLERS", "ati_json", "mass_json"]

# Where the domain's name is not the contract's name converted.
_RENAMED = {"owner": "participantId", "message": "reason"}


def _owner(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _mass_id(call: Call) -> str:
    return str(call.request.path["massId"])


def _json(record: object) -> dict[str, Any]:
    encoded: dict[str, Any] = encode(record)
    return {_RENAMED.get(name, name): value for name, value in encoded.items()}


def ati_json(ati: AccountTransfer) -> dict[str, Any]:
    """An ATI as the contract's AccountTransfer."""
    return _json(ati)


def _item_json(item: MassItemRecord) -> dict[str, Any]:
    fields: dict[str, Any] = encode(item.fields)
    if item.kind == "ATI":
        fields["paymentType"] = None  # accepted on input for symmetry, meaningless for an ATI
    return {"index": item.index, **fields, "result": None if item.result is None else _json(item.result)}


def mass_json(submission: MassSubmission) -> dict[str, Any]:
    """A submission as the contract's MassSubmission."""
    return {
        "massId": submission.mass_id,
        "participantId": submission.owner,
        "ownReference": submission.own_reference,
        "status": submission.status,
        "items": [_item_json(item) for item in submission.items],
        "acceptedCount": submission.accepted,
        "rejectedCount": submission.rejected,
        "createdAt": encode(submission.created_at),
        "updatedAt": encode(submission.updated_at),
        "processedAt": encode(submission.processed_at),
    }


def _items(body: dict[str, Any]) -> list[MassItem] | None:
    raw = body.get("items")
    return None if raw is None else [MassItem(**domain_values(item)) for item in raw]


def input_ati(call: Call) -> Reply:
    body = call.request.body

    def create() -> Reply:
        ati = call.state.simulation.transfers.input_ati(
            _owner(call), body["fromAccount"], body["toAccount"], body["stockCode"], body["quantity"],
            body.get("ownReference"))
        return Reply(201, ati_json(ati))

    return idempotent(call, create, what="instruction")


def input_mass(call: Call) -> Reply:
    body = call.request.body

    def create() -> Reply:
        submission = call.state.simulation.mass_transfers.submit(
            _owner(call), _items(body) or [], own_reference=body.get("ownReference"))
        return Reply(201, mass_json(submission), {"Location": f"/ocp/v1/mass-transfers/{submission.mass_id}"})

    return idempotent(call, create, what="instruction")


def enquire_mass(call: Call) -> Reply:
    query = call.request.query
    submissions = call.state.simulation.mass_transfers.enquire(_owner(call))
    status, reference = query.get("status"), query.get("ownReference")
    chosen = [s for s in submissions
              if (status is None or s.status == status) and (reference is None or s.own_reference == reference)]
    items, next_cursor = page(chosen, query.get("cursor"), int(query.get("limit", 50)))
    return Reply(200, {"items": [mass_json(s) for s in items], "nextCursor": next_cursor})


def get_mass(call: Call) -> Reply:
    return Reply(200, mass_json(call.state.simulation.mass_transfers.get(_owner(call), _mass_id(call))))


def change_mass(call: Call) -> Reply:
    body = call.request.body
    submission = call.state.simulation.mass_transfers.change(
        _owner(call), _mass_id(call), _items(body), own_reference=body.get("ownReference"))
    return Reply(200, mass_json(submission))


def cancel_mass(call: Call) -> Reply:
    return Reply(200, mass_json(call.state.simulation.mass_transfers.cancel(_owner(call), _mass_id(call))))


ATI_HANDLERS: dict[str, Handler] = {
    "inputAti": input_ati,
    "inputMassTransfer": input_mass,
    "enquireMassTransfers": enquire_mass,
    "getMassTransfer": get_mass,
    "changeMassTransfer": change_mass,
    "cancelMassTransfer": cancel_mass,
}
