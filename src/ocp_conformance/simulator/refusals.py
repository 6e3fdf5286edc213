"""How the simulator answers a refusing token (simulator control ``simIssueRefusingToken``): the refusals no
request of a participant's own can provoke on demand on a shared target, each answered as the contract documents.

[M] The conditions are the OCP's generic ones (common.yaml's Forbidden, TooManyRequests and ServiceUnavailable
responses); which participant, function and hour meet them on the real platform is HKSCC's business. Here a
token carries the condition, so a suite can provoke each on every operation without throttling, unsubscribing or
closing anything for the other checks running against the same simulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ocp_conformance.contracts import Operation
from ocp_conformance.simulator.problems import Problem

__all__ = ["REFUSALS", "Refusal", "refusal_problem"]

RETRY_AFTER_SECONDS: Final = "60"


@dataclass(frozen=True, slots=True)
class Refusal:
    """How one refusal is answered: its status, code, what the detail says, and whether Retry-After is sent."""

    status: int
    code: str
    detail: str
    retry_after: bool


REFUSALS: Final[dict[str, Refusal]] = {r.code: r for r in (
    Refusal(403, "FUNCTION_NOT_SUBSCRIBED", "{participant} has not subscribed to {function}", retry_after=False),
    Refusal(429, "RATE_LIMITED", "{participant} has reached its rate limit for {function}; retry later",
            retry_after=True),
    Refusal(503, "SERVICE_UNAVAILABLE", "{function} is down for maintenance; retry later", retry_after=True),
    Refusal(503, "SERVICE_WINDOW_CLOSED", "{function} is outside its service window for {participant}",
            retry_after=True),
)}
"""Per code a refusing token may carry: how it is answered."""


def refusal_problem(participant: str, code: str, operation: Operation, answered: Refusal | None = None) -> Problem:
    """The problem answered to ``participant``'s refusing token with ``code`` on ``operation``: as
    :data:`REFUSALS` says, or as ``answered`` says (a fault profile's wrong answer)."""
    refusal = answered or REFUSALS[code]
    detail = refusal.detail.format(participant=participant, function=operation.function or operation.operation_id)
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if refusal.retry_after else {}
    return Problem(refusal.status, refusal.code, detail, headers=headers)
