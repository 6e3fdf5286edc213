"""Fault profiles only a load run can catch: defects that show at volume, not in one exchange.

A conformance run sends a handful of SIs per function; a defect that loses one instruction in a hundred after
acknowledging it passes every one of those checks. ``ocp-conformance load`` reads every acknowledged instruction
back at the end of the run (its invariants), which is what catches these (check kind ``load``).
"""

from __future__ import annotations

import threading
import weakref

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import Simulation
from ocp_conformance.simulator.faults.fault import Fault

__all__ = ["DROP_EVERY", "LOAD_FAULTS"]

DROP_EVERY = 100
"""One acknowledged Input SI in this many is dropped (1 %)."""

_owed: weakref.WeakKeyDictionary[Simulation, list[int]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _drop_after_ack(call: Call, inner: Handler) -> Reply:
    """Acknowledge the SI (201, its id), then forget it: once per :data:`DROP_EVERY` acknowledgements, the next
    acknowledged SI that is still unmatched (a matched one would leave its counterpart paired with nothing)."""
    reply = inner(call)
    if reply.status != 201 or not isinstance(reply.body, dict):
        return reply
    simulation = call.state.simulation
    with _lock:
        counts = _owed.setdefault(simulation, [0, 0])  # [acknowledged, drops owed]
        counts[0] += 1
        if counts[0] % DROP_EVERY == 0:
            counts[1] += 1
        if counts[1] == 0 or reply.body.get("status") != "UNMATCHED":
            return reply
        counts[1] -= 1
    assert call.participant is not None
    _forget(simulation, call.participant, str(reply.body["siId"]))
    return reply


def _forget(simulation: Simulation, owner: str, si_id: str) -> None:
    """Remove an unmatched SI from the book as if it had never been input (the defect: a lost write)."""
    book = simulation.si_book
    record = book._sis.pop(si_id)
    book._by_owner[owner].remove(si_id)
    book._unqueue(record)


LOAD_FAULTS = [
    Fault("drop-acknowledged-si", "Input SI", "load",
          f"Input SI acknowledges every SI (201 with its id) but loses one in {DROP_EVERY} afterwards: it is never "
          "listed by Enquire SI",
          wrappers={"inputSi": _drop_after_ack}),
]
