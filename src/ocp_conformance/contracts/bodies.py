"""The JSON Schemas of an operation's request and response bodies, resolved: one place for every layer that reads
them (the bound client, the simulator's shape layer, the binding of workflows, the request-rule suites)."""

from __future__ import annotations

from typing import Any

from ocp_conformance.contracts.contract_set import ContractSet
from ocp_conformance.contracts.openapi import ApiDocument, Operation

__all__ = ["request_body_schema", "request_body_schema_of", "response_body_schema", "success_statuses"]


def request_body_schema(contracts: ContractSet, operation: Operation) -> dict[str, Any] | None:
    """The resolved schema of ``operation``'s request body (its first media type), or ``None`` if it takes none."""
    return request_body_schema_of(contracts.document(operation.document), operation)


def request_body_schema_of(document: ApiDocument, operation: Operation) -> dict[str, Any] | None:
    """:func:`request_body_schema` when the operation's document is already at hand."""
    content = document.resolve(operation.spec.get("requestBody", {})).get("content") or {}
    if not content:
        return None
    schema: dict[str, Any] = document.resolve(next(iter(content.values())).get("schema", {}))
    return schema


def response_body_schema(contracts: ContractSet, operation: Operation, status: int | str) -> dict[str, Any] | None:
    """The resolved schema of ``operation``'s answer with ``status`` (or its ``default``), or ``None``."""
    document = contracts.document(operation.document)
    responses = operation.spec.get("responses") or {}
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    if response is None:
        return None
    content = document.resolve(response).get("content") or {}
    if not content:
        return None
    schema: dict[str, Any] = document.resolve(next(iter(content.values())).get("schema", {}))
    return schema


def success_statuses(operation: Operation) -> list[int]:
    """The 2xx statuses ``operation`` declares, in the contract's order."""
    return [int(code) for code in operation.spec.get("responses") or {} if str(code).isdigit()
            and 200 <= int(code) < 300]
