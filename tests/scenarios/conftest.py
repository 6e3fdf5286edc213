"""Fixtures for the scenario runner's tests: contracts, and a fresh in-process simulator per test."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest

from ocp_conformance.client import OcpClient
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.targets import simulator_target

ClientFactory = Callable[..., OcpClient]


@pytest.fixture(scope="session")
def contracts() -> ContractSet:
    return load_contracts()


@pytest.fixture
def make_client(contracts: ContractSet) -> ClientFactory:
    """A client on a fresh simulator (isolated per call), optionally with fault profiles."""

    def make(faults: Iterable[str] = ()) -> OcpClient:
        target, _ = simulator_target(contracts, faults=tuple(faults))
        return OcpClient(target, contracts)

    return make


@pytest.fixture
def client(make_client: ClientFactory) -> OcpClient:
    return make_client()
