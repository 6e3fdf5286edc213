"""An idempotency key is one instruction: the same key with another body is refused, whatever creates it.

Every create operation of the bound contract that takes an idempotency key (the one header parameter it requires:
credentials are no parameter) answers the first request with the key, and refuses a different body under the same
key with the conflict error IDEMPOTENCY_KEY_REUSED (a target that would create a second instruction, or replay the
first, breaks the rule). The second body under a fresh key must then be accepted, so the refusal was about the key
and a target refusing everything never passes.

The key's header comes from the bound contract (its name is never spelled here); a contract whose create operation
requires no single header has no key to reuse, and the check is not applicable.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from suites.rule_broken import RuleBroken

from ocp_conformance.binding import NOT_APPLICABLE
from ocp_conformance.bound_client import BoundClient, BoundExchange

__all__ = ["KeyReuseAccepted", "check_key_reuse", "key_header"]


class KeyReuseAccepted(RuleBroken):
    """The target took one idempotency key for two different requests (or refused a valid one)."""


def key_header(bound: BoundClient, function: str, role: str) -> str:
    """The header ``function``'s ``role`` operation takes its idempotency key in (skips when it has none)."""
    operation = bound.operation(function, role)
    headers = operation.parameter_names("header", required=True)
    if len(headers) != 1:
        pytest.skip(f"{NOT_APPLICABLE}{operation.operation_id} requires {len(headers)} header parameters in the "
                    "bound contract, not one idempotency key")
    return headers[0]


def _fresh_key() -> str:
    return uuid.uuid4().hex


def _received(answer: BoundExchange) -> str:
    return f"HTTP {answer.status} code={answer.error_code()}"


def check_key_reuse(bound: BoundClient, function: str, role: str, actor: str, first: Mapping[str, Any],
                    second: Mapping[str, Any]) -> list[BoundExchange]:
    """``first`` (values by role) is accepted under a new key; ``second`` (a different request) under the same key
    is the conflict error IDEMPOTENCY_KEY_REUSED; ``second`` under a fresh key is accepted. Returns the two
    accepted answers (the caller removes what they created, if it must)."""
    header, key = key_header(bound, function, role), _fresh_key()
    accepted = bound.call(function, role, as_participant=actor, headers={header: key}, **first)
    if not accepted.ok:
        raise KeyReuseAccepted(function, "a valid request under a new idempotency key", exchange=accepted.exchange,
                               received=_received(accepted), expected="2xx")
    reused = bound.call(function, role, as_participant=actor, headers={header: key}, **second)
    conflict = bound.binding.error_status("conflict", function=function)
    if reused.status != conflict or reused.error_code() != "IDEMPOTENCY_KEY_REUSED":
        raise KeyReuseAccepted(function, "another request under an idempotency key already used",
                               exchange=reused.exchange, received=_received(reused),
                               expected=f"HTTP {conflict} code=IDEMPOTENCY_KEY_REUSED")
    fresh = bound.call(function, role, as_participant=actor, headers={header: _fresh_key()}, **second)
    if not fresh.ok:
        raise KeyReuseAccepted(function, "the same other request under a fresh idempotency key",
                               exchange=fresh.exchange, received=_received(fresh), expected="2xx")
    return [accepted, fresh]
