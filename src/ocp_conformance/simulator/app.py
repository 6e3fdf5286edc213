"""The reference simulator as an ASGI app, built from the contract.

Every operation of the contract becomes one route; the request is authenticated and validated against the
contract before its handler runs, so the handlers only ever see conforming input.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ocp_conformance.contracts import ContractSet, Operation, load_contracts
from ocp_conformance.contracts.validation import OperationValidator, RequestInvalid, validators_for
from ocp_conformance.rap import load_layouts
from ocp_conformance.simulator.ati_handlers import ATI_HANDLERS
from ocp_conformance.simulator.broadcast_handlers import BROADCAST_HANDLERS
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DEFAULT_RULES, DEFAULT_TRADES_PER_DAY, DomainError
from ocp_conformance.simulator.control_handlers import CONTROL_HANDLERS
from ocp_conformance.simulator.di_handlers import DI_HANDLERS
from ocp_conformance.simulator.enquiry_handlers import ENQUIRY_HANDLERS
from ocp_conformance.simulator.faults import Fault, RouteHandler, resolve_faults
from ocp_conformance.simulator.gcp_handlers import GCP_HANDLERS
from ocp_conformance.simulator.guard import BodyLimits, RequestGuard
from ocp_conformance.simulator.isi_handlers import ISI_HANDLERS
from ocp_conformance.simulator.persistence.hooks import durable, journal_upload, journaled
from ocp_conformance.simulator.problems import FieldError, Problem, problem_response
from ocp_conformance.simulator.rap.defects import ProcessingDefects
from ocp_conformance.simulator.rap.http_upload import upload_route
from ocp_conformance.simulator.rap.processing import RapProcessor
from ocp_conformance.simulator.refusals import RETRY_AFTER_SECONDS, refusal_problem
from ocp_conformance.simulator.si_handlers import MARKET_WINDOW_FUNCTIONS, SI_HANDLERS
from ocp_conformance.simulator.state import SimulatorState
from ocp_conformance.simulator.sti_handlers import STI_HANDLERS

__all__ = ["HANDLERS", "SimulatorApp", "build_app"]

log = logging.getLogger("ocp_conformance.simulator")

HANDLERS: dict[str, Handler] = {**SI_HANDLERS, **ATI_HANDLERS, **ISI_HANDLERS, **STI_HANDLERS, **DI_HANDLERS,
                                 **ENQUIRY_HANDLERS, **BROADCAST_HANDLERS, **GCP_HANDLERS, **CONTROL_HANDLERS}
_PATH_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
Endpoint = Callable[[Request], Awaitable[Response]]
_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]


@dataclass(slots=True)
class SimulatorApp:
    """The ASGI app plus the handles tests and targets need (state, tokens, applied faults, RAP processing)."""

    asgi: ASGIApp
    """The ASGI app (a Starlette app; wrapped by :class:`~ocp_conformance.simulator.bound_shape.BoundShape`
    when it answers in another contract's shape)."""
    state: SimulatorState
    contracts: ContractSet
    faults: tuple[Fault, ...]
    handlers: dict[str, Handler]
    """Per operationId, the handler each route calls (fault wrappers included): what a replay re-runs."""
    _rap: RapProcessor | None = None

    @property
    def rap(self) -> RapProcessor:
        """Processes RAP uploads against :attr:`state` with the layouts of ``contracts/rap/``, whichever transport
        (SFTP, a local folder, or the in-process channel of the embedded target) delivers them. Built on first
        use: loading the layouts costs more than building the rest of the app."""
        if self._rap is None:
            defects = ProcessingDefects()
            for fault in self.faults:
                if fault.rap is not None:
                    defects = defects.merged(fault.rap)
            state = self.state
            self._rap = RapProcessor(state, load_layouts(self.contracts.root / "rap"), defects=defects,
                                     on_applied=lambda participant, path: journal_upload(state, participant, path))
        return self._rap

    def token_of(self, participant_id: str) -> str:
        return self.state.token_of(participant_id)

    @property
    def participants(self) -> list[str]:
        return sorted(self.state.simulation.reference.participants)


def build_app(contracts: ContractSet | None = None, *, faults: Iterable[str] = (),
              state: SimulatorState | None = None, trades_per_day: int = DEFAULT_TRADES_PER_DAY,
              limits: BodyLimits | None = None) -> SimulatorApp:
    """Build the simulator. ``faults`` names fault profiles to apply (see ``ocp-conformance faults``);
    ``trades_per_day`` sets the size of each GCP's daily trade feed (unless ``state`` is given); ``limits`` caps
    request bodies (default: :class:`BodyLimits`)."""
    contracts = contracts or load_contracts()
    applied = resolve_faults(faults)
    rules = DEFAULT_RULES
    for fault in applied:
        if fault.rules is not None:
            rules = fault.rules(rules)
    patches = tuple(fault.patch for fault in applied if fault.patch is not None)
    state = state or SimulatorState(rules=rules, patches=patches, trades_per_day=trades_per_day)
    endpoints: dict[str, dict[str, Endpoint]] = {}
    handlers: dict[str, Handler] = {}
    for document in contracts.documents:
        validators = validators_for(document)
        is_control = document.name == "simulator-control"
        for op_id, operation in document.operations.items():
            handler = HANDLERS.get(op_id)
            if handler is None:
                handler = _not_implemented(operation)
            for fault in applied:
                wrapper = fault.wrappers.get(op_id)
                if wrapper is not None:
                    handler = _wrap(wrapper, handler)
            handlers[op_id] = handler
            endpoint = _endpoint(operation, validators[op_id], handler, state, applied, authenticate=not is_control)
            endpoints.setdefault(operation.url_template, {})[operation.method.upper()] = endpoint
    for fault in applied:
        for (method, template), extra in fault.routes.items():
            endpoints.setdefault(template, {})[method.upper()] = _extra_endpoint(extra, state)
    routes = [Route(_PATH_PARAM.sub(r"{\1}", template), _by_method(methods), methods=_EVERY_METHOD)
              for template, methods in endpoints.items()]
    asgi = Starlette(routes=routes, exception_handlers={404: _unknown_path},
                     middleware=[Middleware(RequestGuard, limits=limits or BodyLimits())])
    asgi.state.simulator = state
    app = SimulatorApp(asgi=asgi, state=state, contracts=contracts, faults=applied, handlers=handlers)
    asgi.router.routes.append(upload_route(lambda: app.rap, state))  # uploadRapFile, for HTTP-only runners
    return app


def _by_method(methods: dict[str, Endpoint]) -> Endpoint:
    """One route per path, so a wrong method gets 405 with an Allow header naming every method of the path."""
    allowed = ", ".join(sorted(methods))

    async def dispatch(request: Request) -> Response:
        endpoint = methods.get(request.method)
        if endpoint is None:
            problem = Problem(405, "METHOD_NOT_ALLOWED", f"{request.method} is not allowed on {request.url.path}; "
                              f"allowed: {allowed}", headers={"Allow": allowed})
            return problem_response(problem, request.url.path)
        return await endpoint(request)

    return dispatch


async def _unknown_path(request: Request, exc: Exception) -> Response:
    """A path no operation serves (e.g. a discontinued PG function) is a 404 problem like every other error."""
    problem = Problem(404, "NOT_FOUND", f"no OCP operation at {request.url.path}; the contract lists the operations")
    return problem_response(problem, request.url.path)


def _extra_endpoint(extra: RouteHandler, state: SimulatorState) -> Endpoint:
    """A route a fault profile adds beyond the contract (e.g. a discontinued function still offered)."""
    async def endpoint(request: Request) -> Response:
        participant = state.participant_of(request.headers.get("authorization"))
        if participant is None:
            return problem_response(Problem(401, "UNAUTHENTICATED", "send `Authorization: Bearer <token>`",
                                            headers={"WWW-Authenticate": 'Bearer realm="ocp"'}), request.url.path)
        with state.lock:
            reply = extra(state, participant, dict(request.path_params))
        return _response(reply)

    return endpoint


def _wrap(wrapper: object, inner: Handler) -> Handler:
    def handler(call: Call) -> Reply:
        return wrapper(call, inner)  # type: ignore[operator, no-any-return]

    return handler


def _not_implemented(operation: Operation) -> Handler:
    def handler(call: Call) -> Reply:
        raise Problem(501, "NOT_IMPLEMENTED", f"the simulator does not implement {operation} yet")

    return handler


def _endpoint(operation: Operation, validator: OperationValidator, handler: Handler, state: SimulatorState,
              faults: tuple[Fault, ...], *, authenticate: bool) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        instance = request.url.path
        try:
            participant = None
            if authenticate:
                participant = state.participant_of(request.headers.get("authorization"))
                refused = state.refusal_of(request.headers.get("authorization")) if participant is None else None
                if refused is not None:
                    answered = next((f.refusals[operation.operation_id, refused[1]] for f in faults
                                     if (operation.operation_id, refused[1]) in f.refusals), None)
                    raise refusal_problem(*refused, operation, answered)
                if participant is None:
                    raise Problem(401, "UNAUTHENTICATED",
                                  "send `Authorization: Bearer <token>` with a participant's token "
                                  "(`ocp-conformance simulate` prints the demo tokens)",
                                  headers={"WWW-Authenticate": 'Bearer realm="ocp"'})
                clock = state.simulation.clock
                # An SI function's window is its stock's market's (the handler asks again for that market).
                by_market = operation.function in MARKET_WINDOW_FUNCTIONS
                if not (clock.in_any_function_window() if by_market else clock.in_function_window()):
                    raise Problem(503, "SERVICE_WINDOW_CLOSED",
                                  f"{operation.function} is available {clock.describe_windows()} on business days"
                                  f"{clock.describe_market_windows() if by_market else ''}; "
                                  f"the business clock says {clock.now.isoformat()}",
                                  headers={"Retry-After": RETRY_AFTER_SECONDS})
            raw_body = await request.body()
            for fault in faults:
                if fault.raw_body is not None:
                    raw_body = fault.raw_body(operation.operation_id, raw_body)
            valid = validator.validate(dict(request.path_params), dict(request.query_params),
                                       dict(request.headers), raw_body)
            try:
                with state.lock:  # RAP processing changes the same simulation from its own thread
                    response = journaled(request.method, Call(operation.operation_id, participant, valid, state),
                                         handler, render=_response)
            finally:
                await durable(state)  # simulate --state: answer (even a refusal) once the change is committed
        except ClientDisconnect:
            raise  # RequestGuard drops it quietly: nobody is left to answer
        except RequestInvalid as invalid:
            return problem_response(Problem(400, invalid.code, str(invalid), invalid.errors), instance)
        except Problem as problem:
            return problem_response(problem, instance)
        except DomainError as error:
            errors = (FieldError(error.pointer, error.message),) if error.pointer else ()
            return problem_response(Problem(error.status, error.code, error.message, errors), instance)
        except Exception:  # a bug of ours: answer 500 as a problem and log it, never hang or drop the connection
            log.exception("simulator error in %s", operation)
            return problem_response(Problem(500, "INTERNAL_ERROR", f"the simulator failed in {operation}"), instance)
        return response

    return endpoint


def _response(reply: Reply) -> Response:
    """The HTTP response of ``reply``, its body rendered now: a body no encoder can write (e.g. a lone surrogate)
    raises here, inside the handler's call, so the call is not journaled and the client gets a 500 problem."""
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    if isinstance(reply.body, str):  # a text representation (text/event-stream); the handler sets Content-Type
        return Response(reply.body, status_code=reply.status, headers=dict(_str_headers(reply.headers)))
    media_type = "application/problem+json" if reply.status >= 400 else "application/json"
    return JSONResponse(reply.body, status_code=reply.status, headers=dict(_str_headers(reply.headers)),
                        media_type=media_type)


def _str_headers(headers: Mapping[str, str]) -> Iterable[tuple[str, str]]:
    return ((k, str(v)) for k, v in headers.items())
