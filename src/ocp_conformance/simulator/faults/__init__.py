"""Fault profiles: each makes the simulator break one rule on purpose, so we can prove a suite catches it.

A suite that no fault can fail is not done (DESIGN.md §4). Each profile names the catalogue function it
breaks and the check kind expected to catch it; ``tests/faults/`` runs the harness against every profile and
asserts that the readiness report fails that function. Each function group keeps its profiles in its own
module; this one lists them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.simulator.faults.ati import ATI_FAULTS
from ocp_conformance.simulator.faults.broadcast import BROADCAST_FAULTS
from ocp_conformance.simulator.faults.di import DI_FAULTS
from ocp_conformance.simulator.faults.enquiries import ENQUIRY_FAULTS
from ocp_conformance.simulator.faults.fault import CheckKind, Fault, RouteHandler, Wrapper
from ocp_conformance.simulator.faults.gateway import GATEWAY_FAULTS
from ocp_conformance.simulator.faults.gcp import GCP_FAULTS
from ocp_conformance.simulator.faults.isi import ISI_FAULTS
from ocp_conformance.simulator.faults.load import LOAD_FAULTS
from ocp_conformance.simulator.faults.own_reads import OWN_READ_FAULTS
from ocp_conformance.simulator.faults.rap import RAP_FAULTS
from ocp_conformance.simulator.faults.rap_scenarios import RAP_SCENARIO_FAULTS
from ocp_conformance.simulator.faults.si import SI_FAULTS
from ocp_conformance.simulator.faults.sti import STI_FAULTS

__all__ = ["FAULTS", "CheckKind", "Fault", "RouteHandler", "UnknownFaultError", "Wrapper", "resolve_faults"]

_ALL_FAULTS: list[Fault] = [
    *SI_FAULTS,
    *DI_FAULTS,
    *ENQUIRY_FAULTS,
    *ATI_FAULTS,
    *ISI_FAULTS,
    *STI_FAULTS,
    *BROADCAST_FAULTS,
    *GCP_FAULTS,
    *RAP_FAULTS,
    *RAP_SCENARIO_FAULTS,
    *OWN_READ_FAULTS,
    *GATEWAY_FAULTS,
    *LOAD_FAULTS,
]
FAULTS: dict[str, Fault] = {fault.name: fault for fault in _ALL_FAULTS}
if len(FAULTS) != len(_ALL_FAULTS):  # two profiles under one name: one would silently hide the other
    _twice = sorted({f.name for f in _ALL_FAULTS if sum(g.name == f.name for g in _ALL_FAULTS) > 1})
    raise RuntimeError(f"fault profile names used twice: {', '.join(_twice)}; give each profile its own name")


class UnknownFaultError(ValueError):
    def __init__(self, name: str) -> None:
        hint = did_you_mean(name, FAULTS, cutoff=0.4)
        super().__init__(f"no fault profile {name!r}.{hint} `ocp-conformance faults` lists them all.")


def resolve_faults(names: Iterable[str]) -> tuple[Fault, ...]:
    """The profiles called ``names``, or :class:`UnknownFaultError` for the first unknown one."""
    resolved = []
    for name in names:
        if name not in FAULTS:
            raise UnknownFaultError(name)
        resolved.append(FAULTS[name])
    return tuple(resolved)
