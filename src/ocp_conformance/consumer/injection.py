"""Transient failures injected on demand, to see whether the participant's client retries safely.

``--inject KIND[:FUNCTION]``: KIND is ``429`` (RATE_LIMITED with ``Retry-After``), ``503`` (SERVICE_UNAVAILABLE
with ``Retry-After``) or ``drop`` (the request is processed, then the connection is closed without a response).
FUNCTION (a catalogue name or an operationId) limits it to that function; without it, every operation that
takes an ``Idempotency-Key`` (the ones that create an instruction) is eligible. The first attempt of each new
request that conforms to the contract is failed, kinds taking turns in the order given; a retry of a failed
attempt always passes through.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, cast

import httpx

from ocp_conformance.contracts import ContractSet, did_you_mean

__all__ = ["FAILURE_KINDS", "ConnectionDropped", "FailureKind", "InjectionError", "InjectionRule", "Injector"]

FailureKind = Literal["429", "503", "drop"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("429", "503", "drop")


class InjectionError(ValueError):
    """An ``--inject`` value that names no failure kind or no function."""


class ConnectionDropped(httpx.RemoteProtocolError):
    """Raised by the recorder after the request was processed, to close the connection without a response.

    Served over HTTP, the server closes the socket; in process (``httpx.ASGITransport``) the client sees this
    exception, an ``httpx.TransportError`` like the real dropped connection would raise.
    """

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"connection dropped by ocp-conformance record after processing {method} {path} "
                         "(injected failure)")


@dataclass(frozen=True, slots=True)
class InjectionRule:
    """One ``--inject``: a failure kind and the operations it applies to (None: every idempotent one)."""

    kind: FailureKind
    operations: frozenset[str] | None = None
    label: str = ""

    def applies_to(self, operation_id: str, idempotent: bool) -> bool:
        return idempotent if self.operations is None else operation_id in self.operations

    @classmethod
    def parse(cls, spec: str, contracts: ContractSet) -> InjectionRule:
        """``KIND[:FUNCTION]`` as the command line takes it; :class:`InjectionError` says what is accepted."""
        raw_kind, _, name = spec.partition(":")
        if raw_kind.strip().lower() not in FAILURE_KINDS:
            raise InjectionError(f"--inject {spec!r}: {raw_kind.strip()!r} is not a failure kind; expected one of "
                                 f"{', '.join(FAILURE_KINDS)}, optionally followed by :FUNCTION "
                                 "(e.g. --inject 429 or --inject 'drop:Input SI')")
        kind = cast(FailureKind, raw_kind.strip().lower())
        if not name.strip():
            return cls(kind, None, kind)
        name = name.strip()
        operations = contracts.operations
        if name in operations:
            return cls(kind, frozenset({name}), spec)
        names = [e.name for e in contracts.catalogue if e.kind != "rap"]
        if name in names:
            return cls(kind, frozenset(contracts.catalogue.entry(name).operations), spec)
        raise InjectionError(f"--inject {spec!r}: {name!r} is neither a catalogue function nor an operationId."
                             + did_you_mean(name, [*names, *operations])
                             + " Names are exactly as HKEX writes them (see contracts/catalogue.yaml).")


class Injector:
    """Decides, for each new request, whether to fail it and how; kinds take turns in the order given."""

    def __init__(self, rules: Iterable[InjectionRule], retry_after: int = 1) -> None:
        self.rules = tuple(rules)
        self.retry_after = retry_after
        self._turns: Iterator[int] = itertools.cycle(range(len(self.rules))) if self.rules else iter(())

    def failure_for(self, operation_id: str, idempotent: bool) -> FailureKind | None:
        """The failure to inject on a new request of ``operation_id``, or None to let it through."""
        eligible = [i for i, rule in enumerate(self.rules) if rule.applies_to(operation_id, idempotent)]
        if not eligible:
            return None
        for _ in range(len(self.rules)):
            turn = next(self._turns)
            if turn in eligible:
                return self.rules[turn].kind
        return None  # pragma: no cover - the cycle visits every eligible rule within one round
