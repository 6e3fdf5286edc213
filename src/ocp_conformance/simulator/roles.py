"""The simulator's side of the binding: handlers name functions, roles and field roles, never the contract's names.

The simulator implements the model contract (a bound official contract is translated to and from it by
:mod:`~ocp_conformance.simulator.bound_shape`), so the binding read here is the model's own ``binding.yaml``. A handler
table maps ``(catalogue function, role)`` to a handler; :func:`by_operation` turns it into the operationIds the
app routes. Inside a handler, :func:`query` and :func:`path` read a parameter by role and :func:`page_body` writes a
list answer by role, so no handler spells a parameter, field or operationId of the contract.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from ocp_conformance.binding import ABSENT, Binding, load_binding, place_pointer, read_role
from ocp_conformance.contracts import model_contracts, project_resource
from ocp_conformance.simulator.call import Call, Handler

__all__ = ["body_of", "by_operation", "field", "function_of", "header", "location", "model_binding", "page_body",
           "parameter", "path", "query", "read", "set_field"]


@cache
def model_binding() -> Binding:
    """The binding of the model contract the simulator implements (the project's own, whatever OCP_CONTRACTS says)."""
    return load_binding(project_resource("contracts"))


def by_operation(table: Mapping[tuple[str, str], Handler]) -> dict[str, Handler]:
    """``{(function, role): handler}`` as ``{operationId: handler}`` through the model's binding."""
    binding = model_binding()
    return {binding.operation(function, role): handler for (function, role), handler in table.items()}


def function_of(call: Call) -> str:
    """The catalogue function ``call``'s operation serves (the first, for an operation serving several)."""
    roles = model_binding().roles_of(call.operation_id)
    if not roles:
        raise LookupError(f"operation {call.operation_id} is not bound in the model's binding.yaml")
    return roles[0][0]


def query(call: Call, role: str, default: Any = None) -> Any:
    """The query parameter of ``role`` (``default`` when the request has none)."""
    return call.request.query.get(model_binding().parameter(function_of(call), role), default)


def parameter(call: Call, role: str) -> str:
    """The name of ``role``'s path or query parameter, for an answer that names it (an error's text and pointer)."""
    return model_binding().parameter(function_of(call), role)


def header(call: Call, role: str, default: Any = None) -> Any:
    """The request header of ``role`` (``default`` when the request has none)."""
    return call.request.headers.get(model_binding().parameter(function_of(call), role), default)


def path(call: Call, role: str) -> str:
    """The path parameter of ``role``."""
    return str(call.request.path[model_binding().parameter(function_of(call), role)])


def field(call: Call, role: str, default: Any = None) -> Any:
    """The request body's value of ``role`` (``default`` when the body has none)."""
    value = read_role(model_binding(), function_of(call), call.request.body, role)
    return default if value is ABSENT else value


def location(function: str, role: str, **values: str) -> str:
    """The URL of ``function``'s ``role`` operation with its path parameters filled by role (a ``Location``)."""
    binding = model_binding()
    url = model_contracts().operation(binding.operation(function, role)).url_template
    for name, value in values.items():
        url = url.replace("{" + binding.parameter(function, name) + "}", value)
    return url


def set_field(call: Call, body: dict[str, Any], role: str, value: Any) -> None:
    """Write ``value`` at ``role``'s place in an answer ``body``."""
    place_pointer(body, model_binding().pointer(function_of(call), role), value)


def page_body(call: Call, items: list[Any], next_cursor: str | None) -> dict[str, Any]:
    """A list answer: the page's ``items`` and the ``next_cursor`` (``None`` on the last page), by role."""
    body: dict[str, Any] = {}
    set_field(call, body, "items", items)
    set_field(call, body, "next_cursor", next_cursor)
    return body


def body_of(function: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A body (or one listed element) of ``function`` carrying ``values`` by role, each at its pointer, in order."""
    binding = model_binding()
    body: dict[str, Any] = {}
    for role, value in values.items():
        place_pointer(body, binding.pointer(function, role), value)
    return body


def read(function: str, body: Any, role: str, default: Any = None) -> Any:
    """The value of ``role`` in a body (or one listed element) of ``function`` (``default`` when it has none)."""
    value = read_role(model_binding(), function, body, role)
    return default if value is ABSENT else value
