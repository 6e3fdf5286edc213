"""Handlers of the Maintain ISI operations.

Investors do not affirm through the brokers' OCP API, so affirmation is a simulator-control operation
(``simAffirmIsi``, in control_handlers.py): a scenario on a real target waits for the investor instead
(contracts/README.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ocp_conformance.binding import place_pointer
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import InvestorSettlementInstruction, IsiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.representation import camel, domain_values, encode
from ocp_conformance.simulator.roles import by_operation, location, model_binding, page_body, path, query

__all__ = ["ISI_HANDLERS", "isi_json"]


def isi_json(isi: InvestorSettlementInstruction) -> dict[str, Any]:
    """An ISI as the contract's InvestorSettlementInstruction: every dataclass field camelCased, the owner at the
    binding's ``participant`` role (the domain calls it ``owner``)."""
    body = {camel(f.name): encode(getattr(isi, f.name)) for f in dataclasses.fields(isi) if f.name != "owner"}
    place_pointer(body, model_binding().pointer("Enquire ISI", "participant"), isi.owner)
    return body


def _participant(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _isi_id(call: Call) -> str:
    return path(call, "isi_id")


def input_isi(call: Call) -> Reply:
    def create() -> Reply:
        isi = call.state.simulation.isi_book.input_isi(_participant(call), IsiInput(**domain_values(call.request.body)))
        return Reply(201, isi_json(isi), {"Location": location("Enquire ISI", "get", isi_id=isi.isi_id)})

    return idempotent(call, create, what="ISI")


def enquire_isi(call: Call) -> Reply:
    isis = call.state.simulation.isi_book.enquire(
        _participant(call), query(call, "status"), stock_code=query(call, "stock_code"),
        own_reference=query(call, "own_reference"))
    items, next_cursor = page(isis, query(call, "cursor"), int(query(call, "limit", 50)))
    return Reply(200, page_body(call, [isi_json(i) for i in items], next_cursor))


def get_isi(call: Call) -> Reply:
    return Reply(200, isi_json(call.state.simulation.isi_book.get(_participant(call), _isi_id(call))))


def change_isi(call: Call) -> Reply:
    changes = domain_values(call.request.body)
    return Reply(200, isi_json(call.state.simulation.isi_book.change_isi(_participant(call), _isi_id(call), changes)))


def cancel_isi(call: Call) -> Reply:
    return Reply(200, isi_json(call.state.simulation.isi_book.cancel_isi(_participant(call), _isi_id(call))))


ISI_HANDLERS: dict[str, Handler] = {
    **by_operation({
        ("Input ISI", "create"): input_isi,
        ("Enquire ISI", "list"): enquire_isi,
        ("Enquire ISI", "get"): get_isi,
        ("Change ISI", "change"): change_isi,
        ("Cancel ISI", "cancel"): cancel_isi,
    }),
}
