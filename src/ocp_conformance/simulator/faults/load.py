"""Fault profiles only a load run can catch: defects that show at volume, not in one exchange.

A conformance run sends a handful of SIs (or ISIs) per function; a defect that loses one instruction in a hundred
after acknowledging it passes every one of those checks. ``ocp-conformance load`` reads every acknowledged instruction
back at the end of the run (its invariants), which is what catches these (check kind ``load``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import Simulation
from ocp_conformance.simulator.faults.fault import Fault, Wrapper

__all__ = ["DROP_EVERY", "LOAD_FAULTS"]

DROP_EVERY = 100
"""One acknowledged instruction in this many (Input SI, Input ISI) is dropped (1 %)."""

_owed: weakref.WeakKeyDictionary[Simulation, dict[str, list[int]]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()

Forget = Callable[[Simulation, str, str], None]
"""Removes one acknowledged instruction (simulation, owner, id) as if it had never been input."""


def _dropping(kind: str, id_field: str, open_status: str, forget: Forget) -> Wrapper:
    """A wrapper that acknowledges every input (201, its id), then forgets one: once per :data:`DROP_EVERY`
    acknowledgements of ``kind``, the next acknowledged one still in ``open_status`` (one that has moved on, e.g. a
    matched SI, would leave its other side pointing at nothing)."""

    def drop_after_ack(call: Call, inner: Handler) -> Reply:
        reply = inner(call)
        if reply.status != 201 or not isinstance(reply.body, dict):
            return reply
        simulation = call.state.simulation
        with _lock:
            counts = _owed.setdefault(simulation, {}).setdefault(kind, [0, 0])  # [acknowledged, drops owed]
            counts[0] += 1
            if counts[0] % DROP_EVERY == 0:
                counts[1] += 1
            if counts[1] == 0 or reply.body.get("status") != open_status:
                return reply
            counts[1] -= 1
        assert call.participant is not None
        forget(simulation, call.participant, str(reply.body[id_field]))
        return reply

    return drop_after_ack


def _forget_si(simulation: Simulation, owner: str, si_id: str) -> None:
    """Remove an unmatched SI from the book as if it had never been input (the defect: a lost write)."""
    book = simulation.si_book
    record = book._sis.pop(si_id)
    book._by_owner[owner].remove(si_id)
    book._unqueue(record)


def _forget_isi(simulation: Simulation, owner: str, isi_id: str) -> None:
    """Remove an unaffirmed ISI from the book as if it had never been input: neither its owner nor its investor
    sees it again."""
    book = simulation.isi_book
    record = book._isis.pop(isi_id)
    for participant in (owner, record.investor_id):
        book._by_participant[participant].remove(isi_id)
    book._open.pop(isi_id, None)
    book._batch_eligible.pop(isi_id, None)


LOAD_FAULTS = [
    Fault("drop-acknowledged-si", "Input SI", "load",
          f"Input SI acknowledges every SI (201 with its id) but loses one in {DROP_EVERY} afterwards: it is never "
          "listed by Enquire SI",
          wrappers={"inputSi": _dropping("si", "siId", "UNMATCHED", _forget_si)}),
    Fault("drop-acknowledged-isi", "Input ISI", "load",
          f"Input ISI acknowledges every ISI (201 with its id) but loses one in {DROP_EVERY} afterwards: it is never "
          "listed by Enquire ISI",
          wrappers={"inputIsi": _dropping("isi", "isiId", "UNAFFIRMED", _forget_isi)}),
]
