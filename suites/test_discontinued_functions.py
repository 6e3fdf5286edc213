"""The Participant Gateway functions discontinued with the OCP API are not offered as if they were current.

HKSCC's circular PT/SCS/CCASS/007/2026 drops Enquire DI, Enquire ATI and the report functions (reports move
to RAP). The list, where a target would offer each (``probes``) and the current function of the same group
each probe's failure is blamed on (``successor``) come from the ``discontinued`` section of
contracts/catalogue.yaml, never from this file. Each probe, sent as an authenticated participant, must answer
404 or 405 as an RFC 9457 problem (application/problem+json with a ``code``): a 2xx means the target still
offers a function participants must no longer rely on, so their systems would pass here and break later.
"""

from __future__ import annotations

import re
from typing import Any, Final

import pytest

from ocp_conformance.binding import ABSENT, read_pointer
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.contracts import ContractSet, load_contracts
from ocp_conformance.contracts.catalogue import DiscontinuedFunction
from ocp_conformance.targets import Target

_CONTRACTS: Final = load_contracts()
_API: Final = _CONTRACTS.document("ocp-api")
_SERVER_PATH: Final = next(iter(_API.operations.values())).server_path.rstrip("/")
_REFUSALS: Final = (404, 405)


class DiscontinuedFunctionOffered(AssertionError):
    """A target answers a discontinued Participant Gateway function as if the OCP API still offered it."""

    def __init__(self, function: str, discontinued: str, probe: str, *, received: str, expected: str,
                 curl: str) -> None:
        self.function = function
        super().__init__(
            f"{function}: {probe} offers the discontinued PG function {discontinued!r}\n"
            f"  Received: {received}\n  Expected: {expected}\n  Request: {curl}\n"
            f"  Why: {discontinued} is not part of the OCP API (circular PT/SCS/CCASS/007/2026); a participant "
            "system that still relies on it will break at go-live.\n"
            f'  Reproduce: ocp-conformance run --only "{function}"'
        )


def _params(contracts: ContractSet) -> list[Any]:
    params = []
    for discontinued in contracts.catalogue.discontinued:
        if not discontinued.successor:
            continue  # test_every_discontinued_function_has_a_successor_and_probes reports it
        functions = [discontinued.successor]
        for probe in discontinued.probes:
            params.append(pytest.param(discontinued, probe, id=f"{discontinued.name}: {probe}",
                                       marks=pytest.mark.ocp(functions=functions, check="contract")))
    return params


def _documented(contracts: ContractSet, method: str, path: str) -> str | None:
    """The operationId of the contract that serves ``method path``, if any (path templates matched)."""
    for document in contracts.api_documents:
        for op in document.operations.values():
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path)) + "$"
            if op.method.upper() == method and re.match(pattern, path):
                return op.operation_id
    return None


class CatalogueIncomplete(LookupError):
    """The catalogue's discontinued section cannot say where to probe or whom to blame: a harness error."""


def test_every_discontinued_function_has_a_successor_and_probes() -> None:
    """The catalogue says, for every discontinued function, where to probe and whom to blame."""
    incomplete = [d.name for d in _CONTRACTS.catalogue.discontinued if not d.successor or not d.probes]
    if incomplete:
        raise CatalogueIncomplete(
            f"discontinued functions without successor or probes in contracts/catalogue.yaml: {incomplete}. "
            "Give each the current function of its group (successor) and where a target would offer it (probes).")


@pytest.mark.parametrize(("discontinued", "probe"), _params(_CONTRACTS))
def test_discontinued_function_is_not_offered(discontinued: DiscontinuedFunction, probe: str,
                                              ocp_target: Target, ocp_bound: BoundClient) -> None:
    """A probe of a discontinued function answers 404 or 405 as the bound contract's error, never 2xx."""
    method, path = probe.split(" ")
    function = str(discontinued.successor)
    served_by = _documented(_CONTRACTS, method, path)
    if served_by is not None:
        raise CatalogueIncomplete(
            f"the contract itself offers {probe} as {served_by}, but the catalogue lists it as a probe of the "
            f"discontinued {discontinued.name!r}; change the contract or the probe in contracts/catalogue.yaml")
    http = ocp_target.http()
    headers = ocp_target.auth_headers(ocp_target.acting_pair()[0])
    request = http.build_request(method, _SERVER_PATH + path, headers=headers,
                                 json={} if method in ("POST", "PUT", "PATCH") else None)
    response = http.send(request)
    response.read()
    content_type = response.headers.get("content-type", "")
    shape = ocp_bound.binding.error_shape(function=function)
    try:
        found = read_pointer(response.json(), shape.code) if content_type.startswith(shape.media_type) else None
    except ValueError:
        found = None
    code = None if found is ABSENT else found
    if response.status_code in _REFUSALS and code:
        return
    curl = f"curl -X {method} '{request.url}' -H 'authorization: Bearer $OCP_TOKEN'"
    raise DiscontinuedFunctionOffered(
        function, discontinued.name, probe, curl=curl,
        received=f"HTTP {response.status_code} {content_type} code={code}",
        expected=f"HTTP 404 or 405, {shape.media_type} with a code at {shape.code}",
    )
