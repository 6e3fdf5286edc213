"""Idempotent creation: one instruction per participant, operation and ``Idempotency-Key``.

A repeat with the same key and body replays the first reply (marked ``Idempotent-Replayed: true``); the same key
with another body is 409 IDEMPOTENCY_KEY_REUSED. Keys are scoped per operation, so a client that uses one key
scheme for SIs and DIs never sees an SI's reply for a DI.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from ocp_conformance.simulator.call import Call, Reply
from ocp_conformance.simulator.problems import FieldError, Problem
from ocp_conformance.simulator.state import IdempotencyRecord

__all__ = ["idempotent"]


def idempotent(call: Call, create: Callable[[], Reply], *, what: str) -> Reply:
    """``create()``'s reply, run at most once for this call's participant, operation and key.

    ``what`` names the instruction in the 409 message ("SI", "DI", ...).
    """
    assert call.participant is not None, "authentication runs before handlers"
    key = call.request.headers["Idempotency-Key"]
    scope = (call.participant, call.operation_id, key)
    request_hash = hashlib.sha256(json.dumps(call.request.body, sort_keys=True).encode()).hexdigest()
    previous = call.state.idempotency.get(scope)
    if previous is not None:
        if previous.request_hash != request_hash:
            raise Problem(409, "IDEMPOTENCY_KEY_REUSED",
                          f"Idempotency-Key {key!r} was used for a different request; use a fresh key per new {what}",
                          (FieldError("/header/Idempotency-Key", "already used with another body"),))
        return Reply(previous.status, previous.body, {**previous.headers, "Idempotent-Replayed": "true"})
    reply = create()
    call.state.idempotency[scope] = IdempotencyRecord(request_hash, reply.status, reply.body, reply.headers)
    return reply
