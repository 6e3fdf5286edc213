"""Fault profiles: each makes the simulator break one rule on purpose, so we can prove a suite catches it.

A suite that no fault can fail is not done (DESIGN.md §4). Each profile names the catalogue function it
breaks and the check kind expected to catch it; ``tests/faults/`` runs the harness against every profile and
asserts that the readiness report fails that function.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ocp_conformance.contracts.suggest import did_you_mean
from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError, MatchKey, SettlementInstruction, SiFilter, SiRules
from ocp_conformance.simulator.paging import page
from ocp_conformance.simulator.problems import Problem
from ocp_conformance.simulator.representation import domain_values, si_json

__all__ = ["FAULTS", "Fault", "UnknownFaultError", "resolve_faults"]

Wrapper = Callable[[Call, Handler], Reply]
CheckKind = Literal["contract", "negative", "scenario", "security"]


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
    raw_body: Callable[[str, bytes], bytes] | None = None
    rules: Callable[[SiRules], SiRules] | None = None
    """Changes the domain's modelled rules (matching key, what may settle)."""


class UnknownFaultError(ValueError):
    def __init__(self, name: str) -> None:
        hint = did_you_mean(name, FAULTS, cutoff=0.4)
        super().__init__(f"no fault profile {name!r}.{hint} `ocp-conformance faults` lists them all.")


def resolve_faults(names: Iterable[str]) -> tuple[Fault, ...]:
    """The profiles called ``names``, or :class:`UnknownFaultError` for the first unknown one."""
    resolved = []
    for name in names:
        if name not in FAULTS:
            raise UnknownFaultError(name)
        resolved.append(FAULTS[name])
    return tuple(resolved)


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


def _get_any_participants_si(call: Call, inner: Handler) -> Reply:
    try:
        return inner(call)
    except DomainError as error:
        if error.code != "SI_NOT_FOUND":
            raise
        book = call.state.simulation.si_book
        for other in call.state.simulation.reference.participants:
            try:
                return Reply(200, si_json(book.get(other, call.request.path["siId"])))
            except DomainError:
                continue
        raise


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


def _cancel_anything(call: Call, inner: Handler) -> Reply:
    try:
        return inner(call)
    except DomainError as error:
        if error.code != "SI_STATE_CONFLICT":
            raise
        assert call.participant is not None
        si = si_json(call.state.simulation.si_book.get(call.participant, call.request.path["siId"]))
        si["status"] = "CANCELLED"
        return Reply(200, si)


def _key_without_quantity(si: SettlementInstruction) -> MatchKey:
    return (si.deliverer, si.receiver, si.stock_code, 0, si.settlement_date, si.payment_type, si.amount, si.currency)


def _match_ignoring_quantity(rules: SiRules) -> SiRules:
    return replace(rules, match_key=_key_without_quantity)


def _settle_on_hold(rules: SiRules) -> SiRules:
    return replace(rules, settleable_statuses=rules.settleable_statuses | {"MATCHED_ON_HOLD"})


def _forget_idempotency(call: Call, inner: Handler) -> Reply:
    call.state.idempotency.clear()
    return inner(call)


_ALL = [
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
    Fault("idempotency-ignored", "Input SI", "contract",
          "a repeated Input SI with the same Idempotency-Key creates a second SI",
          wrappers={"inputSi": _forget_idempotency}),
]

FAULTS: dict[str, Fault] = {fault.name: fault for fault in _ALL}
