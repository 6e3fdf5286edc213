"""Validate a request against its operation in the contract before any handler runs."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ocp_conformance.contracts import ApiDocument, Operation
from ocp_conformance.simulator.problems import FieldError, Problem

__all__ = ["OperationValidator", "ValidRequest", "validators_for"]

_INTEGER = re.compile(r"^-?[0-9]+$")


@dataclass(frozen=True, slots=True)
class ValidRequest:
    """The request's inputs, typed as the contract says."""

    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True, slots=True)
class _Parameter:
    name: str
    location: str
    required: bool
    validator: Draft202012Validator


class OperationValidator:
    """Checks path, query and header parameters and the JSON body of one operation."""

    def __init__(self, operation: Operation, registry: Registry[Any], base_uri: str) -> None:
        self.operation = operation
        self._parameters = [
            _Parameter(p["name"], p["in"], bool(p.get("required", p["in"] == "path")),
                       _validator(p.get("schema", {}), registry, base_uri))
            for p in (_deref(p, registry, base_uri) for p in operation.spec.get("parameters", []))
        ]
        body_spec = operation.spec.get("requestBody")
        self._body_required = bool(body_spec and body_spec.get("required"))
        schema = (body_spec or {}).get("content", {}).get("application/json", {}).get("schema")
        self._body = _validator(schema, registry, base_uri) if schema is not None else None

    def validate(self, path: dict[str, str], query: dict[str, str], headers: dict[str, str],
                 raw_body: bytes) -> ValidRequest:
        """The typed request, or a 400 :class:`Problem` listing every offending field."""
        errors: list[FieldError] = []
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
        sources = {"path": path, "query": query, "header": {k.lower(): v for k, v in headers.items()}}
        for param in self._parameters:
            key = param.name.lower() if param.location == "header" else param.name
            raw = sources.get(param.location, {}).get(key)
            pointer = f"/{param.location}/{param.name}"
            if raw is None:
                if param.required:
                    errors.append(FieldError(pointer, f"required {param.location} parameter is missing"))
                continue
            value = _coerce(raw, param.validator.schema)
            errors += [FieldError(pointer, _reason(e)) for e in param.validator.iter_errors(value)]
            values[param.location][param.name] = value
        body = None
        if self._body is not None:
            body, body_errors = self._parse_body(raw_body, headers)
            errors += body_errors
        elif raw_body.strip():
            errors.append(FieldError("", "this operation takes no request body"))
        if errors:
            raise Problem(400, "MALFORMED_JSON" if any(e.code == "MALFORMED_JSON" for e in errors)
                          else "VALIDATION_FAILED",
                          f"{self.operation.operation_id}: the request does not conform to the contract: "
                          + "; ".join(f"{e.pointer or '/'}: {e.reason}" for e in errors[:5]),
                          tuple(errors))
        return ValidRequest(values["path"], values["query"], values["header"], body)

    def _parse_body(self, raw_body: bytes, headers: dict[str, str]) -> tuple[Any, list[FieldError]]:
        assert self._body is not None
        if not raw_body.strip():
            if self._body_required:
                return None, [FieldError("", "a JSON request body is required")]
            return None, []
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if "json" not in content_type:
            return None, [FieldError("/header/content-type",
                                     f"expected application/json, received {content_type or 'no content type'}")]
        try:
            body = json.loads(raw_body)
        except (ValueError, UnicodeDecodeError) as exc:
            return None, [FieldError("", f"not valid JSON: {exc}", "MALFORMED_JSON")]
        errors = sorted(self._body.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
        return body, [field for e in errors for field in _field_errors(e)]


def validators_for(document: ApiDocument) -> dict[str, OperationValidator]:
    """One validator per operation of ``document``, sharing a registry of its bundled components."""
    base_uri = f"urn:ocp-conformance:{document.name}"
    registry: Registry[Any] = Registry().with_resource(
        base_uri, Resource.from_contents(document.bundled, default_specification=DRAFT202012)
    )
    return {op_id: OperationValidator(op, registry, base_uri) for op_id, op in document.operations.items()}


def _absolute(node: Any, base_uri: str) -> Any:
    if isinstance(node, dict):
        return {k: (base_uri + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else
                    _absolute(v, base_uri)) for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(v, base_uri) for v in node]
    return node


def _validator(schema: Any, registry: Registry[Any], base_uri: str) -> Draft202012Validator:
    return Draft202012Validator(_absolute(schema, base_uri), registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _deref(node: dict[str, Any], registry: Registry[Any], base_uri: str) -> dict[str, Any]:
    while "$ref" in node:
        node = registry.resolver(base_uri).lookup(base_uri + node["$ref"]).contents
    return node


def _resolved_type(schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return None
    return schema.get("type")


def _coerce(raw: str, schema: dict[str, Any]) -> Any:
    kind = _resolved_type(schema)
    if kind == "integer" and _INTEGER.match(raw):
        return int(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _field_errors(error: ValidationError) -> list[FieldError]:
    """One error per offending field: a missing or unexpected property is named by its own pointer."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    base = "/" + "/".join(parts) if parts else ""
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = [r for r in error.validator_value if r not in error.instance]
        return [FieldError(f"{base}/{name}", "required property is missing") for name in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        return [FieldError(f"{base}/{name}", "unexpected property: the contract does not define it")
                for name in error.instance if name not in allowed]
    return [FieldError(base, _reason(error))]


def _reason(error: ValidationError) -> str:
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."
