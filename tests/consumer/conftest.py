"""An in-process recording session: the recorder on a fake clock that the example clients' sleep advances."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from ocp_conformance.consumer import (
    ClientConformance,
    InjectionRule,
    Injector,
    Recorder,
    build_client_conformance,
)
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.simulator.app import build_app
from ocp_conformance.targets.asgi_transport import SyncASGITransport


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Session:
    recorder: Recorder
    http: httpx.Client
    clock: FakeClock
    token: str

    def report(self, min_backoff: float = 0.2) -> ClientConformance:
        now = datetime.now(UTC)
        return build_client_conformance(self.recorder.exchanges, started_at=now, stopped_at=now, stopped_by="test",
                                        harness_errors=self.recorder.harness_errors,
                                        retry_after=self.recorder.injector.retry_after, min_backoff=min_backoff,
                                        injections=tuple(r.label for r in self.recorder.injector.rules))


@pytest.fixture(scope="session")
def contracts() -> ContractSet:
    return load_contracts()


@pytest.fixture
def session(contracts: ContractSet) -> Iterator[Callable[..., Session]]:
    opened: list[httpx.Client] = []

    def start(*injections: str, retry_after: int = 1) -> Session:
        simulator = build_app(contracts)
        clock = FakeClock()
        rules = [InjectionRule.parse(spec, contracts) for spec in injections]
        recorder = Recorder(simulator, Injector(rules, retry_after=retry_after), clock=clock)
        http = httpx.Client(transport=SyncASGITransport(recorder), base_url="http://ocp.test")
        opened.append(http)
        return Session(recorder, http, clock, simulator.token_of("B01234"))

    yield start
    for http in opened:
        http.close()
