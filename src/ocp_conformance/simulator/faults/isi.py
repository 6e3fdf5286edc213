"""Fault profiles of the Maintain ISI group."""

from __future__ import annotations

from ocp_conformance.simulator.call import Call, Handler, Reply
from ocp_conformance.simulator.ccass import DomainError, InvestorSettlementInstruction, Simulation
from ocp_conformance.simulator.faults.fault import Fault, codes_collapsed_into, found_for_anyone, on_refusal
from ocp_conformance.simulator.isi_handlers import isi_json

__all__ = ["ISI_FAULTS"]


def _settle_without_affirmation(call: Call, inner: Handler) -> Reply:
    """Like a server that treats every ISI as affirmed at input: it settles before the investor affirms."""
    reply = inner(call)
    body = reply.body
    if reply.status == 201 and isinstance(body, dict) and body.get("status") == "UNAFFIRMED":
        isi = call.state.simulation.isi_book.affirm(str(body["investorId"]), str(body["isiId"]))
        reply.body = isi_json(isi)
    return reply


def _accept_unlisted(call: Call, inner: Handler) -> Reply:
    """Like a server that forgot the investor's counterparty list: the owner is listed just for this input."""
    try:
        return inner(call)
    except DomainError as error:
        if error.code != "COUNTERPARTY_NOT_LISTED" or call.participant is None:
            raise
        book = call.state.simulation.isi_book
        investor = str(call.request.body["investorId"])
        book.allow_without_affirmation(investor, call.participant)
        try:
            return inner(call)
        finally:
            book.disallow_without_affirmation(investor, call.participant)


_get_any_participants_isi = found_for_anyone(
    "ISI_NOT_FOUND",
    lambda call, other: isi_json(call.state.simulation.isi_book.get(other, str(call.request.path["isiId"]))))


def _reported_cancelled(call: Call, error: DomainError) -> Reply:
    """Like a server that skips the state check: an affirmed, settled or cancelled ISI 'cancels' too."""
    if call.participant is None:
        raise error
    isi = isi_json(call.state.simulation.isi_book.get(call.participant, str(call.request.path["isiId"])))
    isi["status"] = "CANCELLED"
    return Reply(200, isi)


_cancel_anything = on_refusal("ISI_STATE_CONFLICT", _reported_cancelled)


def _hold_ignored(sim: Simulation) -> None:
    """Like a server that stores Hold before Settlement but never reads it: a held ISI settles when due."""
    book = sim.isi_book
    may_settle = book._may_settle  # the fault breaks the internals on purpose

    def may_settle_held_too(record: InvestorSettlementInstruction) -> bool:
        held, record.hold_before_settlement = record.hold_before_settlement, False
        try:
            return may_settle(record)
        finally:
            record.hold_before_settlement = held

    setattr(book, "_may_settle", may_settle_held_too)  # noqa: B010 - mypy forbids assigning to a method


def _no_release_after_affirmation(call: Call, inner: Handler) -> Reply:
    """Like a server still on the rule before correction 7: nothing of an affirmed ISI changes, its hold neither."""
    if call.participant is not None:
        try:
            isi = call.state.simulation.isi_book.get(call.participant, str(call.request.path["isiId"]))
        except DomainError:
            return inner(call)
        if isi.affirmed_at is not None:
            raise DomainError("ISI_STATE_CONFLICT", f"Received Change ISI for ISI {isi.isi_id}, which is affirmed. "
                              "Expected UNAFFIRMED.", status=409)
    return inner(call)


ISI_FAULTS = [
    Fault("isi-settles-without-affirmation", "Input ISI", "scenario",
          "an ISI input with affirmation settles at once, before the investor affirms it",
          wrappers={"inputIsi": _settle_without_affirmation}),
    Fault("isi-unlisted-counterparty-accepted", "Input ISI", "negative",
          "Input ISI without affirmation is accepted from a broker that is not on the investor's counterparty list",
          wrappers={"inputIsi": _accept_unlisted}),
    Fault("isi-error-codes-collapsed", "Input ISI", "negative",
          "Input and Change ISI answer every business-rule refusal with one code both document, each still naming "
          "its field: a zero amount or an unsupported currency is 422 STOCK_UNKNOWN instead of 422 AMOUNT_INVALID "
          "or CURRENCY_UNSUPPORTED",
          wrappers=dict.fromkeys(("inputIsi", "changeIsi"),
                                 codes_collapsed_into("STOCK_UNKNOWN", statuses=frozenset({422})))),
    Fault("other-participants-isi-visible", "Enquire ISI", "security",
          "Enquire ISI returns an ISI by its id to a participant that is not a party to it",
          wrappers={"getIsi": _get_any_participants_isi}),
    Fault("isi-cancel-anything", "Cancel ISI", "negative",
          "Cancel ISI reports success on an ISI that is already cancelled, affirmed or settled",
          wrappers={"cancelIsi": _cancel_anything}),
    Fault("isi-hold-before-settlement-ignored", "Change ISI", "scenario",
          "an ISI held before settlement settles anyway, on the investor's affirmation or in a batch run, before its "
          "broker releases it with Change ISI",
          patch=_hold_ignored),
    Fault("isi-release-refused-after-affirmation", "Change ISI", "scenario",
          "Change ISI refuses every change of an affirmed ISI with 409 ISI_STATE_CONFLICT, also holding or releasing "
          "it (holdBeforeSettlement), which issue 17 correction 7 allows until it settles",
          wrappers={"changeIsi": _no_release_after_affirmation}),
]
