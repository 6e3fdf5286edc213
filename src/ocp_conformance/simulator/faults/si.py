"""Fault profiles of the Maintain SI group."""

from __future__ import annotations

import json
import weakref
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import (
    DomainError,
    MatchKey,
    SettlementInstruction,
    SiFilter,
    Simulation,
    SiRules,
)
from ocp_conformance.simulator.faults.fault import (
    Fault,
    codes_collapsed_into,
    found_for_anyone,
    on_refusal,
    rule_refused_as_syntax,
)
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.representation import domain_values, si_json

__all__ = ["SI_FAULTS"]


def _drop_reason_code(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    if isinstance(reply.body, dict):
        reply.body.pop("reasonCode", None)
    return reply


def _lenient_quantity(operation_id: str, raw: bytes) -> bytes:
    """Mimics a server that coerces a bad quantity instead of rejecting it."""
    if operation_id != "inputSi":
        return raw
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    if isinstance(body, dict) and "quantity" in body:
        quantity = body["quantity"]
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 999999999999:
            body["quantity"] = 1
            return json.dumps(body).encode()
    return raw


def _amount_to_cents(operation_id: str, raw: bytes) -> bytes:
    """Mimics a server that keeps money in cents: Input SI and Change SI store the amount rounded to 2 decimals
    (``1000.1234`` becomes ``1000.12``), so it echoes another amount and matches SIs that differ by 0.0001."""
    if operation_id not in {"inputSi", "changeSi"}:
        return raw
    try:
        body = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(body, dict) or not isinstance(body.get("amount"), str):
        return raw
    try:
        body["amount"] = str(Decimal(body["amount"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    except InvalidOperation:
        return raw  # not a decimal: the contract's validation rejects it as it would
    return json.dumps(body).encode()


def _list_cancelled_too(call: Call, inner: Handler) -> Reply:
    """Like a listing whose default filter forgot to exclude deleted SIs: they are sorted and paged in."""
    query = dict(call.request.query)
    if query.get("status") is not None:
        return inner(call)
    assert call.participant is not None
    limit, cursor = int(query.pop("limit", 50)), query.pop("cursor", None)
    book = call.state.simulation.si_book
    wanted = SiFilter(**domain_values(query))
    sis = sorted([*book.enquire(call.participant, wanted),
                  *book.enquire(call.participant, replace(wanted, status="CANCELLED"))], key=lambda si: si.si_id)
    items, next_cursor = page(sis, cursor, limit)
    return Reply(200, {"items": [si_json(si) for si in items], "nextCursor": next_cursor})


_get_any_participants_si = found_for_anyone(
    "SI_NOT_FOUND", lambda call, other: si_json(call.state.simulation.si_book.get(other, call.request.path["siId"])))


def _status_202(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    if reply.status == 200:
        reply.status = 202
    return reply


def _server_error(call: Call, inner: Handler) -> Reply:
    raise Problem(500, "INTERNAL_ERROR", "simulated server failure (fault profile server-error-on-revoke)")


def _claim_unmatched(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    if reply.status == 200:
        reply.body["status"] = "UNMATCHED"
    return reply


def _hide_revoked(call: Call, inner: Handler) -> Reply:
    reply = inner(call)
    reply.body["items"] = [si for si in reply.body["items"] if si["status"] != "REVOKED"]
    return reply


def _own_si(call: Call, error: DomainError) -> dict[str, Any]:
    """The caller's SI of the path, as the API shows it."""
    assert call.participant is not None
    return si_json(call.state.simulation.si_book.get(call.participant, call.request.path["siId"]))


# Like a server that skips the state check: a matched, settled or cancelled SI 'cancels' too.
_cancel_anything = on_refusal("SI_STATE_CONFLICT", lambda call, error: Reply(200, {**_own_si(call, error),
                                                                                   "status": "CANCELLED"}))
# Like a server that treats a repeated revocation as done again: the SI as it stands, 200, no refusal.
_repeat_revocation_accepted = on_refusal("REVOCATION_ALREADY_REQUESTED",
                                         lambda call, error: Reply(200, _own_si(call, error)))


def _key_without_quantity(si: SettlementInstruction) -> MatchKey:
    return (si.deliverer, si.receiver, si.stock_code, 0, si.settlement_date, si.payment_type, si.amount, si.currency)


def _match_ignoring_quantity(rules: SiRules) -> SiRules:
    return replace(rules, match_key=_key_without_quantity)


def _settle_on_hold(rules: SiRules) -> SiRules:
    return replace(rules, settleable_statuses=rules.settleable_statuses | {"MATCHED_ON_HOLD"})


def _rdp_in_batch(rules: SiRules) -> SiRules:
    """Mimics a server that treats RDP as batch DVP: no real-time processing, no shares on hold."""
    return replace(rules, rdp_real_time=False)


_BEFORE_WRITE: weakref.WeakKeyDictionary[Simulation, dict[tuple[str, str], dict[str, object]]] = \
    weakref.WeakKeyDictionary()
"""Per simulation (a reset starts afresh): (owner, siId) -> the SI as it was before its last write, until read."""


def _remember_before_write(call: Call, inner: Handler) -> Reply:
    """Like a read replica that lags behind the primary: keep the SI as it was before this write."""
    assert call.participant is not None
    sim, si_id = call.state.simulation, call.request.path["siId"]
    try:
        before = si_json(sim.si_book.get(call.participant, si_id))
    except DomainError:
        return inner(call)
    reply = inner(call)
    if reply.status // 100 == 2:
        _BEFORE_WRITE.setdefault(sim, {})[(call.participant, si_id)] = before
    return reply


def _stale_first_read(call: Call, inner: Handler) -> Reply:
    """The first read of an SI after a write serves the state before it; later reads are current."""
    assert call.participant is not None
    stale = _BEFORE_WRITE.get(call.state.simulation, {}).pop((call.participant, call.request.path["siId"]), None)
    return inner(call) if stale is None else Reply(200, stale)


def _attribute_to_counterparty(call: Call, inner: Handler) -> Reply:
    """Like a server that fills the SI's owner from the wrong party: the created SI is answered as the
    counterparty's (participantId names the counterparty), though the SI is the caller's."""
    reply = inner(call)
    if reply.status == 201 and isinstance(reply.body, dict) and "counterpartyId" in reply.body:
        reply.body["participantId"] = reply.body["counterpartyId"]
    return reply


def _forget_idempotency(call: Call, inner: Handler) -> Reply:
    call.state.idempotency.clear()
    return inner(call)


SI_FAULTS = [
    Fault("drop-required-field", "Enquire SI Unmatched Reason", "contract",
          "the unmatched-reason response lacks the required field reasonCode",
          wrappers={"enquireSiUnmatchedReason": _drop_reason_code}),
    Fault("accept-invalid-quantity", "Input SI", "negative",
          "Input SI accepts a quantity that is not a whole number >= 1 (it silently stores 1)",
          raw_body=_lenient_quantity),
    Fault("cancelled-si-still-listed", "Enquire SI", "scenario",
          "Enquire SI without a status filter still lists cancelled SIs",
          wrappers={"enquireSi": _list_cancelled_too}),
    Fault("other-participants-si-visible", "Enquire SI", "security",
          "Enquire SI returns another participant's SI by its id",
          wrappers={"getSi": _get_any_participants_si}),
    Fault("undocumented-status-on-hold", "Change Hold Matched SI", "contract",
          "Change Hold Matched SI answers 202, a status its contract does not document",
          wrappers={"changeHoldMatchedSi": _status_202}),
    Fault("server-error-on-revoke", "Revoke Matched SI", "contract",
          "Revoke Matched SI always answers 500",
          wrappers={"revokeMatchedSi": _server_error}),
    Fault("repeated-revocation-accepted", "Revoke Matched SI", "negative",
          "Revoke Matched SI answers a side's second revocation request 200 instead of 409 "
          "REVOCATION_ALREADY_REQUESTED",
          wrappers={"revokeMatchedSi": _repeat_revocation_accepted}),
    Fault("change-matched-unmatches", "Change Matched/Settled SI", "scenario",
          "Change Matched/Settled SI reports the SI as UNMATCHED after the change",
          wrappers={"changeMatchedSettledSi": _claim_unmatched}),
    Fault("deleted-si-omits-revoked", "Enquire Deleted SI", "scenario",
          "Enquire Deleted SI leaves out the day's revoked SIs",
          wrappers={"enquireDeletedSi": _hide_revoked}),
    Fault("cancel-matched-si-allowed", "Cancel SI", "scenario",
          "Cancel SI reports success on a matched SI (only unmatched SIs may be cancelled)",
          wrappers={"cancelSi": _cancel_anything}),
    Fault("match-ignores-quantity", "Input SI", "scenario",
          "matching ignores the quantity: a deliver of 1,000 matches a receive of 500",
          rules=_match_ignoring_quantity),
    Fault("hold-ignored-at-settlement", "Change Hold Matched SI", "scenario",
          "a batch settlement run settles a matched SI that one side holds",
          rules=_settle_on_hold),
    Fault("rdp-settled-in-batch", "Input SI", "scenario",
          "RDP SIs settle in the batch runs like DVP ones: a matched RDP pair's shares are never put on hold "
          "(SHARES_ON_HOLD) and it is never settled in real time",
          rules=_rdp_in_batch),
    Fault("si-amount-rounded-to-cents", "Input SI", "scenario",
          "Input SI and Change SI round the amount to 2 decimals (Money allows 4): the SI echoes another amount, "
          "and two SIs 0.0001 apart match",
          raw_body=_amount_to_cents),
    Fault("si-stale-read-after-change", "Enquire SI", "scenario",
          "Enquire SI (by id) serves the SI as it was before the last Change SI, hold or release, or cancel, for "
          "the first read after the write (a lagging read replica); later reads are current",
          wrappers={"changeSi": _remember_before_write, "changeHoldMatchedSi": _remember_before_write,
                    "cancelSi": _remember_before_write, "getSi": _stale_first_read}),
    Fault("si-attributed-to-counterparty", "Input SI", "scenario",
          "Input SI answers the created SI as the counterparty's: participantId names the counterparty, not the "
          "participant who input it",
          wrappers={"inputSi": _attribute_to_counterparty}),
    Fault("idempotency-ignored", "Input SI", "contract",
          "a repeated Input SI with the same Idempotency-Key creates a second SI",
          wrappers={"inputSi": _forget_idempotency}),
    Fault("si-input-error-codes-collapsed", "Input SI", "negative",
          "Input SI answers every business-rule refusal (422) with one catch-all code, its first documented one: an "
          "unknown stock, a counterparty that is the participant itself, a DVP SI without amount are all 422 "
          "SETTLEMENT_DATE_IN_PAST, each still naming its field",
          wrappers={"inputSi": codes_collapsed_into("SETTLEMENT_DATE_IN_PAST", statuses=frozenset({422}))}),
    Fault("si-change-zero-quantity-invalid-request", "Change SI", "negative",
          "Change SI answers a change to 0 shares with 400 VALIDATION_FAILED, as if the quantity were malformed, "
          "instead of the business refusal 422 QUANTITY_INVALID",
          wrappers={"changeSi": rule_refused_as_syntax("QUANTITY_INVALID")}),
]
