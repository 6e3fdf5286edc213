"""Fault profiles of the Maintain STI group."""

from __future__ import annotations

import json

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError
from ocp_conformance.simulator.faults.fault import Fault, found_for_anyone, on_refusal, rule_refused_as_syntax
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.sti_handlers import sti_json

__all__ = ["STI_FAULTS"]


def _key_scoped_by_body(call: Call, inner: Handler) -> Reply:
    """Like a server that keys idempotency by key and body together: the same key with another body is just a new
    request, and a second STI is created instead of 409 IDEMPOTENCY_KEY_REUSED."""
    try:
        return inner(call)
    except Problem as problem:
        if problem.code != "IDEMPOTENCY_KEY_REUSED" or call.participant is None:
            raise
        key = call.request.headers["Idempotency-Key"]
        call.state.idempotency.pop((call.participant, call.operation_id, key), None)  # forget the first request
        return inner(call)


def _settled_reported_revoked(call: Call, error: DomainError) -> Reply:
    """Like a server that checks only that the STI exists: a settled STI is reported REVOKED (stock stays moved)."""
    assert call.participant is not None
    sti = sti_json(call.state.simulation.transfers.get_sti(call.participant, call.request.path["stiId"]))
    if sti["status"] != "SETTLED":
        raise error
    sti["status"] = "REVOKED"
    return Reply(200, sti)


_revoke_settled_too = on_refusal("STI_STATE_CONFLICT", _settled_reported_revoked)
_get_any_participants_sti = found_for_anyone(
    "STI_NOT_FOUND",
    lambda call, other: sti_json(call.state.simulation.transfers.get_sti(other, call.request.path["stiId"])))


def _drop_fop_amount(operation_id: str, raw: bytes) -> bytes:
    """Mimics a server that silently drops a payment amount on a FOP STI instead of rejecting it."""
    if operation_id != "inputSti":
        return raw
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(body, dict) and body.get("paymentType") == "FOP" and ("amount" in body or "currency" in body):
        body.pop("amount", None)
        body.pop("currency", None)
        return json.dumps(body).encode()
    return raw


STI_FAULTS = [
    Fault("sti-revocable-after-settlement", "Revoke STI", "scenario",
          "Revoke STI reports a settled STI as REVOKED (only a PENDING STI may be revoked)",
          wrappers={"revokeSti": _revoke_settled_too}),
    Fault("other-participants-sti-visible", "Enquire STI", "security",
          "Enquire STI returns another participant's STI by its id",
          wrappers={"getSti": _get_any_participants_sti}),
    Fault("sti-idempotency-key-reuse-creates", "Input STI", "negative",
          "Input STI creates a second STI for an Idempotency-Key already used with another body (409 "
          "IDEMPOTENCY_KEY_REUSED expected)",
          wrappers={"inputSti": _key_scoped_by_body}),
    Fault("fop-sti-accepts-amount", "Input STI", "negative",
          "Input STI accepts a FOP STI with an amount (it silently drops the amount)",
          raw_body=_drop_fop_amount),
    Fault("sti-zero-quantity-invalid-request", "Input STI", "negative",
          "Input STI answers an STI of 0 shares with 400 VALIDATION_FAILED, as if the quantity were malformed, "
          "instead of the business refusal 422 QUANTITY_INVALID",
          wrappers={"inputSti": rule_refused_as_syntax("QUANTITY_INVALID")}),
]
