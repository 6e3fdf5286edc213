"""Fault profiles that answer an owner's read of its own object wrongly: a 404 as if it did not exist, or a 200
whose body is an empty JSON object (no ``status``, no ``items``, nothing the contract promises).

Each suite family reads back what it created (an SI, an ISI, an STI, a mass ATI/STI submission) to check a rule;
such an answer must fail the read's function, never crash the check into a harness error (issue 15 item 1).
The profiles are data: one row per family's single-object read, two profiles per row.
"""

from __future__ import annotations

from typing import Final

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError
from ocp_conformance.simulator.faults.fault import Fault, Wrapper

__all__ = ["OWN_READ_FAULTS"]

OWN_READS: Final = (
    # (family, operationId of the single-object read, its catalogue function, its not-found code)
    ("mass", "getMassTransfer", "Enquire Mass ATI/STI", "MASS_NOT_FOUND"),
    ("si", "getSi", "Enquire SI", "SI_NOT_FOUND"),
    ("isi", "getIsi", "Enquire ISI", "ISI_NOT_FOUND"),
    ("sti", "getSti", "Enquire STI", "STI_NOT_FOUND"),
)


def _not_found(code: str) -> Wrapper:
    def wrapper(call: Call, inner: Handler) -> Reply:
        reply = inner(call)
        if reply.status != 200:
            return reply
        raise DomainError(code, f"Received {dict(call.request.path)}: no such object (a faulty lookup of the "
                                "owner's own object)", status=404)

    return wrapper


def _empty_object(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    return Reply(200, {}, reply.headers) if reply.status == 200 else reply


OWN_READ_FAULTS: Final = [
    fault
    for family, operation, function, code in OWN_READS
    for fault in (
        Fault(f"{family}-own-read-404", function, "scenario",
              f"{function} answers the owner's read of its own object with 404 {code}",
              wrappers={operation: _not_found(code)}),
        Fault(f"{family}-own-read-empty-body", function, "contract",
              f"{function} answers the owner's read of its own object with 200 and an empty JSON object",
              wrappers={operation: _empty_object}),
    )
]
