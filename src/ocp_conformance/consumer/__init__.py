"""Consumer mode (``ocp-conformance record``): check the participant's *client* against the contract.

The simulator is served behind a recorder that validates every request, keeps each exchange (redacted), injects
transient failures on demand, and at the end writes a client-conformance report into the readiness folder.
"""

from __future__ import annotations

from ocp_conformance.consumer.injection import (
    FAILURE_KINDS,
    ConnectionDropped,
    FailureKind,
    InjectionError,
    InjectionRule,
    Injector,
)
from ocp_conformance.consumer.recorder import Exchange, Recorder, Violation
from ocp_conformance.consumer.report import (
    ClientConformance,
    ClientVerdict,
    build_client_conformance,
    render_client_markdown,
    write_client_conformance,
)
from ocp_conformance.consumer.retries import RetryCheck, RetryOutcome, analyse_retries
from ocp_conformance.consumer.routes import OperationRoutes
from ocp_conformance.consumer.serve import DropConnections, listen, record

__all__ = [
    "FAILURE_KINDS",
    "ClientConformance",
    "ClientVerdict",
    "ConnectionDropped",
    "DropConnections",
    "Exchange",
    "FailureKind",
    "InjectionError",
    "InjectionRule",
    "Injector",
    "OperationRoutes",
    "Recorder",
    "RetryCheck",
    "RetryOutcome",
    "Violation",
    "analyse_retries",
    "build_client_conformance",
    "listen",
    "record",
    "render_client_markdown",
    "write_client_conformance",
]
