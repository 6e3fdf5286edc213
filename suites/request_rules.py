"""What the contract forbids in a request body, for the field-rejection suites: an "any JSON value" strategy, and
the question "does the bound contract forbid this body?" (nothing loaded at import: the harness's contracts decide)."""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from hypothesis import strategies as st

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.contracts.bodies import request_body_schema
from ocp_conformance.contracts.validation import OperationValidator, RequestInvalid, validators_for

__all__ = ["ANY_JSON", "request_schema", "require_allowed", "require_documented", "violates"]

ANY_JSON: Final = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**13), max_value=10**13),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=24),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
"""Any JSON value: what a field may be sent as, conforming or not."""


# ---------------------------------------------------------------- by operation, for any bound contract
# (nothing loaded at import: the harness's own contracts folder decides)
_BY_CONTRACTS: dict[int, dict[str, OperationValidator]] = {}


def violates(contracts: ContractSet, operation: Operation, path: dict[str, Any], body: Any) -> bool:
    """True if the bound contract forbids this request to ``operation`` (path parameters and JSON body)."""
    validators = _BY_CONTRACTS.get(id(contracts))
    if validators is None:
        validators = {k: v for d in contracts.documents for k, v in validators_for(d).items()}
        _BY_CONTRACTS[id(contracts)] = validators
    headers = {"content-type": "application/json",  # every required header present, so only the body decides
               **dict.fromkeys(operation.parameter_names("header", required=True), "k" * 16)}
    try:
        validators[operation.operation_id].validate({k: str(v) for k, v in path.items()}, {}, headers,
                                                    json.dumps(body).encode())
    except RequestInvalid:
        return True
    return False


def request_schema(contracts: ContractSet, operation: Operation) -> dict[str, Any]:
    """The resolved JSON Schema of ``operation``'s JSON request body (empty when it takes none)."""
    return request_body_schema(contracts, operation) or {}



def require_documented(bound: BoundClient, function: str, role: str, code: str) -> None:
    """Skip, as not applicable, unless the bound contract documents the model's error ``code`` for ``function``'s
    ``role`` operation (a case provoking it would check a code the contract never promised)."""
    documented = {c for codes in bound.operation(function, role).spec.get("x-ocp-error-codes", {}).values()
                  for c in codes}
    if bound.binding.error_code(code, function=function) not in documented:
        pytest.skip(f"{NOT_APPLICABLE}the bound contract does not document {code} for {function}")


def require_allowed(bound: BoundClient, function: str, role: str, values: dict[str, Any], what: str) -> None:
    """Skip, as not applicable, a business-rule case whose request (``values`` by role) the bound contract's own
    schema already forbids: there it is the invalid-request error, and the rule behind it can never be reached."""
    path, body = bound.request(function, role, values)
    if violates(bound.client.contracts, bound.operation(function, role), path, body):
        pytest.skip(f"{NOT_APPLICABLE}the bound contract's own schema forbids {what} for {function}: the "
                    "invalid-request error, before any business rule")
