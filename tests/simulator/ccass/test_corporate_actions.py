"""Corporate-action events and the book of CA instructions (what RAP CA uploads act on)."""

from __future__ import annotations

import inspect
from contextlib import suppress
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from ccass_helpers import ALPHA, BETA
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ocp_conformance.simulator.ccass import (
    CA_MONEY_SUB_LEDGER,
    DEFAULT_START,
    DEMO_RIGHTS_STOCK,
    DEMO_TENDER_STOCK,
    HKT,
    Appointee,
    CaInstruction,
    CorporateActionBook,
    CorporateActionEvent,
    DomainError,
    Participant,
    ReferenceData,
    Simulation,
    Stock,
    TradingCalendar,
    Vote,
    ccass_deadline,
    demo_reference_data,
)

ELECTION, CLOSED_ELECTION, RIGHTS, AGM, CORPREP, TENDER, TAKEOVER = (f"CA202700000{n}" for n in range(1, 8))
RIGHTS_PRICE = Decimal("40.00")
OFFER_PRICE = Decimal("0.85")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), HKT)


def _rejects(sim: Simulation, code: str, participant: str, account: str, announcement_id: str, stock: str,
             quantity: object, **fields: Any) -> DomainError:
    """Instruct, expect ``code``, and check nothing was stored or held."""
    book = sim.corporate_actions
    before = (len(book), sim.ledger.holds_of(participant), sim.ledger.money_ledger.postings(participant))
    with pytest.raises(DomainError) as caught:
        book.instruct(participant, account, announcement_id, stock, quantity, **fields)  # type: ignore[arg-type]
    assert caught.value.code == code, caught.value.message
    assert (len(book), sim.ledger.holds_of(participant), sim.ledger.money_ledger.postings(participant)) == before
    return caught.value


def _entitlements_money(sim: Simulation, participant: str) -> Decimal:
    return sim.ledger.money_ledger.position(participant, "HKMK", "HKD").sub_ledgers[CA_MONEY_SUB_LEDGER]


# ---------------------------------------------------------------------- events and the demo world
def test_demo_events_cover_every_type_with_their_deadlines() -> None:
    sim = Simulation()
    events = {e.announcement_id: e for e in sim.corporate_actions.events()}
    assert {a: e.event_type for a, e in events.items()} == {
        ELECTION: "ELECTION", CLOSED_ELECTION: "ELECTION", RIGHTS: "SUBSCRIPTION", AGM: "VOTING",
        CORPREP: "CORPREP", TENDER: "TENDER", TAKEOVER: "SUBSCRIPTION"}
    assert events[ELECTION].ccass_deadline == _at(date(2027, 4, 12), 16)  # four business days after the start
    assert events[CLOSED_ELECTION].ccass_deadline == _at(date(2027, 4, 2), 16) < DEFAULT_START
    assert events[RIGHTS].instructing_stock == DEMO_RIGHTS_STOCK != events[RIGHTS].stock_code == "00001"
    assert [r.number for r in events[AGM].resolutions] == [1, 2, 3]
    assert events[TENDER].opening_time == time(9, 0) and events[ELECTION].opening_time == time(8, 0)
    # issue 17 correction 3: the tender is a new issue's (no options, no holding), the takeover offer a subscription
    assert events[TENDER].options == () and events[TENDER].instructing_stock == DEMO_TENDER_STOCK
    assert events[TAKEOVER].is_takeover and events[TAKEOVER].instructing_stock == events[TAKEOVER].stock_code
    assert events[TAKEOVER].opening_time == time(8, 0) and not events[RIGHTS].is_takeover
    assert all(e.ccass_deadline < e.issuer_deadline for e in events.values())


def test_rights_are_credited_one_per_ten_shares_as_an_opening_balance() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    assert sim.ledger.holding(ALPHA, "01", DEMO_RIGHTS_STOCK) == book.entitlement(ALPHA, "01", RIGHTS) == 100_000
    assert book.entitlement(ALPHA, "02", RIGHTS) == 1_000 and book.entitlement(ALPHA, "80", RIGHTS) == 0
    assert book.entitlement("I00001", "01", RIGHTS) == 100_000
    (line,) = sim.ledger.movements(ALPHA, "01", DEMO_RIGHTS_STOCK)
    assert (line.at, line.kind, line.reference) == (None, "CA_ENTITLEMENT", RIGHTS)
    assert DEMO_RIGHTS_STOCK not in sim.reference.stocks  # event data only: the stock list is unchanged


def test_a_simulation_with_its_own_reference_has_no_events() -> None:
    sim = Simulation(reference=demo_reference_data())
    assert sim.corporate_actions.events() == []


def test_ccass_deadline_is_a_business_day_before_the_issuers() -> None:
    calendar = TradingCalendar()
    assert ccass_deadline(_at(date(2027, 4, 6), 16), calendar) == _at(date(2027, 4, 2), 16)  # skips Ching Ming
    assert ccass_deadline(_at(date(2027, 4, 8), 12), calendar, business_days_before=2, at=time(12)) == _at(
        date(2027, 4, 6), 12)


@pytest.mark.parametrize(("changes", "fragment"), [
    ({"announcement_id": "X1"}, "'CA' and 10 digits"),
    ({"ccass_deadline": _at(date(2027, 4, 30), 16)}, "ccass_deadline < issuer_deadline"),
    ({"default_option": "SHARES"}, "default_option"),
    ({"event_type": "SUBSCRIPTION", "options": ("RIGHTS",)}, "rights/warrant code"),
    ({"instruction_stock_code": "02901"}, "only a SUBSCRIPTION"),
    ({"event_type": "VOTING", "options": ()}, "needs resolutions"),
    ({"event_type": "TENDER", "default_option": None}, "TENDER event has no options"),
    ({"event_type": "SUBSCRIPTION", "options": ("TAKEOVER_OFFER", "RIGHTS"), "price": Decimal(1),
      "default_option": None}, "event of its own"),
    ({"event_type": "SUBSCRIPTION", "options": ("TAKEOVER_OFFER",), "price": Decimal(1), "default_option": None,
      "instruction_stock_code": "02901"}, "unless it is a takeover offer"),
])
def test_an_inconsistent_event_is_refused(changes: dict[str, object], fragment: str) -> None:
    fields: dict[str, object] = {
        "announcement_id": "CA2027999999", "event_type": "ELECTION", "stock_code": "00005", "description": "d",
        "record_date": date(2027, 4, 1), "instructions_open": _at(date(2027, 4, 6), 8),
        "issuer_deadline": _at(date(2027, 4, 20), 16), "ccass_deadline": _at(date(2027, 4, 19), 16),
        "options": ("CASH", "SCRIP"), "default_option": "CASH"}
    fields.update(changes)
    with pytest.raises(ValueError, match=fragment.replace("(", r"\(")):
        CorporateActionEvent(**fields)  # type: ignore[arg-type]


def test_registering_an_announcement_twice_is_refused() -> None:
    sim = Simulation()
    with pytest.raises(ValueError, match="already registered"):
        sim.corporate_actions.register(sim.corporate_actions.event(ELECTION))


# ---------------------------------------------------------------------- accepted instructions
def test_an_election_earmarks_the_quantity_and_is_enquirable() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    done = book.instruct(ALPHA, "01", ELECTION, "00005", 250_000, option="SCRIP", client_reference="div-1")
    assert (done.instruction_id, done.status, done.earmarked, done.amount) == ("CAI0000000001", "ACCEPTED",
                                                                                250_000, None)
    assert sim.ledger.balance(ALPHA, "01", "00005").on_hold == 250_000
    assert [h.reference for h in sim.ledger.holds_of(ALPHA)] == [done.instruction_id]
    assert book.available_to_instruct(ALPHA, "01", ELECTION) == 750_000
    assert book.instructions_of(ALPHA) == book.instructions_of(ALPHA, ELECTION) == [done]
    assert book.get(ALPHA, done.instruction_id) == done


def test_a_subscription_quotes_the_rights_code_earmarks_rights_and_debits_money() -> None:
    sim = Simulation()
    done = sim.corporate_actions.instruct(ALPHA, "02", RIGHTS, DEMO_RIGHTS_STOCK, 1_000, option="RIGHTS")
    assert (done.amount, done.currency) == (RIGHTS_PRICE * 1_000, "HKD")
    assert sim.ledger.on_hold(ALPHA, "02", DEMO_RIGHTS_STOCK) == 1_000
    assert _entitlements_money(sim, ALPHA) == Decimal("-40000.00")
    assert sim.ledger.money(ALPHA, "HKD") == Decimal("-40000.00")
    (posting,) = sim.ledger.money_ledger.postings(ALPHA)
    assert (posting.kind, posting.reference, posting.sub_ledger) == ("CA_SUBSCRIPTION", done.instruction_id,
                                                                     "ENTITLEMENTS")


def test_an_excess_application_is_not_limited_by_the_rights_and_earmarks_nothing() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    book.instruct(ALPHA, "02", RIGHTS, DEMO_RIGHTS_STOCK, 1_000, option="RIGHTS")
    excess = book.instruct(ALPHA, "02", RIGHTS, DEMO_RIGHTS_STOCK, 5_000, option="EXCESS_RIGHTS")
    assert excess.earmarked == 0 and excess.amount == RIGHTS_PRICE * 5_000
    assert book.instructed(ALPHA, "02", RIGHTS) == 1_000
    assert _entitlements_money(sim, ALPHA) == -RIGHTS_PRICE * 6_000


def test_split_votes_and_a_corporate_representative_share_one_holding() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    votes = {1: Vote(for_=6_000), 2: Vote(for_=3_000, against=2_000, abstain=1_000), 3: Vote(against=6_000)}
    voting = book.instruct(ALPHA, "02", AGM, "00700", 6_000, votes=votes)
    assert dict(voting.votes or {}) == votes and voting.earmarked == 6_000
    assert book.available_to_instruct(ALPHA, "02", CORPREP) == 4_000  # the voted shares are on hold
    error = _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "02", CORPREP, "00700", 4_001, option="PROXY",
                     appointee=Appointee("Chan Siu Ming", "A1234563"))
    assert "at most the 4000 shares" in error.message
    rep = book.instruct(ALPHA, "02", CORPREP, "00700", 4_000, option="CORPORATE_REPRESENTATIVE",
                        appointee=Appointee("Chan Siu Ming", "A1234563"))
    assert rep.appointee == Appointee("Chan Siu Ming", "A1234563")
    assert sim.ledger.balance(ALPHA, "02", "00700").available == 0


def test_a_tender_opens_at_nine_with_the_electronic_application_instructions() -> None:
    sim = Simulation(start=_at(date(2027, 4, 7), 8, 59))
    error = _rejects(sim, "WINDOW_NOT_OPEN", ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 100,
                     tender_price=Decimal("100.25"))
    assert "between 09:00 and 19:00" in error.message
    sim.corporate_actions.instruct(ALPHA, "01", ELECTION, "00005", 100, option="CASH")  # elections open at 8
    sim.corporate_actions.instruct(ALPHA, "01", TAKEOVER, "08001", 100, option="TAKEOVER_OFFER")  # so do takeovers
    sim.advance_to(_at(date(2027, 4, 7), 9))
    done = sim.corporate_actions.instruct(ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 100, tender_price=Decimal("100.25"))
    assert (done.earmarked, done.amount, done.tender_price, done.option) == (0, Decimal("10025.00"),
                                                                             Decimal("100.25"), None)


def test_a_takeover_offer_is_accepted_by_subscription_and_moves_the_shares_out() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    before = sim.ledger.holding(ALPHA, "02", "08001")
    done = book.instruct(ALPHA, "02", TAKEOVER, "08001", 4_000, option="TAKEOVER_OFFER", client_reference="to-1")
    assert (done.event_type, done.option, done.delivered, done.earmarked) == ("SUBSCRIPTION", "TAKEOVER_OFFER",
                                                                              4_000, 0)
    assert sim.ledger.holding(ALPHA, "02", "08001") == before - 4_000
    assert sim.ledger.on_hold(ALPHA, "02", "08001") == 0
    (moved,) = sim.ledger.movements(ALPHA, "02", "08001")[-1:]
    assert (moved.kind, moved.reference) == ("CA_TAKEOVER_ACCEPTANCE", done.instruction_id)
    assert done.amount == OFFER_PRICE * 4_000 == _entitlements_money(sim, ALPHA)  # the consideration, credited
    assert book.available_to_instruct(ALPHA, "02", TAKEOVER) == before - 4_000
    error = _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "02", TAKEOVER, "08001", before - 3_999,
                     option="TAKEOVER_OFFER")
    assert f"at most the {before - 4_000} shares" in error.message
    _rejects(sim, "STOCK_MISMATCH", ALPHA, "02", TAKEOVER, DEMO_RIGHTS_STOCK, 1, option="TAKEOVER_OFFER")
    book.change(ALPHA, done.instruction_id, quantity=1_000)
    assert sim.ledger.holding(ALPHA, "02", "08001") == before - 1_000
    assert _entitlements_money(sim, ALPHA) == OFFER_PRICE * 1_000
    book.cancel(ALPHA, done.instruction_id)
    assert sim.ledger.holding(ALPHA, "02", "08001") == before and _entitlements_money(sim, ALPHA) == 0
    assert book.instructed(ALPHA, "02", TAKEOVER) == 0


def _closing_tender(sim: Simulation) -> str:
    """A tender for the demo new issue whose CCASS deadline is 2027-04-07 16:00, registered on ``sim``."""
    sim.corporate_actions.register(CorporateActionEvent(
        "CA2027000100", "TENDER", DEMO_TENDER_STOCK, "new issue", record_date=date(2027, 4, 6),
        instructions_open=_at(date(2027, 4, 6), 9), issuer_deadline=_at(date(2027, 4, 8), 16),
        ccass_deadline=_at(date(2027, 4, 7), 16)))
    return "CA2027000100"


def test_tender_monies_are_debited_at_instruction_and_the_unsuccessful_part_refunded_at_allotment() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    tender = _closing_tender(sim)
    assert sim.ledger.holding(ALPHA, "80", DEMO_TENDER_STOCK) == 0  # no holding needed: a new issue
    above = book.instruct(ALPHA, "80", tender, DEMO_TENDER_STOCK, 300, tender_price=Decimal("100.50"))
    at = book.instruct(ALPHA, "80", tender, DEMO_TENDER_STOCK, 500, tender_price=Decimal("100.00"))
    below = book.instruct(ALPHA, "02", tender, DEMO_TENDER_STOCK, 200, tender_price=Decimal("99.00"))
    assert _entitlements_money(sim, ALPHA) == -(Decimal("30150.00") + Decimal("50000.00") + Decimal("19800.00"))
    assert [p.kind for p in sim.ledger.money_ledger.postings(ALPHA)] == ["CA_TENDER"] * 3
    with pytest.raises(DomainError) as early:
        book.allot(tender, Decimal("100.00"))
    assert (early.value.code, early.value.status) == ("TENDER_NOT_CLOSED", 409)
    sim.advance_to(_at(date(2027, 4, 7), 16))
    allotted = book.allot(tender, Decimal("100.00"), ratio_at_cut_off=Decimal("0.4"))
    assert [(r.instruction_id, r.allotted) for r in allotted] == [(above.instruction_id, 300),
                                                                  (at.instruction_id, 200),
                                                                  (below.instruction_id, 0)]
    assert sim.ledger.holding(ALPHA, "80", DEMO_TENDER_STOCK) == 500
    assert sim.ledger.holding(ALPHA, "02", DEMO_TENDER_STOCK) == 0
    # paid: 300 x 100.50 and 200 x 100.00; refunded: 300 x 100.00 and 200 x 99.00
    assert _entitlements_money(sim, ALPHA) == -(Decimal("30150.00") + Decimal("20000.00"))
    refunds = [p for p in sim.ledger.money_ledger.postings(ALPHA) if p.kind == "CA_TENDER_REFUND"]
    assert [(p.reference, p.amount, p.sub_ledger) for p in refunds] == [
        (at.instruction_id, Decimal("30000.00"), "ENTITLEMENTS"), (below.instruction_id, Decimal("19800.00"),
                                                                   "ENTITLEMENTS")]
    assert book.allot(tender, Decimal("100.00")) == []  # once only
    assert book.get(ALPHA, at.instruction_id).allotted == 200


@pytest.mark.parametrize("price", [None, Decimal(0), Decimal("-1"), Decimal("100.00001"), Decimal("NaN"), 100.5])
def test_a_tender_needs_a_positive_tender_price(price: object) -> None:
    sim = Simulation(start=_at(date(2027, 4, 7), 9))
    error = _rejects(sim, "TENDER_PRICE_INVALID", ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 100, tender_price=price)
    assert error.pointer == "/tenderPrice"


def test_a_tender_cancelled_is_refunded_in_full() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    done = book.instruct(ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 1_000, tender_price=Decimal("99.75"))
    changed = book.change(ALPHA, done.instruction_id, tender_price=Decimal("100.25"))
    assert changed.amount == Decimal("100250.00") == -_entitlements_money(sim, ALPHA)
    book.cancel(ALPHA, done.instruction_id)
    assert _entitlements_money(sim, ALPHA) == 0
    assert [p.kind for p in sim.ledger.money_ledger.postings(ALPHA)][-1] == "CA_TENDER_REFUND"


# ---------------------------------------------------------------------- every rejection
def test_unknown_event_participant_and_account() -> None:
    sim = Simulation()
    error = _rejects(sim, "UNKNOWN_EVENT", ALPHA, "01", "CA2027000009", "00005", 1, option="CASH")
    assert error.pointer == "/announcementId" and "Did you mean" in error.message
    _rejects(sim, "PARTICIPANT_UNKNOWN", "B99999", "01", ELECTION, "00005", 1, option="CASH")
    _rejects(sim, "STOCK_ACCOUNT_UNKNOWN", ALPHA, "07", ELECTION, "00005", 1, option="CASH")


def test_after_the_ccass_deadline_names_the_deadline() -> None:
    sim = Simulation()
    error = _rejects(sim, "AFTER_DEADLINE", ALPHA, "01", CLOSED_ELECTION, "00388", 100, option="SCRIP")
    assert "CCASS deadline 2027-04-02 16:00 HKT" in error.message and "2027-04-06 16:00 HKT" in error.message
    sim.advance_to(_at(date(2027, 4, 12), 16))
    _rejects(sim, "AFTER_DEADLINE", ALPHA, "01", ELECTION, "00005", 100, option="SCRIP")


@pytest.mark.parametrize("moment", [
    _at(date(2027, 4, 7), 7, 59),  # before 08:00
    _at(date(2027, 4, 7), 19),  # the daily close
    _at(date(2027, 4, 10), 10),  # a Saturday
])
def test_outside_the_daily_input_hours_the_window_is_not_open(moment: datetime) -> None:
    sim = Simulation()
    sim.advance_to(moment)
    error = _rejects(sim, "WINDOW_NOT_OPEN", ALPHA, "01", ELECTION, "00005", 100, option="CASH")
    assert "between 08:00 and 19:00" in error.message


def test_before_an_event_opens_the_window_is_not_open() -> None:
    sim = Simulation()
    sim.corporate_actions.register(CorporateActionEvent(
        "CA2027000100", "ELECTION", "00700", "later", record_date=date(2027, 4, 9),
        instructions_open=_at(date(2027, 4, 12), 8), issuer_deadline=_at(date(2027, 4, 20), 16),
        ccass_deadline=_at(date(2027, 4, 19), 16), options=("CASH", "SCRIP")))
    error = _rejects(sim, "WINDOW_NOT_OPEN", ALPHA, "01", "CA2027000100", "00700", 100, option="CASH")
    assert "from 2027-04-12 08:00 HKT" in error.message


def test_stock_mismatch_names_the_code_the_event_wants() -> None:
    sim = Simulation()
    error = _rejects(sim, "STOCK_MISMATCH", ALPHA, "01", RIGHTS, "00001", 100, option="RIGHTS")
    assert repr(DEMO_RIGHTS_STOCK) in error.message and "not the underlying" in error.message
    _rejects(sim, "STOCK_MISMATCH", ALPHA, "01", ELECTION, "00700", 100, option="CASH")


@pytest.mark.parametrize("quantity", [0, -5, True, 1.5])
def test_quantity_must_be_a_positive_whole_number(quantity: object) -> None:
    _rejects(Simulation(), "QUANTITY_INVALID", ALPHA, "01", ELECTION, "00005", quantity, option="CASH")


def test_option_not_offered() -> None:
    sim = Simulation()
    error = _rejects(sim, "OPTION_INVALID", ALPHA, "01", ELECTION, "00005", 100, option="SCRIPT")
    assert "CASH, SCRIP" in error.message and "Did you mean 'SCRIP'" in error.message
    _rejects(sim, "OPTION_INVALID", ALPHA, "01", ELECTION, "00005", 100)
    _rejects(sim, "OPTION_INVALID", ALPHA, "01", RIGHTS, DEMO_RIGHTS_STOCK, 100, option="OPEN_OFFER")
    _rejects(sim, "OPTION_INVALID", ALPHA, "01", AGM, "00700", 100, option="FOR", votes={1: Vote(for_=1)})


def test_fields_of_another_kind_are_not_allowed() -> None:
    sim = Simulation()
    _rejects(sim, "FIELD_NOT_ALLOWED", ALPHA, "01", ELECTION, "00005", 100, option="CASH", votes={1: Vote(1)})
    _rejects(sim, "FIELD_NOT_ALLOWED", ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 100, tender_price=Decimal(100),
             appointee=Appointee("A", "B"))
    _rejects(sim, "OPTION_INVALID", ALPHA, "01", TENDER, DEMO_TENDER_STOCK, 100, tender_price=Decimal(100),
             option="UNCONDITIONAL")  # a tender is no takeover acceptance
    _rejects(sim, "FIELD_NOT_ALLOWED", ALPHA, "01", TAKEOVER, "08001", 100, option="TAKEOVER_OFFER",
             tender_price=Decimal(1))


@pytest.mark.parametrize("appointee", [None, Appointee("", "A1234563"), Appointee("Chan", " ")])
def test_a_corporate_representative_needs_a_name_and_document(appointee: Appointee | None) -> None:
    _rejects(Simulation(), "APPOINTEE_REQUIRED", ALPHA, "01", CORPREP, "00700", 100, option="PROXY",
             appointee=appointee)


@pytest.mark.parametrize(("votes", "code"), [
    (None, "VOTES_REQUIRED"),
    ({}, "VOTES_REQUIRED"),
    ({4: Vote(for_=10)}, "RESOLUTION_UNKNOWN"),
    ({1: Vote()}, "VOTE_INVALID"),
    ({1: Vote(for_=-1, against=5)}, "VOTE_INVALID"),
    ({1: Vote(for_=60, against=30, abstain=11)}, "VOTES_ABOVE_QUANTITY"),
])
def test_voting_rules(votes: dict[int, Vote] | None, code: str) -> None:
    error = _rejects(Simulation(), code, ALPHA, "01", AGM, "00700", 100, votes=votes)
    assert error.pointer.startswith("/votes")


def test_quantity_above_the_holding_names_the_available_quantity() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    error = _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "02", ELECTION, "00005", 10_001, option="CASH")
    assert "at most the 10000 shares" in error.message and error.pointer == "/quantity"
    book.instruct(ALPHA, "02", ELECTION, "00005", 6_000, option="CASH")
    error = _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "02", ELECTION, "00005", 4_001, option="SCRIP")
    assert "at most the 4000 shares" in error.message
    _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "80", ELECTION, "00005", 1, option="CASH")  # holds none


def test_stock_bought_after_registration_carries_no_entitlement_and_stock_sold_caps_it() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    sim.ledger.deposit(ALPHA, "80", "00005", 5_000)
    assert book.entitlement(ALPHA, "80", ELECTION) == 0
    _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "80", ELECTION, "00005", 1, option="CASH")
    sim.transfers.input_ati(ALPHA, "02", "80", "00005", 7_000)  # 3,000 of the 10,000 entitled remain in 02
    assert book.available_to_instruct(ALPHA, "02", ELECTION) == 3_000
    error = _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "02", ELECTION, "00005", 3_001, option="CASH")
    assert "at most the 3000 shares" in error.message


def test_an_excess_application_needs_an_entitlement() -> None:
    sim = Simulation()
    _rejects(sim, "NOT_ENTITLED", ALPHA, "80", RIGHTS, DEMO_RIGHTS_STOCK, 100, option="EXCESS_RIGHTS")


def test_earmarked_stock_cannot_be_transferred_away() -> None:
    sim = Simulation()
    sim.corporate_actions.instruct(ALPHA, "02", ELECTION, "00005", 10_000, option="SCRIP")
    with pytest.raises(DomainError) as caught:
        sim.transfers.input_ati(ALPHA, "02", "01", "00005", 1)
    assert caught.value.code == "INSUFFICIENT_BALANCE"


# ---------------------------------------------------------------------- change and cancel
def test_change_scrip_to_cash_and_the_quantity_moves_the_earmark() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    first = book.instruct(ALPHA, "02", ELECTION, "00005", 4_000, option="SCRIP", client_reference="a")
    changed = book.change(ALPHA, first.instruction_id, option="CASH")
    assert (changed.option, changed.quantity, changed.earmarked, changed.client_reference) == ("CASH", 4_000,
                                                                                               4_000, "a")
    changed = book.change(ALPHA, first.instruction_id, quantity=10_000, client_reference="b")
    assert sim.ledger.on_hold(ALPHA, "02", "00005") == 10_000 == book.instructed(ALPHA, "02", ELECTION)
    assert changed.updated_at == sim.clock.now and changed.client_reference == "b"
    book.change(ALPHA, first.instruction_id, quantity=1)
    assert sim.ledger.on_hold(ALPHA, "02", "00005") == 1
    assert [h.reference for h in sim.ledger.holds_of(ALPHA)] == [first.instruction_id]


def test_a_change_that_breaks_a_rule_leaves_the_instruction_as_it_was() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    first = book.instruct(ALPHA, "02", ELECTION, "00005", 4_000, option="SCRIP")
    book.instruct(ALPHA, "02", ELECTION, "00005", 5_000, option="CASH")
    for changes, code in (({"quantity": 5_001}, "QUANTITY_ABOVE_HOLDING"), ({"option": "GOLD"}, "OPTION_INVALID"),
                          ({"quantity": 0}, "QUANTITY_INVALID"), ({"votes": {1: Vote(1)}}, "FIELD_NOT_ALLOWED")):
        with pytest.raises(DomainError) as caught:
            book.change(ALPHA, first.instruction_id, **changes)
        assert caught.value.code == code
        assert book.get(ALPHA, first.instruction_id) == first
    assert sim.ledger.on_hold(ALPHA, "02", "00005") == 9_000
    assert book.change(ALPHA, first.instruction_id, quantity=5_000).earmarked == 5_000  # exactly what is left


def test_changing_a_subscription_debits_the_difference_and_cancel_refunds_it_all() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    sub = book.instruct(ALPHA, "02", RIGHTS, DEMO_RIGHTS_STOCK, 400, option="RIGHTS")
    book.change(ALPHA, sub.instruction_id, quantity=1_000)
    assert _entitlements_money(sim, ALPHA) == -RIGHTS_PRICE * 1_000
    book.change(ALPHA, sub.instruction_id, option="EXCESS_RIGHTS", quantity=3_000)
    assert sim.ledger.on_hold(ALPHA, "02", DEMO_RIGHTS_STOCK) == 0
    assert _entitlements_money(sim, ALPHA) == -RIGHTS_PRICE * 3_000
    cancelled = book.cancel(ALPHA, sub.instruction_id)
    assert (cancelled.status, cancelled.earmarked) == ("CANCELLED", 0)
    assert _entitlements_money(sim, ALPHA) == 0 == sim.ledger.money(ALPHA, "HKD")
    assert [p.kind for p in sim.ledger.money_ledger.postings(ALPHA)][-1] == "CA_SUBSCRIPTION_REFUND"


def test_cancel_restores_availability_exactly_and_only_once() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    before = (sim.ledger.balance(ALPHA, "01", "00700"), book.available_to_instruct(ALPHA, "01", AGM))
    voting = book.instruct(ALPHA, "01", AGM, "00700", 500_000, votes={2: Vote(for_=500_000)})
    book.cancel(ALPHA, voting.instruction_id)
    assert (sim.ledger.balance(ALPHA, "01", "00700"), book.available_to_instruct(ALPHA, "01", AGM)) == before
    assert book.instructions_of(ALPHA, AGM)[0].status == "CANCELLED"
    for action in (book.cancel, lambda p, i: book.change(p, i, quantity=1)):
        with pytest.raises(DomainError) as caught:
            action(ALPHA, voting.instruction_id)
        assert (caught.value.code, caught.value.status) == ("CA_INSTRUCTION_CANCELLED", 409)


def test_no_change_or_cancel_after_the_deadline() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    done = book.instruct(ALPHA, "01", ELECTION, "00005", 100, option="SCRIP")
    sim.advance_to(_at(date(2027, 4, 12), 16, 1))
    for action in (book.cancel, lambda p, i: book.change(p, i, option="CASH")):
        with pytest.raises(DomainError) as caught:
            action(ALPHA, done.instruction_id)
        assert caught.value.code == "AFTER_DEADLINE"
    assert sim.ledger.on_hold(ALPHA, "01", "00005") == 100  # the earmark stays after the deadline


# ---------------------------------------------------------------------- privacy
def test_participants_never_see_or_touch_each_others_instructions() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    mine = book.instruct(ALPHA, "01", ELECTION, "00005", 100, option="SCRIP")
    assert book.instructions_of(BETA) == [] and book.instructions_of(BETA, ELECTION) == []
    for action in (book.get, book.cancel, lambda p, i: book.change(p, i, option="CASH")):
        with pytest.raises(DomainError) as caught:
            action(BETA, mine.instruction_id)
        assert (caught.value.code, caught.value.status) == ("CA_INSTRUCTION_NOT_FOUND", 404)
        assert ALPHA not in caught.value.message
    assert book.get(ALPHA, mine.instruction_id) == mine
    with pytest.raises(DomainError) as unknown:
        book.get(BETA, "CAI9999999999")
    # The same answer as for an id that does not exist: nothing tells BETA the instruction is there.
    assert unknown.value.message.replace("CAI9999999999", mine.instruction_id) == caught.value.message


def test_an_event_of_a_custom_world_uses_its_own_reference() -> None:
    reference = ReferenceData([Participant("B00001", "One", "BROKER", ("01",))], [Stock("00005", "HSBC", "HKMK")])
    sim = Simulation(reference=reference)
    sim.ledger.deposit("B00001", "01", "00005", 300)
    sim.corporate_actions.register(CorporateActionEvent(
        "CA2027000001", "SUBSCRIPTION", "00005", "offer", record_date=date(2027, 4, 6),
        instructions_open=_at(date(2027, 4, 6), 9), issuer_deadline=_at(date(2027, 4, 9), 16),
        ccass_deadline=_at(date(2027, 4, 8), 16), options=("TAKEOVER_OFFER",), price=Decimal(1)))
    assert sim.corporate_actions.entitlement("B00001", "01", "CA2027000001") == 300


def test_book_signatures_the_rap_layer_will_use() -> None:
    expected = {
        "instruct": ["self", "participant", "account", "announcement_id", "stock_code", "quantity", "option", "votes",
                     "appointee", "client_reference", "tender_price"],
        "change": ["self", "participant", "instruction_id", "quantity", "option", "votes", "appointee",
                   "client_reference", "tender_price"],
        "allot": ["self", "announcement_id", "cut_off_price", "ratio_at_cut_off"],
        "cancel": ["self", "participant", "instruction_id"],
        "get": ["self", "participant", "instruction_id"],
        "instructions_of": ["self", "participant", "announcement_id"],
        "event": ["self", "announcement_id"],
        "events": ["self", "stock_code"],
        "register": ["self", "event"],
        "entitlement": ["self", "participant", "account", "announcement_id"],
        "available_to_instruct": ["self", "participant", "account", "announcement_id"],
    }
    for method, params in expected.items():
        assert list(inspect.signature(getattr(CorporateActionBook, method)).parameters) == params, method


# ---------------------------------------------------------------------- model-based: earmarks and entitlements
PARTIES = (ALPHA, BETA)
ACCOUNTS = ("01", "02", "80")
EVENTS = (ELECTION, CLOSED_ELECTION, RIGHTS, AGM, CORPREP, TENDER, TAKEOVER)
# Refusals a well-formed random instruction may meet; anything else is a bug.
EXPECTED_REFUSALS = frozenset({"AFTER_DEADLINE", "WINDOW_NOT_OPEN", "OPTION_INVALID", "QUANTITY_ABOVE_HOLDING",
                               "NOT_ENTITLED", "VOTES_ABOVE_QUANTITY"})
OPTIONS = {"ELECTION": ["CASH", "SCRIP", "BONUS"], "SUBSCRIPTION": ["RIGHTS", "EXCESS_RIGHTS", "OPEN_OFFER"],
           "TAKEOVER": ["TAKEOVER_OFFER", "RIGHTS"], "CORPREP": ["PROXY", "CORPORATE_REPRESENTATIVE"]}


class CaMachine(RuleBasedStateMachine):
    """Random instructions, changes, cancellations, intrusions, transfers and time on the demo world.

    The machine keeps its own record of every live instruction (the copies the book returned) and checks the
    book and the ledger against it after every step.
    """

    @initialize()
    def start(self) -> None:
        self.sim = Simulation()
        self.book = self.sim.corporate_actions
        self.live: dict[str, CaInstruction] = {}

    def _fields(self, data: st.DataObject, event: CorporateActionEvent, quantity: int) -> dict[str, Any]:
        if event.event_type == "VOTING":
            votes = {}
            for number in data.draw(st.sets(st.sampled_from([1, 2, 3]), min_size=1), label="resolutions"):
                total = data.draw(st.sampled_from([1, quantity // 2 or 1, quantity, quantity + 1]), label="total")
                share = data.draw(st.integers(0, total), label="for")
                votes[number] = Vote(for_=share, against=total - share)
            return {"votes": votes}
        if event.event_type == "TENDER":
            return {"tender_price": data.draw(st.sampled_from([Decimal("99.5"), Decimal("100.25")]), label="price")}
        kind = "TAKEOVER" if event.is_takeover else event.event_type
        fields: dict[str, Any] = {"option": data.draw(st.sampled_from(OPTIONS[kind]), label="option")}
        if event.event_type == "CORPREP":
            fields["appointee"] = Appointee("Chan Siu Ming", "A1234563")
        return fields

    def _quantity(self, participant: str, account: str, event: CorporateActionEvent, percent: int) -> int:
        base = self.book.entitlement(participant, account, event.announcement_id) or 1_000
        return max(1, base * percent // 100)

    @rule(participant=st.sampled_from(PARTIES), account=st.sampled_from(ACCOUNTS),
          announcement_id=st.sampled_from(EVENTS), percent=st.integers(1, 80), data=st.data())
    def instruct(self, participant: str, account: str, announcement_id: str, percent: int,
                 data: st.DataObject) -> None:
        event = self.book.event(announcement_id)
        quantity = self._quantity(participant, account, event, percent)
        try:
            done = self.book.instruct(participant, account, announcement_id, event.instructing_stock, quantity,
                                      **self._fields(data, event, quantity))
        except DomainError as refused:
            assert refused.code in EXPECTED_REFUSALS, refused.message
            return
        self.live[done.instruction_id] = done

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data(), percent=st.integers(1, 80))
    def change(self, data: st.DataObject, percent: int) -> None:
        record = self.live[data.draw(st.sampled_from(sorted(self.live)), label="instruction")]
        event = self.book.event(record.announcement_id)
        quantity = self._quantity(record.participant, record.account, event, percent)
        position = (record.participant, record.account, record.stock_code)
        available = self.sim.ledger.available(*position)
        try:
            changed = self.book.change(record.participant, record.instruction_id, quantity=quantity,
                                       **self._fields(data, event, quantity))
        except DomainError as refused:
            assert refused.code in EXPECTED_REFUSALS, refused.message
            assert self.book.get(record.participant, record.instruction_id) == record  # unchanged
            assert self.sim.ledger.available(*position) == available
            return
        self.live[record.instruction_id] = changed
        assert self.sim.ledger.available(*position) == available + (record.earmarked + record.delivered) - (
            changed.earmarked + changed.delivered)

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        record = self.live[data.draw(st.sampled_from(sorted(self.live)), label="instruction")]
        party, account, announcement_id = record.participant, record.account, record.announcement_id
        ledger = self.sim.ledger
        before = (ledger.available(party, account, record.stock_code), self.book.instructed(party, account,
                                                                                            announcement_id),
                  _entitlements_money(self.sim, party))
        try:
            self.book.cancel(party, record.instruction_id)
        except DomainError as refused:
            assert refused.code in {"AFTER_DEADLINE", "WINDOW_NOT_OPEN"}, refused.message
            return
        del self.live[record.instruction_id]
        after = (ledger.available(party, account, record.stock_code), self.book.instructed(party, account,
                                                                                           announcement_id),
                 _entitlements_money(self.sim, party))
        taken = record.earmarked + record.delivered
        assert after == (before[0] + taken, before[1] - taken, before[2] - record.money)

    @precondition(lambda self: bool(self.live))
    @rule(data=st.data())
    def intrude(self, data: st.DataObject) -> None:
        record = self.live[data.draw(st.sampled_from(sorted(self.live)), label="instruction")]
        other = PARTIES[1 - PARTIES.index(record.participant)]
        for action in (self.book.get, self.book.cancel, lambda p, i: self.book.change(p, i, quantity=1)):
            with pytest.raises(DomainError) as caught:
                action(other, record.instruction_id)
            assert caught.value.code == "CA_INSTRUCTION_NOT_FOUND"
        assert all(i.participant == other for i in self.book.instructions_of(other))

    @rule(participant=st.sampled_from(PARTIES), account=st.sampled_from(["01", "02"]),
          stock=st.sampled_from(["00005", "00700", DEMO_RIGHTS_STOCK]), quantity=st.integers(1, 1_000_000))
    def transfer_away(self, participant: str, account: str, stock: str, quantity: int) -> None:
        with suppress(DomainError):  # only the available balance can move
            self.sim.transfers.input_ati(participant, account, "80", stock, quantity)

    @rule(minutes=st.integers(1, 12 * 60))
    def advance_clock(self, minutes: int) -> None:
        self.sim.advance_to(self.sim.clock.now + timedelta(minutes=minutes))

    # ------------------------------------------------------------------ invariants
    @invariant()
    def instructed_never_exceeds_the_entitlement(self) -> None:
        for announcement_id in EVENTS:
            for party in PARTIES:
                for account in ACCOUNTS:
                    earmarks = sum(r.earmarked + r.delivered for r in self.live.values()
                                   if (r.announcement_id, r.participant, r.account) == (announcement_id, party,
                                                                                         account))
                    assert earmarks == self.book.instructed(party, account, announcement_id)
                    assert earmarks <= self.book.entitlement(party, account, announcement_id)

    @invariant()
    def on_hold_is_the_sum_of_live_earmarks(self) -> None:
        ledger = self.sim.ledger
        for party in PARTIES:
            assert sorted(h.reference for h in ledger.holds_of(party)) == sorted(
                i for i, r in self.live.items() if r.participant == party and r.earmarked)
            for account in ACCOUNTS:
                for stock in ("00005", "00388", "00700", "08001", DEMO_RIGHTS_STOCK):
                    assert ledger.on_hold(party, account, stock) == sum(
                        r.earmarked for r in self.live.values()
                        if (r.participant, r.account, r.stock_code) == (party, account, stock))

    @invariant()
    def money_is_the_sum_of_live_subscriptions(self) -> None:
        for party in PARTIES:
            assert _entitlements_money(self.sim, party) == sum(
                (r.money for r in self.live.values() if r.participant == party), Decimal(0))

    @invariant()
    def the_book_shows_each_participant_its_own_live_instructions(self) -> None:
        for party in PARTIES:
            shown = [i for i in self.book.instructions_of(party) if i.status == "ACCEPTED"]
            assert shown == [r for _, r in sorted(self.live.items()) if r.participant == party]


CaMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None, database=None,
                                       suppress_health_check=[HealthCheck.too_slow])
TestCaInvariants = CaMachine.TestCase


# ---------------------------------------------------------------------- a standing demo
def test_a_standing_demo_keeps_every_demo_event_open_for_weeks_but_the_closed_one() -> None:
    """A served simulator whose clock users move on day after day (a shared portal) still has an event of each
    type open; the closed election stays closed; instructions and entitlements given before a roll survive it."""
    sim = Simulation(standing_demo=True)
    book = sim.corporate_actions
    given = book.instruct(ALPHA, "01", ELECTION, "00005", 100, option="CASH")
    entitled = book.entitlement(ALPHA, "01", ELECTION)
    day = sim.clock.now.date()
    for _ in range(45):  # about two months of business days
        day = sim.clock.calendar.next_business_day(day)
        sim.advance_to(_at(day, 10))
        for event in book.events():
            if event.announcement_id != CLOSED_ELECTION:
                assert event.ccass_deadline > sim.clock.now, f"{event.announcement_id} closed on {day}"
                assert event.instructions_open < event.ccass_deadline < event.issuer_deadline
                assert event.meeting_date is None or event.meeting_date > event.issuer_deadline.date()
    _rejects(sim, "AFTER_DEADLINE", ALPHA, "01", CLOSED_ELECTION, "00388", 100, option="SCRIP")
    assert book.get(ALPHA, given.instruction_id).status == given.status
    assert book.entitlement(ALPHA, "01", ELECTION) == entitled
    assert book.instruct(ALPHA, "01", ELECTION, "00005", 100, option="SCRIP").earmarked == 100


def test_without_a_standing_demo_the_demo_deadlines_pass() -> None:
    sim = Simulation()
    sim.advance_to(_at(date(2027, 5, 31), 10))
    open_events = [e.announcement_id for e in sim.corporate_actions.events() if e.ccass_deadline > sim.clock.now]
    assert open_events == []


def test_a_standing_demo_started_weeks_later_finds_the_demo_events_open() -> None:
    start = _at(date(2027, 6, 15), 9)
    sim = Simulation(standing_demo=True, start=start)
    assert [e.announcement_id for e in sim.corporate_actions.events() if e.ccass_deadline <= start] == [CLOSED_ELECTION]


def test_rights_bought_after_the_record_date_entitle_a_subscription() -> None:
    """Nil-paid rights trade: whoever holds them when subscribing may subscribe, so rights deposited into an account
    after the record date entitle it (a shared world's checks top up the rights they subscribe for)."""
    sim = Simulation()
    book = sim.corporate_actions
    assert book.entitlement(ALPHA, "80", RIGHTS) == 0
    sim.ledger.deposit(ALPHA, "80", DEMO_RIGHTS_STOCK, 500)
    assert book.entitlement(ALPHA, "80", RIGHTS) == 500 == book.available_to_instruct(ALPHA, "80", RIGHTS)
    done = book.instruct(ALPHA, "80", RIGHTS, DEMO_RIGHTS_STOCK, 300, option="RIGHTS")
    assert done.earmarked == 300 and book.available_to_instruct(ALPHA, "80", RIGHTS) == 200
    assert book.entitlement(ALPHA, "80", RIGHTS) == 500  # the earmarked rights are still held
    _rejects(sim, "QUANTITY_ABOVE_HOLDING", ALPHA, "80", RIGHTS, DEMO_RIGHTS_STOCK, 201, option="RIGHTS")


def test_shares_bought_after_the_record_date_do_not_entitle_an_election() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    before = book.entitlement(ALPHA, "80", ELECTION)
    sim.ledger.deposit(ALPHA, "80", "00005", 500)
    assert book.entitlement(ALPHA, "80", ELECTION) == before  # the record-date snapshot


def test_a_takeover_offer_is_accepted_for_shares_bought_later_and_counts_what_it_moved_out() -> None:
    sim = Simulation()
    book = sim.corporate_actions
    held = sim.ledger.holding(ALPHA, "80", "08001")
    sim.ledger.deposit(ALPHA, "80", "08001", 1_000)
    book.instruct(ALPHA, "80", TAKEOVER, "08001", held + 1_000, option="TAKEOVER_OFFER")
    assert sim.ledger.holding(ALPHA, "80", "08001") == 0
    # the accepted shares left the account but stay counted: the entitlement is what was held when accepting
    assert book.entitlement(ALPHA, "80", TAKEOVER) == held + 1_000
    assert book.available_to_instruct(ALPHA, "80", TAKEOVER) == 0
