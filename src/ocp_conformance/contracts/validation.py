"""Validate requests and responses against an operation of the contract (jsonschema, formats checked)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ocp_conformance.contracts.json_text import JsonTextError, is_json_media_type, parse_json_text, unicode_problem
from ocp_conformance.contracts.openapi import ApiDocument, Operation

__all__ = [
    "NOT_JSON",
    "FieldError",
    "OperationValidator",
    "RequestInvalid",
    "ResponseValidator",
    "ValidRequest",
    "response_validators_for",
    "validators_for",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One offending field: a JSON pointer into the request (/field, /query/name, /header/name) and why."""

    pointer: str
    reason: str
    code: str | None = None

    def to_json(self) -> dict[str, str]:
        data = {"pointer": self.pointer, "reason": self.reason}
        if self.code:
            data["code"] = self.code
        return data

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.reason}"


class RequestInvalid(ValueError):
    """The request breaks the contract; ``errors`` names every offending field."""

    def __init__(self, operation: Operation, errors: list[FieldError]) -> None:
        self.operation = operation
        self.errors = tuple(errors)
        codes = {e.code for e in errors}
        self.code = next((code for code in ("UNSUPPORTED_MEDIA_TYPE", "MALFORMED_JSON") if code in codes),
                         "VALIDATION_FAILED")
        super().__init__(f"{operation.operation_id}: the request does not conform to the contract: "
                         + "; ".join(str(e) for e in errors[:5]))

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
    type: str | None


class OperationValidator:
    """Checks path, query and header parameters and the JSON body of one operation."""

    def __init__(self, document: ApiDocument, operation: Operation, registry: Registry[Any], base_uri: str) -> None:
        self.operation = operation
        self._parameters = [
            _Parameter(p["name"], p["in"], bool(p.get("required", p["in"] == "path")),
                       _validator(p.get("schema", {}), registry, base_uri),
                       document.resolve(p.get("schema", {})).get("type"))
            for p in operation.spec.get("parameters", [])  # Operation has them resolved already
        ]
        body_spec = operation.spec.get("requestBody")
        self._body_required = bool(body_spec and body_spec.get("required"))
        content = (body_spec or {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        self._body = _validator(schema, registry, base_uri) if schema is not None else None
        self._other_body = next(iter(content), None) if schema is None else None
        """The media type of a body that is not JSON (a RAP file upload's text/csv): taken as sent, unchecked."""

    def validate(self, path: dict[str, str], query: dict[str, str], headers: dict[str, str],
                 raw_body: bytes) -> ValidRequest:
        """The typed request, or :class:`RequestInvalid` listing every offending field."""
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
            value = _coerce(raw, param.type)
            errors += [FieldError(pointer, _reason(e)) for e in param.validator.iter_errors(value)]
            values[param.location][param.name] = value
        declared = {p.name for p in self._parameters if p.location == "query"}
        errors += [FieldError(f"/query/{name}", "not a query parameter of this operation (declared: "
                              f"{', '.join(sorted(declared)) or 'none'})") for name in query if name not in declared]
        body = None
        if self._body is not None:
            body, body_errors = self._parse_body(raw_body, headers)
            errors += body_errors
        elif self._other_body is not None:
            if self._body_required and not raw_body:
                errors.append(FieldError("", f"required request body ({self._other_body}) is missing"))
        elif raw_body.strip():
            errors.append(FieldError("", "this operation takes no request body"))
        if errors:
            raise RequestInvalid(self.operation, errors)
        return ValidRequest(values["path"], values["query"], values["header"], body)

    def _parse_body(self, raw_body: bytes, headers: dict[str, str]) -> tuple[Any, list[FieldError]]:
        assert self._body is not None
        if not raw_body.strip():
            if self._body_required:
                return None, [FieldError("", "a JSON request body is required")]
            return None, []
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        if not is_json_media_type(content_type):
            return None, [FieldError("/header/content-type", f"received {content_type or 'no content type'}; "
                                     "expected application/json (UTF-8)", "UNSUPPORTED_MEDIA_TYPE")]
        try:
            body = parse_json_text(raw_body)
        except JsonTextError as exc:
            return None, [FieldError(exc.pointer, str(exc), "MALFORMED_JSON")]
        errors = sorted(self._body.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path])
        return body, [field for e in errors for field in _field_errors(e)]


def validators_for(document: ApiDocument) -> dict[str, OperationValidator]:
    """One validator per operation of ``document``, sharing a registry of its bundled components."""
    base_uri, registry = _registry(document)
    return {op_id: OperationValidator(document, op, registry, base_uri)
            for op_id, op in document.operations.items()}


def _absolute(node: Any, base_uri: str) -> Any:
    if isinstance(node, dict):
        return {k: (base_uri + v if k == "$ref" and isinstance(v, str) and v.startswith("#") else
                    _absolute(v, base_uri)) for k, v in node.items()}
    if isinstance(node, list):
        return [_absolute(v, base_uri) for v in node]
    return node


def _validator(schema: Any, registry: Registry[Any], base_uri: str) -> Draft202012Validator:
    validator: Draft202012Validator = _StrictPatterns(_absolute(schema, base_uri), registry=registry,
                                                      format_checker=Draft202012Validator.FORMAT_CHECKER)
    return validator


def _anchored(pattern: str) -> re.Pattern[str]:
    """``pattern`` as JSON Schema (ECMA-262) means it: ``$`` outside a character class matches only at the very
    end. Python's ``$`` also matches before a final newline, so ``^[A-Z0-9]+$`` would accept ``"REF1\\n"``."""
    compiled = _PATTERNS.get(pattern)
    if compiled is not None:
        return compiled
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append(r"\Z")
            continue
        out.append(char)
    compiled = _PATTERNS[pattern] = re.compile("".join(out))
    return compiled


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(validator: Validator, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not _anchored(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


_StrictPatterns: type[Draft202012Validator] = extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern})
"""Draft 2020-12 with ECMA-262 anchoring of ``pattern`` (the client's checks and the simulator's alike)."""


def _coerce(raw: str, kind: str | None) -> Any:
    """A query or header value as the type its schema declares (it arrives as text)."""
    if kind == "integer" and _INTEGER.match(raw):
        try:
            return int(raw)
        except ValueError:  # beyond Python's digit limit: the schema then reports it as not an integer
            return raw
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


def _field_errors(error: ValidationError) -> list[FieldError]:
    """One error per offending field: a missing or unexpected property is named by its own pointer."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path]
    base = "/" + "/".join(parts) if parts else ""
    if error.validator == "required" and isinstance(error.instance, dict):
        required = error.validator_value if isinstance(error.validator_value, list) else []
        missing = [r for r in required if r not in error.instance]
        return [FieldError(f"{base}/{name}", "required property is missing") for name in missing]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        return [FieldError(f"{base}/{name}", "unexpected property: the contract does not define it")
                for name in error.instance if name not in allowed]
    return [FieldError(base, _reason(error))]


def _reason(error: ValidationError) -> str:
    text = error.message
    return text if len(text) <= 200 else text[:197] + "..."


class ResponseValidator:
    """Checks a response against the operation: documented status, content type, body schema."""

    def __init__(self, document: ApiDocument, operation: Operation, registry: Registry[Any], base_uri: str) -> None:
        self.operation = operation
        self._bodies: dict[str, tuple[str, Draft202012Validator]] = {}
        for status, response in operation.spec.get("responses", {}).items():
            response = document.resolve(response)
            for media_type, media in (response.get("content") or {}).items():
                if "schema" in media:
                    self._bodies[str(status)] = (media_type, _validator(media["schema"], registry, base_uri))

    def violations(self, status: int, content_type: str | None, body: Any) -> list[str]:
        """Each way the response breaks the contract, as ``Received: ... / Expected: ...`` text."""
        documented = self.operation.documented_statuses
        key = str(status) if str(status) in documented else f"{str(status)[0]}XX"
        if key not in documented and "default" not in documented:
            return [f"undocumented status. Received: {status}. Expected one of: {', '.join(sorted(documented))}"]
        expected = self._bodies.get(key) or self._bodies.get("default")
        if expected is None:
            return []
        media_type, validator = expected
        problems: list[str] = []
        seen_type = (content_type or "").split(";")[0].strip()
        if seen_type != media_type:
            problems.append(f"wrong content type. Received: {seen_type or 'none'}. Expected: {media_type}")
        if not media_type.endswith("json"):  # e.g. text/event-stream: its events are the suites' to check
            return problems
        if body is NOT_JSON:
            return [*problems, "the body is not JSON"]
        unreadable = unicode_problem(body)
        if unreadable:
            problems.append(f"body{unreadable}")
        for error in sorted(validator.iter_errors(body), key=lambda e: [str(p) for p in e.absolute_path]):
            for field in _field_errors(error):
                problems.append(f"body{field.pointer or '/'}: {field.reason}")
        return problems


NOT_JSON = object()
"""Pass as ``body`` when the response body could not be parsed as JSON."""


def response_validators_for(document: ApiDocument) -> dict[str, ResponseValidator]:
    base_uri, registry = _registry(document)
    return {op_id: ResponseValidator(document, op, registry, base_uri)
            for op_id, op in document.operations.items()}


def _registry(document: ApiDocument) -> tuple[str, Registry[Any]]:
    base_uri = f"urn:ocp-conformance:{document.name}"
    registry: Registry[Any] = Registry().with_resource(
        base_uri, Resource.from_contents(document.bundled, default_specification=DRAFT202012)
    )
    return base_uri, registry
