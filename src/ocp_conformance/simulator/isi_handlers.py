"""Handlers of the Maintain ISI operations, and of the investor's side offered as simulator control.

Investors do not affirm through the brokers' OCP API, so affirmation is a simulator-control operation
(``simAffirmIsi``): a scenario on a real target waits for the investor instead (contracts/README.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import InvestorSettlementInstruction, IsiInput
from ocp_conformance.simulator.idempotency import idempotent
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.representation import camel, domain_values, encode

__all__ = ["ISI_HANDLERS", "isi_json"]

# Where the domain's name is not the contract's name converted.
_RENAMED = {"owner": "participantId"}


def isi_json(isi: InvestorSettlementInstruction) -> dict[str, Any]:
    """An ISI as the contract's InvestorSettlementInstruction (every dataclass field, camelCase)."""
    return {_RENAMED.get(f.name, camel(f.name)): encode(getattr(isi, f.name)) for f in dataclasses.fields(isi)}


def _participant(call: Call) -> str:
    assert call.participant is not None, "authentication runs before handlers"
    return call.participant


def _isi_id(call: Call) -> str:
    return str(call.request.path["isiId"])


def input_isi(call: Call) -> Reply:
    def create() -> Reply:
        isi = call.state.simulation.isi_book.input_isi(_participant(call), IsiInput(**domain_values(call.request.body)))
        return Reply(201, isi_json(isi), {"Location": f"/ocp/v1/investor-settlement-instructions/{isi.isi_id}"})

    return idempotent(call, create, what="ISI")


def enquire_isi(call: Call) -> Reply:
    query = call.request.query
    isis = call.state.simulation.isi_book.enquire(
        _participant(call), query.get("status"), stock_code=query.get("stockCode"),
        own_reference=query.get("ownReference"))
    items, next_cursor = page(isis, query.get("cursor"), int(query.get("limit", 50)))
    return Reply(200, {"items": [isi_json(i) for i in items], "nextCursor": next_cursor})


def get_isi(call: Call) -> Reply:
    return Reply(200, isi_json(call.state.simulation.isi_book.get(_participant(call), _isi_id(call))))


def change_isi(call: Call) -> Reply:
    changes = domain_values(call.request.body)
    return Reply(200, isi_json(call.state.simulation.isi_book.change_isi(_participant(call), _isi_id(call), changes)))


def cancel_isi(call: Call) -> Reply:
    return Reply(200, isi_json(call.state.simulation.isi_book.cancel_isi(_participant(call), _isi_id(call))))


def sim_affirm(call: Call) -> Reply:
    """Simulator control: the investor affirms (or refuses to affirm) an ISI."""
    body = call.request.body
    book = call.state.simulation.isi_book
    investor, isi_id = str(body["investorId"]), _isi_id(call)
    isi = book.affirm(investor, isi_id) if body["affirm"] else book.reject_affirmation(investor, isi_id)
    return Reply(200, isi_json(isi))


def sim_counterparties(call: Call) -> Reply:
    """Simulator control: who the investor allows to input ISIs without affirmation."""
    investor = str(call.request.path["investorId"])
    participant = call.state.simulation.reference.participant(investor)
    if participant is None or participant.participant_type.upper() != "INVESTOR":
        raise Problem(404, "PARTICIPANT_UNKNOWN", f"no Investor Participant {investor}")
    counterparties = call.state.simulation.isi_book.counterparties_without_affirmation(investor)
    return Reply(200, {"investorId": investor, "counterparties": list(counterparties)})


ISI_HANDLERS: dict[str, Handler] = {
    "inputIsi": input_isi,
    "enquireIsi": enquire_isi,
    "getIsi": get_isi,
    "changeIsi": change_isi,
    "cancelIsi": cancel_isi,
    "simAffirmIsi": sim_affirm,
    "simGetIsiCounterparties": sim_counterparties,
}
