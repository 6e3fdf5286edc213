"""Requests and responses by role: place the model's values where the bound contract wants them, read them back.

Example:
    >>> request = bound_request(binding, "Input SI", operation, {"stock_code": "00005", "payment_type": "DVP"})
    >>> request.body            # with our own contract's binding
    {'stockCode': '00005', 'paymentType': 'DVP'}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

from jsonpointer import JsonPointer, JsonPointerException

from ocp_conformance.binding.model import Binding, BindingMissing
from ocp_conformance.contracts import ApiDocument, Operation
from ocp_conformance.contracts.bodies import request_body_schema_of

__all__ = ["ABSENT", "BoundRequest", "bound_item", "bound_request", "complete_required", "place_pointer",
           "read_pointer", "read_role", "role_of_pointer"]


class _Absent:
    def __repr__(self) -> str:
        return "<absent>"


ABSENT: Final = _Absent()
"""What :func:`read_role` returns for a field the body does not have."""


@dataclass(slots=True)
class BoundRequest:
    """A request in the bound contract's names: parameters (path and query, by name) and the JSON body."""

    parameters: dict[str, Any] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


def bound_request(binding: Binding, function: str, operation: Operation, values: Mapping[str, Any]) -> BoundRequest:
    """Place each role's value (the model's vocabulary, enums as model values) in the bound contract's shape.

    A role bound to a ``parameter`` that ``operation`` declares becomes that path or query parameter; otherwise it
    goes into the body at its pointer. Raises :class:`BindingMissing` naming the first role the binding lacks.
    """
    declared = {p.get("name") for p in operation.spec.get("parameters", [])}
    request = BoundRequest()
    for role, value in values.items():
        spec = binding.field(function, role)
        bound_value = _encode(binding, function, spec.enum, value)
        if spec.parameter is not None and (spec.parameter in declared or spec.pointer is None):
            request.parameters[spec.parameter] = bound_value
        else:
            place_pointer(request.body, binding.pointer(function, role), bound_value)
    return request


def bound_item(binding: Binding, function: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """One element of a list field (a mass submission's transfers) in the bound contract's shape: each role's
    value at its pointer relative to the element, enums as the contract's codes."""
    item: dict[str, Any] = {}
    for role, value in values.items():
        enum = binding.field(function, role).enum
        place_pointer(item, binding.pointer(function, role), _encode(binding, function, enum, value))
    return item


def _encode(binding: Binding, function: str, enum: str | None, value: Any) -> Any:
    if enum is None or value is None:
        return value
    if isinstance(value, list | tuple):
        return [binding.code(enum, str(v), function=function) for v in value]
    return binding.code(enum, str(value), function=function)


@lru_cache(maxsize=1024)
def _pointer(pointer: str) -> JsonPointer:
    """A parsed pointer (a binding names few; a load run uses each thousands of times)."""
    return JsonPointer(pointer)


def place_pointer(body: dict[str, Any], pointer: str, value: Any) -> None:
    """Set ``value`` at ``pointer`` in ``body``, making the objects on the way."""
    parts = _pointer(pointer).parts
    node = body
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def read_pointer(document: Any, pointer: str) -> Any:
    """The value at ``pointer`` in ``document``, or :data:`ABSENT`."""
    try:
        return _pointer(pointer).resolve(document, ABSENT)
    except JsonPointerException:
        return ABSENT


def read_role(binding: Binding, function: str, body: Any, role: str) -> Any:
    """The value of ``role`` in a body of ``function``, enums turned back into the model's values; :data:`ABSENT`
    when the body lacks it (the caller decides whether that is the target's failure)."""
    spec = binding.field(function, role)
    value = read_pointer(body, binding.pointer(function, role))
    if value is ABSENT or spec.enum is None or value is None:
        return value
    if isinstance(value, list):
        return [binding.value(spec.enum, v, function=function) for v in value]
    return binding.value(spec.enum, value, function=function)


def role_of_pointer(binding: Binding, function: str, pointer: str) -> str | None:
    """The role whose body pointer or parameter an error's field pointer names (``/stockCode``,
    ``/query/stockCode``), or ``None``."""
    try:
        fields = binding.fields_of(function)
    except BindingMissing:
        return None
    for role, spec in fields.items():
        if spec.pointer == pointer or (spec.parameter is not None and pointer.rsplit("/", 1)[-1] == spec.parameter):
            return role
    return None


def complete_required(document: ApiDocument, operation: Operation, body: dict[str, Any], function: str) -> None:
    """Fill each required top-level body field that no role filled from the contract's schema: a contract may
    require fields the model has no role for (an official contract's extra field), and its example is valid."""
    schema = request_body_schema_of(document, operation)
    if schema is None:
        return
    properties = schema.get("properties") or {}
    for name in schema.get("required", ()):
        if name in body:
            continue
        field_schema = document.resolve(properties.get(name, {}))
        value = _example(field_schema)
        if value is ABSENT:
            raise BindingMissing(f"the required field /{name} of {operation.operation_id}: give it an `example` in "
                                 "the contract (or an overlay), or bind a role to it", function=function)
        body[name] = value


def _example(schema: dict[str, Any]) -> Any:
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    return ABSENT

