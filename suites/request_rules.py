"""What the contract forbids in a request body, for the field-rejection suites: an "any JSON value" strategy, and
the question "does the bound contract forbid this body?" (nothing loaded at import: the harness's contracts decide)."""

from __future__ import annotations

import json
from typing import Any, Final

import pytest
from hypothesis import strategies as st

from ocp_conformance.binding import NOT_APPLICABLE, Binding, BindingMissing
from ocp_conformance.bound_client import BoundClient
from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.contracts.bodies import request_body_schema
from ocp_conformance.contracts.validation import OperationValidator, RequestInvalid, validators_for

__all__ = ["ANY_JSON", "documented_statuses", "request_schema", "require_allowed", "require_documented", "violates"]

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



def documented_statuses(binding: Binding, operation: Operation, code: str) -> tuple[int, ...]:
    """The statuses under which ``operation`` documents the bound form of the model's error ``code``
    (``x-ocp-error-codes``); none if the binding has no form of it."""
    try:
        bound_code = binding.error_code(code, function=operation.function)
    except BindingMissing:
        return ()
    return tuple(int(status) for status, codes in (operation.spec.get("x-ocp-error-codes") or {}).items()
                 if bound_code in codes)


def require_documented(bound: BoundClient, function: str, role: str, code: str, *, kind: str | None = None) -> None:
    """Skip, as not applicable, unless the bound contract documents the model's error ``code`` for ``function``'s
    ``role`` operation (at the status the binding gives error ``kind``, if named): a case provoking it would check a
    code the contract never promised."""
    statuses = documented_statuses(bound.binding, bound.operation(function, role), code)
    if kind is not None:
        try:
            wanted = bound.binding.error_status(kind, function=function)
        except BindingMissing as missing:
            pytest.skip(f"{NOT_APPLICABLE}{missing}")
        if wanted not in statuses:
            pytest.skip(f"{NOT_APPLICABLE}the bound contract does not document {wanted} {code} for {function}")
    if not statuses:
        pytest.skip(f"{NOT_APPLICABLE}the bound contract does not document {code} for {function}")


def require_allowed(bound: BoundClient, function: str, role: str, values: dict[str, Any], what: str) -> None:
    """Skip, as not applicable, a business-rule case whose request (``values`` by role) the bound contract's own
    schema already forbids: there it is the invalid-request error, and the rule behind it can never be reached."""
    path, body = bound.request(function, role, values)
    if violates(bound.client.contracts, bound.operation(function, role), path, body):
        pytest.skip(f"{NOT_APPLICABLE}the bound contract's own schema forbids {what} for {function}: the "
                    "invalid-request error, before any business rule")
