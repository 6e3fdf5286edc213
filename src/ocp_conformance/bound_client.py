"""Call a catalogue function by role, in the model's vocabulary, through the bound contract's names.

:class:`BoundClient` is what suites use instead of writing an operationId, a field name or an enum code: the
binding (``binding.yaml`` of the contracts folder) turns ``call("Input SI", "create", stock_code="00005",
payment_type="DVP")`` into the bound contract's request, and :class:`BoundExchange` reads the answer back by role.

Example:
    >>> bound = BoundClient(client, load_binding(contracts))
    >>> answer = bound.call("Input SI", "create", as_participant="B01234", side="DELIVER", stock_code="00005", ...)
    >>> answer.status == bound.binding.error_status("invalid")
    False
    >>> answer.get("status")
    'UNMATCHED'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ocp_conformance.binding import (
    ABSENT,
    Binding,
    BindingMissing,
    bound_item,
    bound_request,
    complete_required,
    read_pointer,
    read_role,
    role_of_pointer,
)
from ocp_conformance.client import Exchange, OcpClient
from ocp_conformance.contracts import Operation

__all__ = ["BoundClient", "BoundExchange", "MissingInAnswer", "seen_code"]


class MissingInAnswer(AssertionError):
    """The target's answer lacks a field the contract and binding say it carries: the function's failure."""

    def __init__(self, exchange: Exchange, role: str, pointer: str) -> None:
        super().__init__(f"{exchange.describe()} answered HTTP {exchange.status} without {pointer} ({role}).\n"
                         f"  Received: {exchange.response.text[:300]}\n  Expected: a value at {pointer}\n"
                         f"  reproduce: {exchange.curl()}")
        self.function = exchange.function


@dataclass(slots=True)
class BoundExchange:
    """One call's exchange, read by role."""

    exchange: Exchange
    function: str
    binding: Binding

    @property
    def status(self) -> int:
        return self.exchange.status

    @property
    def body(self) -> Any:
        return self.exchange.body

    def get(self, role: str, default: Any = ABSENT) -> Any:
        """The value of ``role`` in the answer (enums as the model's values); a missing value is the target's
        failure (:class:`MissingInAnswer`) unless a ``default`` is given."""
        value = read_role(self.binding, self.function, self.exchange.body, role)
        if value is ABSENT:
            if default is not ABSENT:
                return default
            raise MissingInAnswer(self.exchange, role, self.binding.pointer(self.function, role))
        return value

    def error_code(self) -> object:
        """The error code of the answer, as the model names it (``None`` if the body carries none)."""
        shape = self.binding.error_shape(function=self.function)
        code = read_pointer(self.exchange.body, shape.code)
        return None if code is ABSENT else self.binding.model_error_code(code)

    def error_message(self) -> object:
        """The human-readable message of an error answer (``None`` if the body or the binding has none)."""
        shape = self.binding.error_shape(function=self.function)
        message = ABSENT if shape.message is None else read_pointer(self.exchange.body, shape.message)
        return None if message is ABSENT else message

    def error_pointers(self) -> list[str]:
        """The field pointers the error's per-field entries name, as the target wrote them."""
        shape = self.binding.error_shape(function=self.function)
        if shape.field_errors is None or shape.field_pointer is None:
            return []
        entries = read_pointer(self.exchange.body, shape.field_errors)
        if not isinstance(entries, list):
            return []
        found = (read_pointer(entry, shape.field_pointer) for entry in entries)
        return [str(p) for p in found if p is not ABSENT]

    def error_roles(self) -> list[str]:
        """The roles the error's per-field entries name (pointers the binding does not know are left out)."""
        roles = (role_of_pointer(self.binding, self.function, p) for p in self.error_pointers())
        return [r for r in roles if r is not None]

    def items(self, role: str = "items") -> list[Any]:
        """The listed items of a list answer (empty when the answer has none)."""
        found = self.get(role, default=[])
        return found if isinstance(found, list) else []

    def item_value(self, item: Any, role: str) -> Any:
        """A role's value in one listed item (items carry the function's fields); ``None`` when absent."""
        value = read_role(self.binding, self.function, item, role)
        return None if value is ABSENT else value

    def expect(self, *statuses: int, blame: str | None = None) -> Any:
        """The body, once the answer has one of ``statuses`` (default: any 2xx) and keeps the contract; otherwise
        the failure of ``blame`` (default: this function), with the response: see :meth:`Exchange.expect`."""
        return self.exchange.expect(*statuses, blame=blame or self.function)

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return self.status // 100 == 2

    def curl(self) -> str:
        return self.exchange.curl()


class BoundClient:
    """An :class:`~ocp_conformance.client.OcpClient` that speaks roles through a binding."""

    def __init__(self, client: OcpClient, binding: Binding) -> None:
        self.client = client
        self.binding = binding

    def role_for(self, function: str, role: str, values: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        """The role to call for ``values``, and the values left to send: a contract that splits a function by a
        value (``hold``/``release`` for ``hold: true/false``) names the role whose ``constants`` the values match;
        otherwise ``role`` with every value."""
        bound = self.binding.functions.get(function)
        for candidate, implied in (bound.constants.items() if bound is not None else ()):
            if implied and all(values.get(k, object()) == v for k, v in implied.items()):
                return candidate, {k: v for k, v in values.items() if k not in implied}
        return role, dict(values)

    def operation(self, function: str, role: str) -> Operation:
        """The bound contract's operation for ``function`` in ``role``."""
        return self.client.contracts.operation(self.binding.operation(function, role))

    def request(self, function: str, role: str, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(parameters, body) of a request carrying ``values`` (by role) in the bound contract's names; a required
        body field no role fills takes the contract's own example (or default, const, first enum value)."""
        operation = self.operation(function, role)
        bound = bound_request(self.binding, function, operation, values)
        if bound.body or values:
            complete_required(self.client.contracts.document(operation.document), operation, bound.body, function)
        return bound.parameters, bound.body

    def item(self, function: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """One element of a list field (a mass submission's transfers) carrying ``values`` by role, in the bound
        contract's names; pass a list of them as that field's role."""
        return bound_item(self.binding, function, values)

    def call(self, function: str, role: str, *, as_participant: str | None = None,
             headers: Mapping[str, str] | None = None, validate_request: bool = True, body: Any = None,
             parameters: Mapping[str, Any] | None = None, **values: Any) -> BoundExchange:
        """Call ``function``'s ``role`` operation with ``values`` by role; ``body`` (already in the bound
        contract's names) replaces the built body, ``parameters`` add raw parameters."""
        params, built = self.request(function, role, values)
        operation = self.operation(function, role)
        exchange = self.client.call_operation(
            operation.operation_id, as_participant=as_participant, headers=headers,
            validate_request=validate_request, body=body if body is not None else (built or None),
            **{**params, **(parameters or {})})
        return BoundExchange(exchange=exchange, function=function, binding=self.binding)


def seen_code(binding: Binding, exchange: Exchange) -> tuple[str, str, str] | None:
    """The (operationId, status, code) of an error answer, read where the bound contract puts the code; None for a
    success, an answer without a readable code, or a contract without a bound error shape."""
    if exchange.status < 400:
        return None
    try:
        shape = binding.error_shape(function=exchange.operation.function)
        body = exchange.response.json()
    except (BindingMissing, ValueError):
        return None
    code = read_pointer(body, shape.code)
    if code is ABSENT or not isinstance(code, str | int):
        return None
    return exchange.operation.operation_id, str(exchange.status), str(code)
