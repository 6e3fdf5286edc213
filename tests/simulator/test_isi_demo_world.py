"""The demo world's ISI parts: the investor, its counterparty list, and Enquire ISI's filters in the book."""

from __future__ import annotations

from ocp_conformance.simulator.ccass import IsiInput, Simulation
from ocp_conformance.simulator.ccass.reference import DEMO_ISI_COUNTERPARTIES


def test_the_investor_sorts_after_the_brokers_and_lists_some_of_them() -> None:
    sim = Simulation()
    participants = sorted(sim.reference.participants)
    assert participants[-1] == "I00001" and participants[:2] == ["B01234", "B05678"]
    listed = sim.isi_book.counterparties_without_affirmation("I00001")
    assert listed == DEMO_ISI_COUNTERPARTIES["I00001"]
    brokers = [p for p in participants if p != "I00001"]
    assert 0 < len(listed) < len(brokers) and "B05678" not in listed
    assert sim.ledger.holding("I00001", "01", "00700") == 1_000_000


def test_a_reference_passed_in_has_no_lists() -> None:
    demo = Simulation().reference
    assert Simulation(reference=demo).isi_book.counterparties_without_affirmation("I00001") == ()


def test_enquire_filters_by_status_stock_and_reference_for_both_parties() -> None:
    book = Simulation().isi_book
    first = book.input_isi("B01234", IsiInput("I00001", "DELIVER_TO_INVESTOR", "00700", 10, own_reference="R1"))
    book.input_isi("B01234", IsiInput("I00001", "DELIVER_TO_INVESTOR", "00005", 10, own_reference="R1"))
    book.input_isi("B05678", IsiInput("I00001", "DELIVER_TO_INVESTOR", "00700", 10, own_reference="R1"))
    assert [i.isi_id for i in book.enquire("B01234", stock_code="00700", own_reference="R1")] == [first.isi_id]
    assert len(book.enquire("I00001", "UNAFFIRMED", own_reference="R1")) == 3
    assert book.enquire("B01234", "SETTLED") == [] and book.enquire("C00019") == []
