"""Fault profiles of the Maintain ATI group (Input ATI and Mass ATI/STI)."""

from __future__ import annotations

from ocp_conformance.simulator.ati_handlers import ati_json, mass_json
from ocp_conformance.simulator.call import Call, Reply
from ocp_conformance.simulator.ccass import AccountTransfer, DomainError, MassSubmission, Simulation
from ocp_conformance.simulator.faults.fault import Fault, Wrapper, found_for_anyone, on_refusal

__all__ = ["ATI_FAULTS"]


def _apply_accepted_ati_items_twice(simulation: Simulation) -> None:
    """Like a batch job that posts every accepted ATI item a second time (e.g. a retry without a done-mark)."""
    book = simulation.mass_transfers
    process = book.process

    def process_twice(mass_id: str) -> MassSubmission:
        was_received = book.get(_owner_of(simulation, mass_id), mass_id).status == "RECEIVED"
        done = process(mass_id)
        if not was_received:
            return done
        for item in done.items:
            if item.kind == "ATI" and item.result is not None and item.result.outcome == "ACCEPTED":
                fields = item.fields
                try:
                    simulation.ledger.move(stock=fields.stock_code, quantity=fields.quantity,
                                           source=(done.owner, fields.from_account),
                                           target=(done.owner, fields.to_account),
                                           at=simulation.clock.now, kind="ATI", reference=item.result.transfer_id)
                except DomainError:
                    continue
        return done

    book.process = process_twice  # type: ignore[method-assign]


def _owner_of(simulation: Simulation, mass_id: str) -> str:
    for pid in simulation.reference.participants:
        if any(s.mass_id == mass_id for s in simulation.mass_transfers.enquire(pid)):
            return pid
    raise KeyError(mass_id)


def _fake_ati(call: Call) -> Reply:
    """A 201 as if the ATI had settled, though nothing moved."""
    assert call.participant is not None
    body = call.request.body
    clock = call.state.simulation.clock
    ati = AccountTransfer("ATI9999999999", call.participant, body["fromAccount"], body["toAccount"],
                          body["stockCode"], body["quantity"], "SETTLED", None, clock.now,
                          own_reference=body.get("ownReference"))
    return Reply(201, ati_json(ati))


def _accept_on(code: str) -> Wrapper:
    return on_refusal(code, lambda call, error: _fake_ati(call))


def _own_mass(call: Call, error: DomainError) -> Reply:
    """The caller's mass submission of the path as it stands, 200: as if the change had been made."""
    assert call.participant is not None
    return Reply(200, mass_json(call.state.simulation.mass_transfers.get(call.participant,
                                                                         call.request.path["massId"])))


def _own_mass_cancelled(call: Call, error: DomainError) -> Reply:
    reply = _own_mass(call, error)
    reply.body["status"] = "CANCELLED"
    return reply


_change_processed_too = on_refusal("MASS_ALREADY_PROCESSED", _own_mass)
_cancel_processed_too = on_refusal("MASS_ALREADY_PROCESSED", _own_mass_cancelled)
_get_any_participants_mass = found_for_anyone(
    "MASS_NOT_FOUND", lambda call, other: mass_json(call.state.simulation.mass_transfers.get(other,
                                                                                            call.request.path["massId"])))


ATI_FAULTS = [
    Fault("mass-item-applied-twice", "Input Mass ATI/STI", "scenario",
          "processing a mass submission moves the stock of every accepted ATI item twice",
          patch=_apply_accepted_ati_items_twice),
    Fault("ati-same-account-accepted", "Input ATI", "negative",
          "Input ATI answers 201 SETTLED for a transfer whose fromAccount equals its toAccount",
          wrappers={"inputAti": _accept_on("ACCOUNT_SAME")}),
    Fault("ati-overdraws-available", "Input ATI", "scenario",
          "Input ATI answers 201 SETTLED for more shares than the source account has available",
          wrappers={"inputAti": _accept_on("INSUFFICIENT_BALANCE")}),
    Fault("mass-change-after-processing", "Change Mass ATI/STI", "scenario",
          "Change Mass ATI/STI answers 200 for a submission already processed",
          wrappers={"changeMassTransfer": _change_processed_too}),
    Fault("mass-cancel-after-processing", "Cancel Mass ATI/STI", "scenario",
          "Cancel Mass ATI/STI answers 200 CANCELLED for a submission already processed (its items stay applied)",
          wrappers={"cancelMassTransfer": _cancel_processed_too}),
    Fault("other-participants-mass-visible", "Enquire Mass ATI/STI", "security",
          "Enquire Mass ATI/STI returns another participant's submission by its id",
          wrappers={"getMassTransfer": _get_any_participants_mass}),
]
