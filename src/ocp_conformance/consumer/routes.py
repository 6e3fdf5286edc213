"""Which contract operation a participant's request is for, and which discontinued PG function it would call.

Both come from the contracts: the operations' URL templates (matched with Starlette's own path compiler, as the
simulator routes them) and the catalogue's ``discontinued`` entries with their ``probes``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.routing import compile_path

from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.contracts.catalogue import DiscontinuedFunction
from ocp_conformance.contracts.validation import OperationValidator, validators_for

__all__ = ["DiscontinuedProbe", "OperationRoutes", "RouteMatch"]


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """A request matched to its operation, with the path parameters as sent."""

    operation: Operation
    validator: OperationValidator
    path_params: dict[str, str]
    secured: bool
    """The contract requires credentials (the operation's ``security``, else its document's)."""

    @property
    def takes_idempotency_key(self) -> bool:
        """The contract declares an ``Idempotency-Key`` header: the operation creates an instruction."""
        return any(p.get("in") == "header" and str(p.get("name", "")).lower() == "idempotency-key"
                   for p in self.operation.spec.get("parameters", []))


@dataclass(frozen=True, slots=True)
class DiscontinuedProbe:
    """Where a discontinued function would be called: ``method`` and a path pattern from one of its probes.

    A probe segment with a digit in it is an identifier in the catalogue's example (``ATI0000000001``), so any
    value matches there; every other segment must be equal.
    """

    function: DiscontinuedFunction
    method: str
    probe: str
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, function: DiscontinuedFunction, probe: str, server_path: str) -> DiscontinuedProbe:
        method, _, path = probe.partition(" ")
        segments = [r"[^/]+" if any(c.isdigit() for c in part) else re.escape(part)
                    for part in path.strip("/").split("/")]
        pattern = re.compile("^" + re.escape(server_path.rstrip("/")) + "/" + "/".join(segments) + "/?$")
        return cls(function, method.upper(), probe, pattern)


class OperationRoutes:
    """Every participant-facing operation of the contracts (simulator control excluded), by method and path."""

    def __init__(self, contracts: ContractSet) -> None:
        routes: list[tuple[int, str, re.Pattern[str], bool, Operation, OperationValidator]] = []
        # the HTTP binding of RAP uploads too: a participant's system may upload its RAP files that way
        for document in (*contracts.api_documents, *filter(None, [contracts.rap_upload_document])):
            validators = validators_for(document)
            for op_id, operation in document.operations.items():
                regex, _, convertors = compile_path(operation.url_template)
                secured = bool(operation.spec.get("security", document.bundled.get("security")))
                routes.append((len(convertors), operation.method.upper(), regex, secured, operation,
                               validators[op_id]))
        # literal paths before templated ones, so /settlement-instructions/search never reads as an siId
        routes.sort(key=lambda route: route[0])
        self._routes = routes
        self.probes = tuple(
            DiscontinuedProbe.of(function, probe, server_path)
            for function in contracts.catalogue.discontinued
            for server_path in _server_paths(contracts, function)
            for probe in function.probes
        )

    def match(self, method: str, path: str) -> RouteMatch | None:
        """The operation serving ``method path``, or None (unknown path, or a method the path does not offer)."""
        for _, route_method, regex, secured, operation, validator in self._routes:
            found = regex.match(path)
            if found and route_method == method.upper():
                return RouteMatch(operation, validator, found.groupdict(), secured)
        return None

    def methods_of(self, path: str) -> list[str]:
        """The methods the contract offers on ``path`` (empty: no operation has this path)."""
        return sorted({route_method for _, route_method, regex, _, _, _ in self._routes if regex.match(path)})

    def discontinued(self, method: str, path: str) -> DiscontinuedProbe | None:
        """The discontinued PG function that ``method path`` would call, if any."""
        for probe in self.probes:
            if probe.method == method.upper() and probe.pattern.match(path):
                return probe
        return None


def _server_paths(contracts: ContractSet, function: DiscontinuedFunction) -> list[str]:
    """The server path(s) a discontinued function's probes are under: its successor's, else every API's."""
    if function.successor is not None:
        try:
            operations = contracts.operations_of(function.successor)
        except LookupError:
            operations = ()
        if operations:
            return [operations[0].server_path]
    return sorted({d.operations[next(iter(d.operations))].server_path for d in contracts.api_documents
                   if d.operations})
