"""Handlers of the Maintain STI operations: translate HTTP to the domain's TransferBook and back.

They name functions, roles and field roles (through :mod:`~ocp_conformance.simulator.roles`, the model's binding),
never the contract's operationIds, parameters, fields or paths.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from ocp_conformance.binding import place_pointer
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import SegregatedTransfer
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import domain_values, encode
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

__all__ = ["STI_HANDLERS", "sti_json"]

ENQUIRE: Final = "Enquire STI"
"""The function whose field set describes an STI as the contract shows it (every STI function shares it)."""
_INPUT_ROLES: Final = ("from_account", "to_account", "stock_code", "quantity", "payment_type", "amount", "currency",
                       "own_reference")
"""What Input STI reads from its body, by role."""
_ROLE_OF_ATTRIBUTE: Final = {"owner": "participant"}
"""Where the domain's attribute is not the role of the same name."""


def sti_json(sti: SegregatedTransfer) -> dict[str, Any]:
    """An STI as the contract's answer: each attribute at its role's place, enums as the contract's codes."""
    binding = model_binding()
    body: dict[str, Any] = {}
    for attribute in dataclasses.fields(sti):
        role = _ROLE_OF_ATTRIBUTE.get(attribute.name, attribute.name)
        value = encode(getattr(sti, attribute.name))
        enum = binding.field(ENQUIRE, role).enum
        if enum is not None and value is not None:
            value = binding.code(enum, str(value), function=ENQUIRE)
        place_pointer(body, binding.pointer(ENQUIRE, role), value)
    return body



def _sti_id(call: Call) -> str:
    return path(call, "sti_id")


def input_sti(call: Call) -> Reply:
    def create() -> Reply:
        values = domain_values({role: field(call, role) for role in _INPUT_ROLES})
        sti = call.state.simulation.transfers.input_sti(
            call.owner, values.pop("from_account"), values.pop("to_account"), values.pop("stock_code"),
            values.pop("quantity"), values.pop("payment_type"), **values)
        return Reply(201, sti_json(sti), {"Location": location(ENQUIRE, "get", sti_id=sti.sti_id)})

    return idempotent(call, create, what="STI")


def enquire_sti(call: Call) -> Reply:
    filters = dict(call.request.query)
    limit, cursor = int(query(call, "limit", 50)), query(call, "cursor")
    for role in ("limit", "cursor"):
        filters.pop(model_binding().parameter(function_of(call), role), None)
    stis = call.state.simulation.transfers.enquire_sti(call.owner, **domain_values(filters))
    items, next_cursor = page(stis, cursor, limit)
    return Reply(200, page_body(call, [sti_json(s) for s in items], next_cursor))


def get_sti(call: Call) -> Reply:
    return Reply(200, sti_json(call.state.simulation.transfers.get_sti(call.owner, _sti_id(call))))


def revoke_sti(call: Call) -> Reply:
    return Reply(200, sti_json(call.state.simulation.transfers.revoke_sti(call.owner, _sti_id(call))))


STI_HANDLERS: dict[str, Handler] = by_operation({
    ("Input STI", "create"): input_sti,
    (ENQUIRE, "list"): enquire_sti,
    (ENQUIRE, "get"): get_sti,
    ("Revoke STI", "revoke"): revoke_sti,
})
