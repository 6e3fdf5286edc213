"""The simulator in another contract's shape: an ASGI layer that speaks a *bound* contract and translates, role by
role, to the model's contract the handlers speak.

Nothing here knows a field, path, code or scheme: it reads the two bindings. A request to an operation of the
bound contract is first validated against that contract (an invalid one gets the bound contract's "invalid"
error, its fields named with the bound pointers), then every role it carries (path and query parameters, body
fields, values implied by the operation's ``constants``) is read with the bound binding and written with ours;
the bound auth scheme's credential becomes the model's bearer token. The answer travels back the same way: body
fields renamed role by role (list items too), enum codes mapped, errors rebuilt in the bound error shape with the
bound status and code. A path the bound contract does not name (simulator control, RAP uploads) passes through.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from ocp_conformance.binding import (
    ABSENT,
    Binding,
    BindingMissing,
    credential_header,
    load_binding,
    place_pointer,
    read_pointer,
)
from ocp_conformance.contracts import ContractSet, Operation, model_contracts
from ocp_conformance.contracts.bodies import request_body_schema
from ocp_conformance.contracts.validation import OperationValidator, RequestInvalid, validators_for
from ocp_conformance.simulator.app import SimulatorApp, build_app
from ocp_conformance.simulator.guard import BodyLimits, too_large
from ocp_conformance.simulator.problems import Problem

__all__ = ["BoundShape", "build_bound_app"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True, slots=True)
class _Route:
    operation: Operation
    pattern: re.Pattern[str]
    function: str
    role: str


class BoundShape:
    """``app`` (speaking ``ours`` through ``our_binding``) answering in ``bound``'s shape (through ``binding``)."""

    def __init__(self, app: ASGIApp, ours: ContractSet, our_binding: Binding, bound: ContractSet,
                 binding: Binding, limits: BodyLimits | None = None) -> None:
        self.app, self.ours, self.our_binding, self.bound, self.binding = app, ours, our_binding, bound, binding
        self.limits = limits or BodyLimits()
        """The same body caps as the simulator's own guard: this layer reads the body before the simulator does."""
        self.validators: dict[str, OperationValidator] = {}
        self.routes: list[_Route] = []
        for document in bound.api_documents:
            self.validators.update(validators_for(document))
            for operation in document.operations.values():
                roles = binding.roles_of(operation.operation_id)
                if roles:
                    regex = _PARAM.sub(lambda m: f"(?P<{_group(m.group(1))}>[^/]+)", re.escape(
                        operation.url_template).replace(r"\{", "{").replace(r"\}", "}"))
                    self.routes.append(_Route(operation, re.compile(f"^{regex}$"), *roles[0]))
        self.credential_header = credential_header(bound, binding)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self._route(scope["method"], scope["path"])
        if found is None:
            await self.app(scope, receive, send)
            return
        route, path_params = found
        try:
            body = await _read_body(receive, self.limits.max_body_bytes, scope)
        except Problem as problem:  # too large: refused in the bound shape before anything else is read
            await self._send_answer(send, route, problem.status, [],
                                    json.dumps(problem.to_json(scope["path"])).encode())
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            self.validators[route.operation.operation_id].validate(path_params, query, headers, body)
        except RequestInvalid as invalid:
            if invalid.code != "VALIDATION_FAILED" or not self._all_role_fields(route, invalid):
                await self._send_invalid(send, route, invalid)
                return
            # only fields that travel to the simulator by role: the simulator judges them itself (with its fault
            # profiles), and its answer comes back in the bound shape
        try:
            our_scope, our_body = self._request(scope, route, path_params, query, headers, body)
        except BindingMissing as missing:
            await _send_json(send, 501, {"title": "not bound", "detail": str(missing)}, "application/json")
            return
        status, response_headers, response_body = await _call(self.app, our_scope, our_body)
        await self._send_answer(send, route, status, response_headers, response_body)

    # ------------------------------------------------------------------ requests
    def _route(self, method: str, path: str) -> tuple[_Route, dict[str, str]] | None:
        for route in self.routes:
            if route.operation.method.upper() != method:
                continue
            match = route.pattern.match(path)
            if match is not None:
                names = _PARAM.findall(route.operation.url_template)
                return route, {name: match.group(_group(name)) for name in names}
        return None

    def _our_operation(self, route: _Route) -> tuple[Operation, str]:
        ours = self.our_binding.functions.get(route.function)
        if ours is None:
            raise BindingMissing(f'functions."{route.function}"', function=route.function, file=self.our_binding.path)
        role = route.role if route.role in ours.operations else next(iter(ours.operations))
        return self.ours.operation(ours.operations[role]), role

    def _request(self, scope: Scope, route: _Route, path_params: dict[str, str], query: dict[str, str],
                 headers: dict[str, str], body: bytes) -> tuple[Scope, bytes]:
        operation, _ = self._our_operation(route)
        roles = self._roles_in(route, path_params, query, body)
        our_path: dict[str, str] = {}
        our_query: dict[str, str] = {}
        our_body: dict[str, Any] = {}
        declared = {p.get("name"): p.get("in") for p in operation.spec.get("parameters", [])}
        accepted = _body_properties(self.ours, operation)
        for role, value in roles.items():
            spec = self._our_field(route.function, role)
            if spec is None:
                continue
            value = _to_code(value, self.our_binding, spec.enum)
            where = declared.get(spec.parameter) if spec.parameter else None
            if where == "path":
                our_path[str(spec.parameter)] = str(value)
            elif where == "query":
                our_query[str(spec.parameter)] = str(value)
            elif spec.pointer is not None and spec.pointer.lstrip("/").split("/")[0] in accepted:
                place_pointer(our_body, spec.pointer, value)
        raw = _loads(body)
        if isinstance(raw, dict):  # fields that are no role but share the model's name travel as they are
            for key, value in raw.items():
                if key in accepted and key not in our_body and not self._is_bound_pointer(route.function, key):
                    our_body[key] = value
        path = operation.url_template.format(**our_path) if our_path or "{" not in operation.url_template \
            else operation.url_template
        new_headers = [(k, v) for k, v in scope["headers"] if k.decode("latin-1").lower() not in
                       {"content-length", "authorization", (self.credential_header or "").lower()}]
        # only the bound contract's scheme authenticates: a bearer token does not stand in for its API key
        credential = headers.get(self.credential_header.lower()) if self.credential_header else \
            headers.get("authorization", "").removeprefix("Bearer ").strip() or None
        if credential:
            new_headers.append((b"authorization", f"Bearer {credential}".encode("latin-1")))
        payload = json.dumps(our_body).encode() if "requestBody" in operation.spec else b""
        if payload:
            new_headers = [(k, v) for k, v in new_headers if k.lower() != b"content-type"]
            new_headers += [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        our_scope = {**scope, "path": path, "raw_path": path.encode(), "query_string": urlencode(our_query).encode(),
                     "headers": new_headers, "method": operation.method.upper()}
        return our_scope, payload

    def _roles_in(self, route: _Route, path_params: dict[str, str], query: dict[str, str],
                  body: bytes) -> dict[str, Any]:
        bound = self.binding.functions[route.function]
        roles: dict[str, Any] = dict(bound.constants.get(route.role, {}))
        data = _loads(body)
        fields = self.binding.fields_of(route.function) if bound.fields else {}
        for role, spec in fields.items():
            if spec.parameter is not None and spec.parameter in path_params:
                roles[role] = path_params[spec.parameter]
            elif spec.parameter is not None and spec.parameter in query:
                roles[role] = query[spec.parameter]
            elif spec.pointer is not None and data is not None:
                value = read_pointer(data, spec.pointer)
                if value is not ABSENT:
                    roles[role] = _unmap(value, self.binding, spec.enum, route.function)
        return roles

    def _all_role_fields(self, route: _Route, invalid: RequestInvalid) -> bool:
        """True if every offending field is one a role carries to the model's contract (what only the bound
        contract knows, such as a field the model lacks, is judged here)."""
        bound = self.binding.functions[route.function]
        fields = self.binding.fields_of(route.function) if bound.fields else {}
        covered = set()
        for role, spec in fields.items():
            if self._our_field(route.function, role) is None or spec.enum is not None:
                continue  # enum codes are the bound contract's own: judged here, never mapped blindly
            covered.add(spec.pointer)
            covered.update({f"/query/{spec.parameter}", f"/path/{spec.parameter}"} if spec.parameter else set())
        return all(error.pointer in covered for error in invalid.errors)

    def _our_field(self, function: str, role: str) -> Any:
        try:
            return self.our_binding.field(function, role)
        except BindingMissing:
            return None

    def _is_bound_pointer(self, function: str, key: str) -> bool:
        fields = self.binding.fields_of(function) if self.binding.functions[function].fields else {}
        return any(spec.pointer == f"/{key}" for spec in fields.values())

    # ------------------------------------------------------------------ answers
    async def _send_invalid(self, send: Send, route: _Route, invalid: RequestInvalid) -> None:
        shape = self.binding.error_shape(function=route.function)
        body: dict[str, Any] = {}
        place_pointer(body, shape.code, self.binding.error_code(invalid.code, function=route.function)
               if invalid.code in shape.codes else invalid.code)
        if shape.message is not None:
            place_pointer(body, shape.message, str(invalid))
        if shape.field_errors is not None and shape.field_pointer is not None:
            entries = []
            for error in invalid.errors:
                entry: dict[str, Any] = {"reason": error.reason}
                place_pointer(entry, shape.field_pointer, error.pointer)
                entries.append(entry)
            place_pointer(body, shape.field_errors, entries)
        await _send_json(send, self.binding.error_status("invalid", function=route.function), body, shape.media_type)

    async def _send_answer(self, send: Send, route: _Route, status: int, headers: list[tuple[bytes, bytes]],
                           body: bytes) -> None:
        data = _loads(body)
        if status >= 400 and isinstance(data, dict) and self.our_binding.errors is not None:
            await self._send_error(send, route, status, data)
            return
        if data is None:
            await _send_raw(send, status, headers, body)
            return
        await _send_json(send, status, self._rename(route.function, data), "application/json",
                         [(k, v) for k, v in headers if k.lower() not in {b"content-length", b"content-type"}])

    async def _send_error(self, send: Send, route: _Route, status: int, data: dict[str, Any]) -> None:
        ours, shape = self.our_binding.error_shape(), self.binding.error_shape(function=route.function)
        kind = next((k for k, s in ours.statuses.items() if s == status), None)
        bound_status = shape.statuses.get(kind, status) if kind is not None else status
        code = read_pointer(data, ours.code)
        body: dict[str, Any] = {}
        place_pointer(body, shape.code, shape.codes.get(str(self.our_binding.model_error_code(code)), code))
        message = read_pointer(data, ours.message) if ours.message else ABSENT
        if shape.message is not None and message is not ABSENT:
            place_pointer(body, shape.message, message)
        entries = read_pointer(data, ours.field_errors) if ours.field_errors else ABSENT
        if isinstance(entries, list) and shape.field_errors and shape.field_pointer and ours.field_pointer:
            translated = []
            for entry in entries:
                pointer = read_pointer(entry, ours.field_pointer)
                item: dict[str, Any] = {k: v for k, v in entry.items() if f"/{k}" != ours.field_pointer}
                place_pointer(item, shape.field_pointer, self._bound_pointer(route.function, pointer))
                translated.append(item)
            place_pointer(body, shape.field_errors, translated)
        await _send_json(send, bound_status, body, shape.media_type)

    def _bound_pointer(self, function: str, pointer: object) -> object:
        for role, spec in (self.our_binding.fields_of(function).items()
                           if self.our_binding.functions.get(function) and self.our_binding.functions[function].fields
                           else ()):
            if spec.pointer == pointer:
                try:
                    return self.binding.pointer(function, role)
                except BindingMissing:
                    return pointer
        return pointer

    def _rename(self, function: str, data: Any) -> Any:
        """Our answer in the bound names: each role's value moved from our pointer to the bound one."""
        if isinstance(data, list):
            return [self._rename(function, item) for item in data]
        if not isinstance(data, dict) or not self.our_binding.functions.get(function) \
                or not self.our_binding.functions[function].fields:
            return data
        out = dict(data)
        for role, spec in self.our_binding.fields_of(function).items():
            key = (spec.pointer or "").lstrip("/")
            if not key or "/" in key or key not in data:
                continue
            try:
                bound = self.binding.field(function, role)
            except BindingMissing:
                continue
            value = data[key]
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value = [self._rename(function, item) for item in value]
            else:
                value = _to_code(_unmap(value, self.our_binding, spec.enum, function), self.binding, bound.enum)
            del out[key]
            if bound.pointer is not None:
                place_pointer(out, bound.pointer, value)
        return out


def _group(name: str) -> str:
    return "p_" + re.sub(r"\W", "_", name)


def _body_properties(contracts: ContractSet, operation: Operation) -> set[str]:
    return set((request_body_schema(contracts, operation) or {}).get("properties") or {})


def _unmap(value: Any, binding: Binding, enum: str | None, function: str) -> Any:
    if enum is None or value is None or isinstance(value, dict | list):
        return value
    return binding.value(enum, value, function=function)


def _to_code(value: Any, target: Binding, enum: str | None) -> Any:
    """A model value -> ``target``'s code (the value unchanged when the map lacks it)."""
    if enum is None or value is None or isinstance(value, dict | list | bool):
        return value
    codes = target.enums.get(enum, {})
    return codes.get(str(value), value)


def _loads(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


async def _read_body(receive: Receive, limit: int, scope: Scope) -> bytes:
    """The request body, refused (a 413 :class:`Problem`) once it is announced or grows beyond ``limit`` bytes."""
    declared = next((v for k, v in scope.get("headers", []) if k.lower() == b"content-length"), b"")
    if declared.strip().isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit, str(scope.get("path", "")))
    chunks, received = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise too_large(received, limit, str(scope.get("path", "")), streamed=True)
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _call(app: ASGIApp, scope: Scope, body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    sent = False
    status = 500
    headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


async def _send_json(send: Send, status: int, body: Any, media_type: str,
                     headers: list[tuple[bytes, bytes]] | None = None) -> None:
    payload = json.dumps(body).encode()
    await _send_raw(send, status, [*(headers or []), (b"content-type", media_type.encode())], payload)


async def _send_raw(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def build_bound_app(contracts: ContractSet | None = None, **options: Any) -> SimulatorApp:
    """The simulator for ``contracts``: as built by :func:`build_app` when they are the model's own contracts (or
    a subset with the same operationIds); otherwise the model's simulator answering in their shape through both
    bindings (``options`` go to :func:`build_app`)."""
    ours = model_contracts()
    if contracts is None or set(contracts.operations) <= set(ours.operations):
        return build_app(contracts, **options)
    app = build_app(ours, **options)
    return dataclasses.replace(app, asgi=BoundShape(app.asgi, ours, load_binding(ours), contracts,
                                                    load_binding(contracts), options.get("limits")))
