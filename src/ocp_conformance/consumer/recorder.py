"""The recording layer in front of the simulator: validate, keep (redacted), and on demand fail each request.

A plain ASGI app wrapping the simulator's. Every request to the participant-facing API is matched to its
contract operation and validated against it (the same validators the simulator uses, so no field is listed
twice), then either failed on purpose (see :mod:`.injection`) or handed to the simulator; the exchange is kept
with its credentials redacted. Simulator control (``/_sim``) passes through unrecorded: it is the tester's, not
the participant's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse

from ocp_conformance.binding import Binding, credential_header, load_binding, place_pointer
from ocp_conformance.consumer.injection import ConnectionDropped, FailureKind, Injector
from ocp_conformance.consumer.routes import OperationRoutes, RouteMatch
from ocp_conformance.contracts import ContractSet
from ocp_conformance.contracts.validation import FieldError, RequestInvalid
from ocp_conformance.reporting import REDACTED, Redactor, is_sensitive_header
from ocp_conformance.simulator.app import SimulatorApp
from ocp_conformance.simulator.problems import Problem, problem_response

__all__ = ["CONTROL_PREFIX", "Exchange", "Recorder", "Violation"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

log = logging.getLogger("ocp_conformance.consumer")

CONTROL_PREFIX = "/_sim"
_MAX_KEPT_BODY = 16_384
_INJECTED_PROBLEMS: dict[str, tuple[int, str, str]] = {
    "429": (429, "RATE_LIMITED", "rate limit exceeded (injected by ocp-conformance record to test your retries)"),
    "503": (503, "SERVICE_UNAVAILABLE", "service unavailable (injected by ocp-conformance record to test your "
                                        "retries)"),
}


@dataclass(frozen=True, slots=True)
class Violation:
    """One way a request breaks the contract: where (JSON pointer), why (expected), and what was sent."""

    pointer: str
    reason: str
    seen: Any = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"pointer": self.pointer or "/", "reason": self.reason}
        if self.seen is not None:
            data["seen"] = self.seen
        return data


@dataclass(slots=True)
class Exchange:
    """One request of the participant's client and what it got back (redacted)."""

    index: int
    at: float
    """Seconds since recording started, when the request arrived."""
    method: str
    path: str
    query: str
    operation_id: str | None
    function: str | None
    participant: str | None
    idempotency_key: str | None
    creates: bool
    """The operation takes an Idempotency-Key: it creates an instruction."""
    fingerprint: str
    """SHA-256 of method, path, query and body (JSON canonicalised): a retry sends the same."""
    request_headers: dict[str, str]
    request_body: Any
    violations: tuple[Violation, ...] = ()
    discontinued: str | None = None
    injected: FailureKind | None = None
    retry_of: int | None = None
    status: int | None = None
    """What the client got; None: no response was sent (a dropped connection)."""
    processed_status: int | None = None
    """What the simulator answered (for a dropped connection, the reply the client never saw)."""
    responded_at: float | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: Any = None
    business_time: datetime | None = None
    """The simulator's business clock when the request arrived (rehearsals judge windows and cut-offs by it)."""

    @property
    def replayed(self) -> bool:
        return self.response_headers.get("idempotent-replayed", "").lower() == "true"

    @property
    def created(self) -> bool:
        """The simulator created an instruction for this request (a 2xx creation that is not a replay)."""
        status = self.processed_status
        return self.creates and status is not None and 200 <= status < 300 and not self.replayed

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index, "at": round(self.at, 3), "method": self.method, "path": self.path,
            "query": self.query, "operationId": self.operation_id, "function": self.function,
            "participant": self.participant, "idempotencyKey": self.idempotency_key,
            "violations": [v.to_json() for v in self.violations], "discontinued": self.discontinued,
            "injected": self.injected, "retryOf": self.retry_of,
            "request": {"headers": self.request_headers, "body": self.request_body},
            "response": None if self.status is None else {
                "status": self.status, "at": None if self.responded_at is None else round(self.responded_at, 3),
                "headers": self.response_headers, "body": self.response_body},
            "processedStatus": self.processed_status,
            "businessTime": None if self.business_time is None else self.business_time.isoformat(timespec="seconds"),
        }


class Recorder:
    """ASGI app: the simulator behind a recording, validating and failure-injecting layer.

    Example:
        >>> from ocp_conformance.simulator.app import build_app
        >>> recorder = Recorder(build_app(), Injector([]))
        >>> recorder.exchanges
        []
    """

    def __init__(self, simulator: SimulatorApp, injector: Injector, *, secrets: tuple[str, ...] = (),
                 clock: Callable[[], float] = time.monotonic, contracts: ContractSet | None = None) -> None:
        self.simulator = simulator
        self.injector = injector
        self.contracts = contracts if contracts is not None else simulator.contracts
        """The contract the client must speak: the simulator's own, or a bound one it answers in the shape of."""
        self.binding: Binding = load_binding(self.contracts)
        self.credential_header = credential_header(self.contracts, self.binding)
        """The bound API-key header a participant's credential travels in; ``None``: ``Authorization: Bearer``."""
        self.routes = OperationRoutes(self.contracts)
        tokens = tuple(simulator.token_of(pid) for pid in simulator.participants)
        self.redactor = Redactor((*tokens, *secrets))
        self.exchanges: list[Exchange] = []
        self.harness_errors: list[str] = []
        """Requests served but not recorded because the recorder failed (our bug, never the client's)."""
        self._clock = clock
        self._started = clock()
        self._pending: dict[tuple[str, ...], int] = {}

    def now(self) -> float:
        return self._clock() - self._started

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
            await self.simulator.asgi(scope, receive, send)
            return
        raw_body = await _read_body(receive)
        try:
            exchange = self._exchange(scope, raw_body)
        except Exception as exc:  # a bug of ours must not fail the client's request: serve it, unrecorded
            log.exception("ocp-conformance record could not record %s %s", scope.get("method"), scope.get("path"))
            self.harness_errors.append(f"{scope.get('method')} {scope.get('path')}: {type(exc).__name__}: "
                                       f"{self.redactor.redact_text(str(exc))}")
            await self.simulator.asgi(scope, _replay(raw_body), send)
            return
        self.exchanges.append(exchange)
        if exchange.injected in _INJECTED_PROBLEMS:
            status, code, detail = _INJECTED_PROBLEMS[exchange.injected]
            response = self._injected_response(exchange, status, code, detail)
            await response(scope, _replay(b""), self._capturing(exchange, send, forward=True))
            exchange.processed_status = None  # the simulator never saw it
            return
        forward = exchange.injected != "drop"
        await self.simulator.asgi(scope, _replay(raw_body), self._capturing(exchange, send, forward=forward))
        if not forward:
            exchange.status, exchange.responded_at = None, self.now()
            raise ConnectionDropped(exchange.method, exchange.path)

    def _exchange(self, scope: Scope, raw_body: bytes) -> Exchange:
        arrived = self.now()
        method, path = str(scope["method"]), str(scope["path"])
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        body = _parse(raw_body)
        match = self.routes.match(method, path)
        participant = self._participant(headers)
        if match is not None:
            violations, discontinued = self._check(match, query, headers, raw_body, body, participant), None
        else:
            violations, discontinued = self._unknown(method, path)
        key = headers.get("idempotency-key")
        exchange = Exchange(
            index=len(self.exchanges) + 1, at=arrived, method=method, path=path, query=query,
            operation_id=match.operation.operation_id if match else None,
            function=match.operation.function if match else None, participant=participant, idempotency_key=key,
            creates=match.takes_idempotency_key if match else False,
            fingerprint=_fingerprint(method, path, query, body if body is not _NOT_JSON else raw_body),
            request_headers=self.redactor.redact_headers(headers), request_body=self._kept(body, raw_body),
            violations=tuple(violations), discontinued=discontinued,
            business_time=self.simulator.state.simulation.clock.now)
        self._retry_or_inject(exchange)
        return exchange

    def _check(self, match: RouteMatch, query: str, headers: dict[str, str], raw_body: bytes, body: Any,
               participant: str | None) -> list[Violation]:
        """Every way the request breaks its operation's contract (parameters, body, credentials)."""
        violations = []
        try:
            match.validator.validate(match.path_params, _query(query), headers, raw_body)
        except RequestInvalid as invalid:
            violations = [self._violation(error, body, headers) for error in invalid.errors]
        if match.secured and participant is None:
            header = self.credential_header or "Authorization"
            expected = f"{header}: <participant credential>" if self.credential_header \
                else "Authorization: Bearer <participant token>"
            seen = "none" if header.lower() not in headers else "a scheme or token no participant has"
            violations.insert(0, Violation(f"/header/{header}", "the contract requires credentials: expected "
                                           f"`{expected}`, received {seen}"))
        return violations

    def _participant(self, headers: dict[str, str]) -> str | None:
        """Who sends the request, by the contract's scheme: the API-key header's credential (a bearer token is then
        no credential of that contract), else the bearer token."""
        if self.credential_header is not None:
            credential = headers.get(self.credential_header.lower())
            return self.simulator.state.participant_of(f"Bearer {credential}") if credential else None
        return self.simulator.state.participant_of(headers.get("authorization"))

    def _injected_response(self, exchange: Exchange, status: int, code: str, detail: str) -> Any:
        """The injected failure, in the error shape of the contract the client speaks."""
        headers = {"Retry-After": str(self.injector.retry_after)}
        if self.contracts.root == self.simulator.contracts.root or self.binding.errors is None:
            return problem_response(Problem(status, code, detail, headers=headers), exchange.path)
        shape = self.binding.errors
        body: dict[str, Any] = {}
        place_pointer(body, shape.code, shape.codes.get(code, code))
        if shape.message is not None:
            place_pointer(body, shape.message, detail)
        return JSONResponse(body, status_code=status, headers=headers, media_type=shape.media_type)

    def _unknown(self, method: str, path: str) -> tuple[list[Violation], str | None]:
        """A request no operation serves: a discontinued PG function's, or simply not in the contract."""
        probe = self.routes.discontinued(method, path)
        if probe is not None:
            current = probe.function.successor
            successor = f"; its group's current function: {current}" if current else ""
            return [Violation("", f"{method} {path} calls {probe.function.name}, a Participant Gateway function "
                                  f"discontinued with the PG (circular {probe.function.circular}){successor}")], \
                probe.function.name
        offered = self.routes.methods_of(path)
        return [Violation("", f"no operation of the contract serves {method} {path}; " + (
            f"this path takes {', '.join(offered)}" if offered else "the contract has no such path"))], None

    def _retry_or_inject(self, exchange: Exchange) -> None:
        """Link a retry to the failure it retries; else decide whether to fail this (valid) new request."""
        who = exchange.participant or ""
        retry_keys: list[tuple[str, ...]] = [(who, exchange.fingerprint)]
        if exchange.idempotency_key:
            retry_keys.append((who, exchange.operation_id or exchange.path, exchange.idempotency_key))
        retry_of = next((self._pending.pop(k) for k in retry_keys if k in self._pending), None)
        if retry_of is not None:
            for k in [k for k, v in self._pending.items() if v == retry_of]:
                del self._pending[k]
            exchange.retry_of = retry_of
        elif exchange.operation_id is not None and not exchange.violations:
            exchange.injected = self.injector.failure_for(exchange.operation_id, exchange.creates)
            if exchange.injected is not None:
                for k in retry_keys:
                    self._pending[k] = exchange.index

    def _violation(self, error: FieldError, body: Any, headers: dict[str, str]) -> Violation:
        seen: Any = None
        if error.pointer.startswith("/header/"):
            name = error.pointer.removeprefix("/header/")
            value = headers.get(name.lower())
            seen = None if value is None else (REDACTED if is_sensitive_header(name) else
                                               self.redactor.redact_text(value))
        elif error.pointer and not error.pointer.startswith(("/query/", "/path/")) and body is not _NOT_JSON:
            seen = self._redact_json(_at_pointer(body, error.pointer))
        return Violation(error.pointer, self.redactor.redact_text(error.reason), seen)

    def _capturing(self, exchange: Exchange, send: Send, *, forward: bool) -> Send:
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = exchange.processed_status = int(message["status"])
                exchange.responded_at = self.now()
                headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in message.get("headers", [])}
                exchange.response_headers = self.redactor.redact_headers(headers)
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    raw = b"".join(chunks)
                    exchange.response_body = self._kept(_parse(raw), raw)
            if forward:
                await send(message)

        return capture

    def _kept(self, body: Any, raw: bytes) -> Any:
        """The body as the report keeps it: redacted JSON, or (not JSON, or too big) text cut at 16 KiB."""
        if not raw.strip():
            return None
        if body is _NOT_JSON or len(raw) > _MAX_KEPT_BODY:
            text = raw[:_MAX_KEPT_BODY].decode("utf-8", "replace")
            return self.redactor.redact_text(text) + ("…" if len(raw) > _MAX_KEPT_BODY else "")
        return self._redact_json(body)

    def _redact_json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: REDACTED if is_sensitive_header(str(k)) else self._redact_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redact_json(v) for v in value]
        if isinstance(value, str):
            return self.redactor.redact_text(value)
        return value


_NOT_JSON = object()


def _parse(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON


def _fingerprint(method: str, path: str, query: str, body: Any) -> str:
    digest = hashlib.sha256(f"{method} {path}?{query}\n".encode())
    digest.update(body if isinstance(body, bytes) else json.dumps(body, sort_keys=True).encode())
    return digest.hexdigest()


def _query(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))


def _at_pointer(body: Any, pointer: str) -> Any:
    node = body
    for part in pointer.strip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive
