"""The embedded reference simulator, in process (the default target)."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from ocp_conformance.binding import credential_header, load_binding
from ocp_conformance.contracts import ContractSet
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.simulator.bound_shape import build_bound_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport
from ocp_conformance.targets.rap_channel import InProcessRapChannel
from ocp_conformance.targets.target import CLOCK_CONTROL, Target

__all__ = ["simulator_target"]

SIMULATOR_BASE_URL = "http://simulator.invalid"


def simulator_target(
    contracts: ContractSet | None = None, *, faults: Iterable[str] = ()
) -> tuple[Target, SimulatorApp]:
    """A target backed by a fresh in-process simulator (with ``faults`` applied), and the simulator itself.

    Requests go through httpx's ``ASGITransport`` into the app, without a socket.
    """
    app = build_bound_app(contracts, faults=faults)
    tokens = {pid: app.token_of(pid) for pid in app.participants}
    fault_note = f" with faults {', '.join(faults)}" if faults else ""

    def make_client() -> httpx.Client:
        return httpx.Client(transport=SyncASGITransport(app.asgi), base_url=SIMULATOR_BASE_URL)

    header = credential_header(contracts, load_binding(contracts)) if contracts is not None else None
    target = Target(name="simulator", kind="simulator", base_url=SIMULATOR_BASE_URL, tokens=tokens,
                    header_auth=(lambda pid: {header: tokens[pid]}) if header else None,
                    capabilities=frozenset({CLOCK_CONTROL}), make_client=make_client,
                    description=f"embedded reference simulator{fault_note}", rap=InProcessRapChannel(app.rap))
    return target, app
