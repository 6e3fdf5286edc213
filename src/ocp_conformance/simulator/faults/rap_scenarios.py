"""Fault profiles the RAP scenarios (``scenarios/ca/``, ``scenarios/rap-uploads/``) must catch.

Each breaks the business rule one workflow proves, deep in the simulation (RAP files are applied through the same
domain calls as the API), so the upload is still answered with a well-formed result file: only the workflow's
checks of what the result says, or of what the enquiries show afterwards, can tell.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from ocp_conformance.simulator.ccass import Appointee, Ledger, Simulation, Vote
from ocp_conformance.simulator.ccass.ca_events import EXCESS_OPTIONS
from ocp_conformance.simulator.ccass.ca_instructions import CaInstruction
from ocp_conformance.simulator.faults.fault import Fault

__all__ = ["RAP_SCENARIO_FAULTS"]


def _deadlines_ignored(simulation: Simulation) -> None:
    """Like a processor that takes the deadline a year late: CCASS deadlines (and the issuer's) never pass."""
    book = simulation.corporate_actions
    late = timedelta(days=365)
    for event in book.events():
        book._events[event.announcement_id] = replace(  # a fault reaches inside on purpose
            event, ccass_deadline=event.ccass_deadline + late, issuer_deadline=event.issuer_deadline + late)


def _change_ignored(simulation: Simulation) -> None:
    """Like a processor that answers a re-uploaded reference with the old instruction and changes nothing."""
    book = simulation.corporate_actions

    def change(participant: str, instruction_id: str, **_: Any) -> CaInstruction:
        return book.get(participant, instruction_id)

    book.change = change  # type: ignore[method-assign]


class _OverstatedLedger(Ledger):
    """A ledger whose available balance counts stock the account does not have."""

    __slots__ = ()

    def available(self, participant: str, account: str, stock: str) -> int:
        return super().available(participant, account, stock) + 10**12


def _holding_not_checked(simulation: Simulation) -> None:
    """Like a processor that never compares an election with the holding or the entitlement."""
    simulation.ledger.__class__ = _OverstatedLedger
    book = simulation.corporate_actions

    def no_check(*_: Any, **__: Any) -> None:
        return None

    book._check_quantity = no_check  # type: ignore[method-assign]


def _wrap_instruct(simulation: Simulation, after: Any) -> None:
    book = simulation.corporate_actions
    instruct = book.instruct

    def wrapped(participant: str, account: str, announcement_id: str, stock_code: str, quantity: int,
                **kwargs: Any) -> CaInstruction:
        record: CaInstruction = after(book, instruct, (participant, account, announcement_id, stock_code, quantity),
                                      kwargs)
        return record

    book.instruct = wrapped  # type: ignore[method-assign]


def _excess_dropped(simulation: Simulation) -> None:
    """Like a processor that reports an excess application accepted, then drops it (cancelled at once)."""
    def after(book: Any, instruct: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CaInstruction:
        record: CaInstruction = instruct(*args, **kwargs)
        if kwargs.get("option") in EXCESS_OPTIONS:
            book.cancel(record.participant, record.instruction_id)
        return record

    _wrap_instruct(simulation, after)


def _votes_collapsed(simulation: Simulation) -> None:
    """Like a processor that records every vote as FOR, losing the split per resolution."""
    def after(book: Any, instruct: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CaInstruction:
        votes = kwargs.get("votes")
        if votes:
            kwargs["votes"] = {n: Vote(v.total) for n, v in votes.items()}
        result: CaInstruction = instruct(*args, **kwargs)
        return result

    _wrap_instruct(simulation, after)


def _appointee_replaced(simulation: Simulation) -> None:
    """Like a processor that appoints the participant itself instead of the named corporate representative."""
    def after(book: Any, instruct: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CaInstruction:
        appointee = kwargs.get("appointee")
        if appointee is not None:
            kwargs["appointee"] = Appointee(str(args[0]), appointee.id_document)
        result: CaInstruction = instruct(*args, **kwargs)
        return result

    _wrap_instruct(simulation, after)


def _tender_money_not_debited(simulation: Simulation) -> None:
    """Like a processor that accepts a tender for a new issue but never collects its tender monies."""
    ledger = simulation.ledger

    def after(book: Any, instruct: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CaInstruction:
        record: CaInstruction = instruct(*args, **kwargs)
        if record.event_type == "TENDER" and record.amount is not None and record.currency is not None:
            ledger.post_money(record.participant, record.currency, record.amount, kind="CA_TENDER_REFUND",
                              reference=record.instruction_id, sub_ledger="ENTITLEMENTS")
            stored = book._instructions[record.instruction_id]
            stored.amount = record.amount = None
        return record

    _wrap_instruct(simulation, after)


def _si_reference_dropped(simulation: Simulation) -> None:
    """Like a file loader that does not carry the record's client reference into the SI it creates."""
    book = simulation.si_book
    input_si, input_rows = book.input_si, book.input_rows
    book.input_si = lambda owner, si: input_si(owner, replace(si, own_reference=None))  # type: ignore[method-assign]
    # the bulk path of RAP uploads too (the reference is a row's last value)
    book.input_rows = lambda owner, rows, start=0: input_rows(  # type: ignore[method-assign]
        owner, [(*row[:-1], None) for row in rows[start:]])


def _isi_reference_dropped(simulation: Simulation) -> None:
    """Like a file loader that does not carry the record's client reference into the ISI it creates."""
    book = simulation.isi_book
    input_isi = book.input_isi
    book.input_isi = lambda owner, isi: input_isi(owner, replace(isi, own_reference=None))  # type: ignore[method-assign]


def _ati_accounts_swapped(simulation: Simulation) -> None:
    """Like a file loader that reads the ATI's from and to accounts in the wrong order."""
    transfers = simulation.transfers
    input_ati = transfers.input_ati

    def swapped(owner: str, from_account: str, to_account: str, stock: str, quantity: int, *args: Any,
                **kwargs: Any) -> Any:
        return input_ati(owner, to_account, from_account, stock, quantity, *args, **kwargs)

    transfers.input_ati = swapped  # type: ignore[method-assign]


def _sti_reference_dropped(simulation: Simulation) -> None:
    """Like a file loader that does not carry the record's client reference into the STI it creates."""
    transfers = simulation.transfers
    input_sti = transfers.input_sti

    def dropped(owner: str, from_account: str, to_account: str, stock: str, quantity: int,
                payment_type: str = "FOP", *, amount: Decimal | None = None, currency: str | None = None,
                own_reference: str | None = None) -> Any:
        return input_sti(owner, from_account, to_account, stock, quantity, payment_type, amount=amount,
                         currency=currency, own_reference=None)

    transfers.input_sti = dropped  # type: ignore[method-assign]


RAP_SCENARIO_FAULTS = [
    Fault("rap-election-after-deadline-accepted", "Election", "scenario",
          "elections are accepted after the event's CCASS deadline (only the issuer's deadline, a year on, counts)",
          patch=_deadlines_ignored),
    Fault("rap-election-change-ignored", "Election", "scenario",
          "an election uploaded again under its client reference is reported as applied but changes nothing",
          patch=_change_ignored),
    Fault("rap-election-holding-unchecked", "Election", "scenario",
          "the corporate-action book never compares an election with the holding or the entitlement",
          patch=_holding_not_checked),
    Fault("rap-excess-application-dropped", "Subscription", "scenario",
          "an excess application is reported accepted, then cancelled at once",
          patch=_excess_dropped),
    Fault("rap-split-votes-collapsed", "Voting", "scenario",
          "votes split between for, against and abstain are all recorded as for",
          patch=_votes_collapsed),
    Fault("rap-appointee-replaced", "Corporate Representative/Proxy", "scenario",
          "the named corporate representative or proxy is replaced by the participant itself",
          patch=_appointee_replaced),
    Fault("rap-tender-money-not-debited", "Tender", "scenario",
          "a tender for a new issue is accepted but its tender monies are never debited",
          patch=_tender_money_not_debited),
    Fault("rap-si-reference-dropped", "SI", "scenario",
          "SIs are created without the client reference, so Enquire SI by reference cannot find them",
          patch=_si_reference_dropped),
    Fault("rap-isi-reference-dropped", "ISI", "scenario",
          "ISIs are created without the client reference, so Enquire ISI by reference cannot find them",
          patch=_isi_reference_dropped),
    Fault("rap-ati-accounts-swapped", "ATI", "scenario",
          "ATIs move stock from the to-account into the from-account",
          patch=_ati_accounts_swapped),
    Fault("rap-sti-reference-dropped", "STI", "scenario",
          "STIs are created without the client reference, so Enquire STI by reference cannot find them",
          patch=_sti_reference_dropped),
]
