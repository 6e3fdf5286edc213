"""Simulation ties the books to the clock: scheduled runs settle SIs and waiting ISIs, and are broadcast."""

from __future__ import annotations

from datetime import datetime

from ocp_conformance.simulator.ccass import (
    HKT,
    IsiInput,
    MassItem,
    Participant,
    ReferenceData,
    SiInput,
    Simulation,
    demo_reference_data,
)


def _with_investor() -> Simulation:
    demo = demo_reference_data()
    investor = Participant("I12345", "Investor Chan", "Investor", ("01",))
    reference = ReferenceData([*demo.participants.values(), investor], demo.stocks.values())
    return Simulation(reference=reference)


def test_scheduled_runs_and_day_end_are_broadcast_in_order() -> None:
    sim = Simulation()
    sim.advance_to(datetime(2027, 4, 7, 0, 30, tzinfo=HKT))
    texts = [m.text for m in sim.broadcasts.enquire()]
    assert texts[0] == "Batch settlement run 10:30 completed"
    assert "Final batch settlement run completed" in texts
    assert texts[-1].startswith("Business day 2027-04-06 closed")
    assert texts.index("Final batch settlement run completed") < len(texts) - 1


def test_an_isi_waiting_for_stock_settles_in_the_next_scheduled_run() -> None:
    sim = _with_investor()
    today = sim.clock.today
    isi = sim.isi_book.input_isi("B01234", IsiInput(
        investor_id="I12345", direction="RECEIVE_FROM_INVESTOR", stock_code="00005", quantity=100,
        payment_type="FOP", with_affirmation=True))
    sim.isi_book.affirm("I12345", isi.isi_id)
    assert sim.isi_book.get("B01234", isi.isi_id).status == "PENDING_SETTLEMENT"  # the investor holds nothing
    sim.ledger.deposit("I12345", "01", "00005", 100)
    sim.advance_to(datetime.combine(today, datetime.min.time().replace(hour=10, minute=31), HKT))
    assert sim.isi_book.get("B01234", isi.isi_id).status == "SETTLED"


def test_a_mass_submission_is_processed_in_the_next_run_item_by_item() -> None:
    sim = Simulation()
    submission = sim.mass_transfers.submit("B01234", [
        MassItem(kind="ATI", from_account="01", to_account="02", stock_code="00005", quantity=10),
        MassItem(kind="ATI", from_account="01", to_account="01", stock_code="00005", quantity=10),
    ])
    assert submission.status == "RECEIVED"
    sim.run_batch_settlement()
    processed = sim.mass_transfers.get("B01234", submission.mass_id)
    assert processed.status == "PARTIALLY_REJECTED"
    assert [item.result.outcome if item.result else None for item in processed.items] == ["ACCEPTED", "REJECTED"]


def test_settlements_are_journalled_and_balances_equal_their_movements() -> None:
    sim = Simulation()
    day = sim.clock.today
    sim.si_book.input_si("B01234", SiInput("DELIVER", "B05678", "00700", 500, day, "FOP"))
    sim.si_book.input_si("B05678", SiInput("RECEIVE", "B01234", "00700", 500, day, "FOP"))
    sim.run_batch_settlement()
    moves = sim.ledger.movements("B05678", account="01", stock="00700")
    assert moves[-1].kind == "SI_SETTLEMENT" and moves[-1].quantity == 500 and moves[-1].at is not None
    for participant in ("B01234", "B05678"):
        total = sim.ledger.balance(participant, "01", "00700").total
        assert total == sum(m.quantity for m in sim.ledger.movements(participant, account="01", stock="00700"))
