"""One deliberate defect of the simulator, and how it is applied."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError, Simulation, SiRules
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.rap.defects import ProcessingDefects
from ocp_conformance.simulator.refusals import Refusal
from ocp_conformance.simulator.state import SimulatorState

__all__ = ["CheckKind", "Fault", "RouteHandler", "Wrapper", "codes_collapsed_into", "found_for_anyone", "on_refusal",
           "rule_refused_as_syntax"]

Wrapper = Callable[[Call, Handler], Reply]
RouteHandler = Callable[[SimulatorState, str, dict[str, str]], Reply]
"""Answers a route beyond the contract: (state, authenticated participant, path parameters) -> reply."""
CheckKind = Literal["contract", "negative", "scenario", "security", "file", "load"]
"""``load``: only ``ocp-conformance load`` catches it (its end-of-run invariants), not a conformance run."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One deliberate defect."""

    name: str
    function: str
    """The catalogue function it breaks."""
    check: CheckKind
    """The check kind expected to catch it."""
    breaks: str
    wrappers: Mapping[str, Wrapper] = field(default_factory=dict)
    """Per operationId: wraps the handler (sees the call and the real handler)."""
    raw_body: Callable[[str, bytes], bytes] | None = None
    """Rewrites a request body before validation (operationId, bytes) -> bytes."""
    rules: Callable[[SiRules], SiRules] | None = None
    """Changes the domain's modelled SI rules (matching key, what may settle)."""
    patch: Callable[[Simulation], None] | None = None
    """Breaks a freshly built simulation in place (also after each reset), for rules deeper than a handler."""
    routes: Mapping[tuple[str, str], RouteHandler] = field(default_factory=dict)
    """Per (method, URL template such as ``/ocp/v1/account-transfers``): a route the contract does not have,
    for servers that still offer something the OCP API dropped. Bearer-authenticated, no request validation."""
    rap: ProcessingDefects | None = None
    """Breaks how uploaded RAP files are processed (per file type), e.g. a wrong hash total accepted."""
    refusals: Mapping[tuple[str, str], Refusal] = field(default_factory=dict)
    """Per (operationId, code of a refusing token): how the refusal is answered instead (e.g. a gateway that
    answers its rate limit as 503, or without Retry-After)."""


def _refusals_answered(answer: Callable[[DomainError], tuple[int, str] | None]) -> Wrapper:
    """A wrapper that answers a business rule's refusal with the (status, code) ``answer`` gives it, keeping its
    message and field; a refusal ``answer`` leaves (``None``) goes out as it is."""

    def wrapper(call: Call, inner: Handler) -> Reply:
        try:
            return inner(call)
        except DomainError as error:
            answered = answer(error)
            if answered is None:
                raise
            errors = (FieldError(error.pointer, error.message),) if error.pointer else ()
            raise Problem(*answered, error.message, errors) from None

    return wrapper


def codes_collapsed_into(code: str, *, statuses: frozenset[int] | None = None) -> Wrapper:
    """A wrapper like a server with one catch-all error code: every refusal of a business rule (of ``statuses``, or
    any) keeps its status and field but carries ``code``, whatever the rule."""
    return _refusals_answered(
        lambda error: (error.status, code) if statuses is None or error.status in statuses else None)


def rule_refused_as_syntax(code: str) -> Wrapper:
    """A wrapper like a server whose request schema still refuses what the business rule ``code`` refuses: that
    refusal is the invalid-request error (400 VALIDATION_FAILED, naming the same field) instead of 422 ``code``."""
    return _refusals_answered(lambda error: (400, "VALIDATION_FAILED") if error.code == code else None)


def on_refusal(code: str, answer: Callable[[Call, DomainError], Reply]) -> Wrapper:
    """A wrapper like a server that skips the business rule ``code``: where the real handler refuses with it, the
    reply is ``answer(call, error)`` instead (which may raise ``error`` again where even the broken server refuses).
    Every other refusal goes out as it is."""

    def wrapper(call: Call, inner: Handler) -> Reply:
        try:
            return inner(call)
        except DomainError as error:
            if error.code != code:
                raise
            return answer(call, error)

    return wrapper


def found_for_anyone(code: str, fetch: Callable[[Call, str], Mapping[str, Any]]) -> Wrapper:
    """A wrapper for a get-by-id, like a server that forgets whose instruction it is: where the caller's own lookup
    fails with ``code`` (not found), it answers 200 with the first participant's instruction that ``fetch(call,
    participant)`` finds (a leak across participants); if none has it, the refusal goes out as it is."""

    def answer(call: Call, error: DomainError) -> Reply:
        for other in call.state.simulation.reference.participants:
            try:
                return Reply(200, dict(fetch(call, other)))
            except DomainError:
                continue
        raise error

    return on_refusal(code, answer)
