"""OcpClient: call an OCP function by its catalogue name; every exchange is checked against the contract."""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

from ocp_conformance.contracts import ContractSet, Operation
from ocp_conformance.contracts.validation import (
    NOT_JSON,
    OperationValidator,
    RequestInvalid,
    ResponseValidator,
    response_validators_for,
    validators_for,
)
from ocp_conformance.reporting.redaction import is_sensitive_header
from ocp_conformance.targets import CLOCK_CONTROL, PARTICIPANT_EXTENSION, Target
from ocp_conformance.targets.transport_failure import describe_transport_failure

__all__ = ["ContractViolation", "Exchange", "OcpClient", "TargetAnswerError", "TargetUnreachable"]


@dataclass(slots=True)
class Exchange:
    """One HTTP request and its response, with what the contract says about them."""

    operation: Operation
    function: str | None
    participant: str | None
    request: httpx.Request
    response: httpx.Response
    elapsed_ms: float
    violations: list[str] = field(default_factory=list)
    checked: bool = True
    """Whether the response was checked against the contract (a load run checks only a sample)."""
    _body: Any = field(default=NOT_JSON, repr=False)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def body(self) -> Any:
        """The JSON body (``None`` if there is none), parsed once (callers read several fields of it) and
        read-guarded: a field, item or index it lacks raises :class:`TargetAnswerError` (a
        ``KeyError``/``IndexError``/``TypeError`` too), the target's failure."""
        if self._body is NOT_JSON:
            try:
                self._body = self.response.json()
            except ValueError:
                self._body = None
        return _guarded(self._body, self, "")

    def expect(self, *statuses: int, blame: str | None = None) -> Any:
        """The body of an answer with one of ``statuses`` (default: any 2xx) that keeps the contract; otherwise
        :class:`TargetAnswerError`, the failure of ``blame`` (default: the function called). Suites read a
        response through this, so a wrong answer fails the target instead of crashing the check."""
        due = self.status in statuses if statuses else self.status // 100 == 2
        if not due:
            wanted = " or ".join(f"HTTP {s}" for s in statuses) if statuses else "a 2xx answer"
            raise TargetAnswerError(self, f"answered HTTP {self.status}", expected=wanted, function=blame)
        if self.violations:
            raise TargetAnswerError(self, f"broke the contract: {self.violations[0]}",
                                    expected="an answer the contract allows", function=blame)
        return self.body

    def curl(self) -> str:
        """A curl line that repeats the request (authorization left as a placeholder, never the token)."""
        parts = [f"curl -X {self.request.method} '{self.request.url}'"]
        for name, value in self.request.headers.items():
            if name.lower() in {"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"}:
                continue
            shown = "Bearer $OCP_TOKEN" if name.lower() == "authorization" else (
                f"${_env_name(name)}" if is_sensitive_header(name) else value)
            parts.append(f"-H '{name}: {shown}'")
        if self.request.content:
            parts.append(f"--data '{self.request.content.decode(errors='replace')}'")
        return " ".join(parts)

    def describe(self) -> str:
        who = f" as {self.participant}" if self.participant else ""
        return f"{self.function or self.operation.operation_id}{who}: {self.request.method} {self.request.url.path}"


class ContractViolation(AssertionError):
    """The target's response breaks the contract."""

    def __init__(self, exchange: Exchange) -> None:
        self.exchange = exchange
        self.function = exchange.function
        lines = "\n".join(f"  - {v}" for v in exchange.violations)
        first = exchange.violations[0] if exchange.violations else ""
        super().__init__(
            f"Contract violation in {exchange.describe()} (status {exchange.status}): {first}\n{lines}\n"
            f"  reproduce: {exchange.curl()}"
        )


class TargetAnswerError(AssertionError, KeyError, IndexError, TypeError):
    """The target's answer is not what a check reads: a status other than the one due (a 404 for the owner's own
    object), or a field, item or index the body lacks. The failure of :attr:`function` (the plugin blames it,
    with the response in the report), never a harness error. It is also a ``KeyError``, ``IndexError`` and
    ``TypeError``, so code that reads optional fields with ``try``/``except`` keeps working."""

    def __init__(self, exchange: Exchange, what: str, *, expected: str, function: str | None = None) -> None:
        super().__init__(what)
        self.exchange = exchange
        self.function = function or exchange.function
        self.what = what
        self.expected = expected

    def __str__(self) -> str:  # built when shown: optional reads catch many of these and never show them
        exchange = self.exchange
        function = self.function or exchange.operation.operation_id
        blamed = "" if function == exchange.function else f"{function}: "
        return "\n".join([
            f"{blamed}{exchange.describe()} {self.what}",
            f"  Received: HTTP {exchange.status} {exchange.response.text[:500]}",
            f"  Expected: {self.expected}",
            f"  Request: {exchange.curl()}",
            f'  Reproduce: ocp-conformance run --only "{function}"'])


class TargetUnreachable(ConnectionError):
    """The target did not answer: connection refused, DNS, TLS, or a timeout."""


Listener = Callable[[Exchange], None]


class OcpClient:
    """Calls operations of a target by catalogue function name, validating both directions.

    Example:
        >>> client = OcpClient(target, contracts)
        >>> exchange = client.call("Input SI", as_participant="B01234", side="DELIVER", ...)
        >>> exchange.status
        201
    """

    def __init__(self, target: Target, contracts: ContractSet, *, strict: bool = True) -> None:
        self.target = target
        self.contracts = contracts
        self.strict = strict
        """Raise :class:`ContractViolation` when a response breaks the contract (else only record it)."""
        self.listeners: list[Listener] = []
        self.sample: Callable[[], bool] | None = None
        """Decides per response whether to check it against the contract (``None``: every response); a load run
        checks a sample, so the harness's own cost stays small beside the target's."""
        self._requests: dict[str, OperationValidator] = {}
        self._responses: dict[str, ResponseValidator] = {}
        for document in contracts.documents:
            self._requests.update(validators_for(document))
            self._responses.update(response_validators_for(document))

    def lenient(self) -> OcpClient:
        """A client on the same target that records contract violations on each Exchange instead of raising
        them (for suites whose checks judge responses themselves); it shares validators and listeners."""
        clone = copy.copy(self)
        clone.strict = False
        return clone

    def business_dates(self) -> tuple[date, date]:
        """The target's business date and the next settlement day: from the simulator clock when the target can
        clock-control; otherwise today in Hong Kong and the next weekday (weekends only: public holidays need
        the exchange's calendar, which the GCP reference data will provide)."""
        control = self.contracts.control_document
        if self.target.can(CLOCK_CONTROL) and control is not None and "simGetClock" in control.operations:
            clock = self.call_operation("simGetClock").body
            return date.fromisoformat(str(clock["businessDate"])), date.fromisoformat(str(clock["nextBusinessDate"]))
        today = _weekday_from(datetime.now(_HKT).date())
        return today, _weekday_from(today + timedelta(days=1))

    def operation_for(self, function: str) -> Operation:
        """The first operation serving ``function`` (raises with suggestions for unknown names)."""
        operations = self.contracts.operations_of(function)
        if not operations:
            raise LookupError(f"{function!r} is in the catalogue but not yet contracted")
        return operations[0]

    def call(self, function: str, *, as_participant: str | None = None, operation: str | None = None,
             validate_request: bool = True, headers: Mapping[str, str] | None = None, **fields: Any) -> Exchange:
        """Call ``function`` (a catalogue name). ``fields`` fill path, query and header parameters by name;
        the rest is the JSON body. A required ``Idempotency-Key`` is generated when not given."""
        op = self.contracts.operation(operation) if operation else self.operation_for(function)
        if op.function != function:
            served_by = ", ".join(self.contracts.catalogue.entry(function).operations)
            raise ValueError(f"operation {op.operation_id} serves {op.function!r}, not {function!r}; "
                             f"{function!r} is served by {served_by}")
        return self.call_operation(op.operation_id, as_participant=as_participant, headers=headers,
                                   validate_request=validate_request, **fields)

    def call_operation(self, operation_id: str, *, as_participant: str | None = None,
                       headers: Mapping[str, str] | None = None, validate_request: bool = True,
                       body: Any = None, **fields: Any) -> Exchange:
        """Call one operation by ``operationId``; see :meth:`call`."""
        op = self.contracts.operation(operation_id)
        path, query, header_values, json_body = _split(op, fields)
        if body is not None:
            json_body = body
        for param in op.spec.get("parameters", []):
            if param.get("in") == "header" and param.get("name") == "Idempotency-Key" \
                    and "Idempotency-Key" not in header_values and not (headers and "Idempotency-Key" in headers):
                header_values["Idempotency-Key"] = uuid.uuid4().hex
        all_headers = {**header_values, **(headers or {})}
        raw = json.dumps(json_body).encode() if json_body is not None else b""
        if validate_request:
            self._requests[operation_id].validate(
                {k: str(v) for k, v in path.items()}, {k: str(v) for k, v in query.items()},
                {**all_headers, "content-type": "application/json"}, raw)
        url = op.url_template.format(**{k: str(v) for k, v in path.items()})
        request_headers = {**self.target.auth_headers(as_participant), **all_headers}
        return self.send(op, as_participant, self.target.http().build_request(
            op.method.upper(), url, params=_query_params(query), headers=request_headers,
            json=json_body if json_body is not None else None, extensions={PARTICIPANT_EXTENSION: as_participant}))

    def send(self, op: Operation, participant: str | None, request: httpx.Request) -> Exchange:
        """Send a prepared request for ``op`` and check its response against the contract."""
        started = time.perf_counter()
        try:
            response = self.target.http().send(request)
            response.read()
        except httpx.TransportError as exc:
            raise TargetUnreachable(
                f"target {describe_transport_failure(exc, _timeout_of(request))}: {request.method} {request.url} "
                f"({type(exc).__name__}). Check the URL, that the server runs, and network/TLS settings."
            ) from exc
        elapsed = (time.perf_counter() - started) * 1000
        exchange = Exchange(operation=op, function=op.function, participant=participant, request=request,
                            response=response, elapsed_ms=elapsed)
        if self.sample is not None and not self.sample():
            exchange.checked = False
        else:
            body: Any = NOT_JSON
            if response.content:
                try:
                    body = response.json()
                except ValueError:
                    body = NOT_JSON
            exchange._body = None if body is NOT_JSON else body
            exchange.violations = self._responses[op.operation_id].violations(
                response.status_code, response.headers.get("content-type"), body)
        for listener in self.listeners:
            listener(exchange)
        if exchange.violations and self.strict:
            raise ContractViolation(exchange)
        return exchange


_HKT = timezone(timedelta(hours=8))


class _Answer(dict[str, Any]):
    """A JSON object of a target's answer: reading a key it lacks raises :class:`TargetAnswerError`."""

    __slots__ = ("_exchange", "_path")
    _exchange: Exchange
    _path: str

    def __getitem__(self, key: str) -> Any:
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            raise TargetAnswerError(self._exchange, f"answered without {self._path}/{key}",
                                    expected=f"a value at {self._path}/{key}") from None

    def __reduce__(self) -> tuple[Any, ...]:  # copies and pickles are plain JSON
        return dict, (dict(self),)


class _AnswerList(list[Any]):
    """A JSON array of a target's answer: an index it lacks (or a key asked of it) raises
    :class:`TargetAnswerError`."""

    __slots__ = ("_exchange", "_path")
    _exchange: Exchange
    _path: str

    def __getitem__(self, index: Any) -> Any:
        try:
            return list.__getitem__(self, index)
        except (IndexError, TypeError):
            raise TargetAnswerError(self._exchange, f"answered {len(self)} item(s) at {self._path or '/'}, "
                                    f"read as [{index!r}]", expected=f"an item {index!r} at {self._path or '/'}"
                                    ) from None

    def __reduce__(self) -> tuple[Any, ...]:
        return list, (list(self),)


def _guarded(value: Any, exchange: Exchange, path: str) -> Any:
    """``value`` (parsed JSON) with every object and array read-guarded."""
    guarded: _Answer | _AnswerList
    if isinstance(value, dict):
        guarded = _Answer((k, _guarded(v, exchange, f"{path}/{k}")) for k, v in value.items())
    elif isinstance(value, list):
        guarded = _AnswerList(_guarded(v, exchange, f"{path}/{i}") for i, v in enumerate(value))
    else:
        return value
    guarded._exchange = exchange
    guarded._path = path
    return guarded


def _timeout_of(request: httpx.Request) -> float | None:
    read = request.extensions.get("timeout", {}).get("read")
    return float(read) if isinstance(read, int | float) else None


def _env_name(header: str) -> str:
    """``X-API-Key`` -> ``OCP_X_API_KEY``: the placeholder a curl line shows instead of a credential."""
    return "OCP_" + "".join(c if c.isalnum() else "_" for c in header.upper())


def _weekday_from(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _split(op: Operation, fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], Any]:
    locations = {p["name"]: p["in"] for p in op.spec.get("parameters", [])}
    path: dict[str, Any] = {}
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    for name, value in fields.items():
        location = locations.get(name)
        if location == "path":
            path[name] = value
        elif location == "query":
            query[name] = value
        elif location == "header":
            headers[name] = str(value)
        else:
            body[name] = value
    has_body = "requestBody" in op.spec
    if body and not has_body:
        raise RequestInvalid(op, [_unknown(name) for name in body])
    return path, query, headers, (body if has_body else None)


def _unknown(name: str) -> Any:
    from ocp_conformance.contracts.validation import FieldError

    return FieldError(f"/{name}", "not a parameter of this operation, and it takes no body")


def _query_params(query: Mapping[str, Any]) -> dict[str, str]:
    return {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in query.items()}
