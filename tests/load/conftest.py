"""Fixtures shared by the load tests: bound clients over the embedded simulator, closed after the test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ocp_conformance.binding import load_binding
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.targets import Target, simulator_target
from tests.load.in_process import MakeBound


@pytest.fixture
def bound_for() -> Iterator[MakeBound]:
    """``bound_for(*faults, contracts=None)``: a bound client over a fresh embedded simulator with those faults."""
    made: list[Target] = []

    def make(*faults: str, contracts: ContractSet | None = None) -> BoundClient:
        contract_set = contracts or load_contracts()
        target, _ = simulator_target(contract_set, faults=faults)
        made.append(target)
        return BoundClient(OcpClient(target, contract_set, strict=False), load_binding(contract_set))

    yield make
    for target in made:
        target.close()
