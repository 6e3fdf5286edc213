"""Handlers of the Maintain ATI operations (Input ATI, Mass ATI/STI): translate HTTP to the domain and back.

Processing model of a mass submission [M]: it is stored RECEIVED and processed by the next batch settlement run
(scheduled, or ``/_sim/settlement-runs``), item by item, each applied exactly once or rejected with a reason
(:class:`~ocp_conformance.simulator.ccass.MassTransferBook`).

Requests are read and answers written by role through the model's binding (:mod:`~ocp_conformance.simulator.roles`):
a submission's fields by the roles of ``fields.mass_transfer``, each item's and its result's by the item roles.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from ocp_conformance.binding import ABSENT
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import AccountTransfer, MassItem, MassItemRecord, MassSubmission
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import encode
from ocp_conformance.simulator.roles import (
    body_of,
    by_operation,
    field,
    location,
    page_body,
    path,
    query,
    read,
)

__all__ = ["ATI_HANDLERS", "ati_json", "mass_json"]

INPUT_ATI: Final = "Input ATI"
INPUT_MASS, CHANGE_MASS, CANCEL_MASS, ENQUIRE_MASS = ("Input Mass ATI/STI", "Change Mass ATI/STI",
                                                      "Cancel Mass ATI/STI", "Enquire Mass ATI/STI")
# Where the domain's name is not the role's.
_ROLES: Final = {"owner": "participant"}
_ITEM_ROLES: Final = ("kind", "from_account", "to_account", "stock_code", "quantity", "payment_type")
"""The roles of one input item, named as MassItem's fields."""



def _mass_id(call: Call) -> str:
    return path(call, "mass_id")


def ati_json(ati: AccountTransfer) -> dict[str, Any]:
    """An ATI as the contract's AccountTransfer."""
    return body_of(INPUT_ATI, {_ROLES.get(f.name, f.name): encode(getattr(ati, f.name))
                               for f in dataclasses.fields(ati)})


def _item_json(item: MassItemRecord) -> dict[str, Any]:
    values: dict[str, Any] = {"index": item.index,
                              **{role: encode(getattr(item.fields, role)) for role in _ITEM_ROLES}}
    if item.kind == "ATI":
        values["payment_type"] = None  # accepted on input for symmetry, meaningless for an ATI
    result = item.result
    if result is None:
        return body_of(ENQUIRE_MASS, {**values, "result": None})
    return body_of(ENQUIRE_MASS, {**values, "outcome": result.outcome, "transfer_id": result.transfer_id,
                                  "rejection_code": result.code, "rejection_reason": result.message})


def mass_json(submission: MassSubmission) -> dict[str, Any]:
    """A submission as the contract's MassSubmission."""
    return body_of(ENQUIRE_MASS, {
        "mass_id": submission.mass_id,
        "participant": submission.owner,
        "own_reference": submission.own_reference,
        "status": submission.status,
        "transfers": [_item_json(item) for item in submission.items],
        "accepted_count": submission.accepted,
        "rejected_count": submission.rejected,
        "created_at": encode(submission.created_at),
        "updated_at": encode(submission.updated_at),
        "processed_at": encode(submission.processed_at),
    })


def _items(call: Call) -> list[MassItem] | None:
    raw = field(call, "transfers")
    if raw is None:
        return None
    items = []
    for element in raw:
        values = {role: read(INPUT_MASS, element, role, ABSENT) for role in _ITEM_ROLES}
        items.append(MassItem(**{role: value for role, value in values.items() if value is not ABSENT}))
    return items


def input_ati(call: Call) -> Reply:
    def create() -> Reply:
        ati = call.state.simulation.transfers.input_ati(
            call.owner, field(call, "from_account"), field(call, "to_account"), field(call, "stock_code"),
            field(call, "quantity"), field(call, "own_reference"))
        return Reply(201, ati_json(ati))

    return idempotent(call, create, what="instruction")


def input_mass(call: Call) -> Reply:
    def create() -> Reply:
        submission = call.state.simulation.mass_transfers.submit(
            call.owner, _items(call) or [], own_reference=field(call, "own_reference"))
        return Reply(201, mass_json(submission), {"Location": location(ENQUIRE_MASS, "get",
                                                                       mass_id=submission.mass_id)})

    return idempotent(call, create, what="instruction")


def enquire_mass(call: Call) -> Reply:
    submissions = call.state.simulation.mass_transfers.enquire(call.owner)
    status, reference = query(call, "status"), query(call, "own_reference")
    chosen = [s for s in submissions
              if (status is None or s.status == status) and (reference is None or s.own_reference == reference)]
    items, next_cursor = page(chosen, query(call, "cursor"), int(query(call, "limit", 50)))
    return Reply(200, page_body(call, [mass_json(s) for s in items], next_cursor))


def get_mass(call: Call) -> Reply:
    return Reply(200, mass_json(call.state.simulation.mass_transfers.get(call.owner, _mass_id(call))))


def change_mass(call: Call) -> Reply:
    submission = call.state.simulation.mass_transfers.change(
        call.owner, _mass_id(call), _items(call), own_reference=field(call, "own_reference"))
    return Reply(200, mass_json(submission))


def cancel_mass(call: Call) -> Reply:
    return Reply(200, mass_json(call.state.simulation.mass_transfers.cancel(call.owner, _mass_id(call))))


ATI_HANDLERS: dict[str, Handler] = by_operation({
    (INPUT_ATI, "create"): input_ati,
    (INPUT_MASS, "create"): input_mass,
    (ENQUIRE_MASS, "list"): enquire_mass,
    (ENQUIRE_MASS, "get"): get_mass,
    (CHANGE_MASS, "change"): change_mass,
    (CANCEL_MASS, "cancel"): cancel_mass,
})
