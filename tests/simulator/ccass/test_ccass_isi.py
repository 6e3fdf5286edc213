"""ISI book: validation codes, affirmation, without-affirmation list, cut-off, batch retry, day end, privacy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocp_conformance.simulator.ccass import (
    HKT,
    BusinessClock,
    DomainError,
    Ledger,
    Participant,
    ReferenceData,
    Stock,
    TradingCalendar,
)
from ocp_conformance.simulator.ccass.isi import (
    DEFAULT_ISI_BATCH_CUTOFF,
    InvestorSettlementInstruction,
    IsiBook,
    IsiInput,
)

BROKER, CUSTODIAN, OTHER = "B01234", "C00019", "B05678"
INVESTOR, INVESTOR2 = "I12345", "I67890"
STOCKS = ("00700", "00005")
START = datetime(2027, 4, 6, 9, 0, tzinfo=HKT)  # Tuesday, a business day
FAST = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class World:
    reference: ReferenceData
    ledger: Ledger
    clock: BusinessClock
    book: IsiBook

    def at(self, hh: int, mm: int, day: int = 6) -> None:
        self.clock.advance_to(datetime(2027, 4, day, hh, mm, tzinfo=HKT))


def make_world(start: datetime = START) -> World:
    reference = ReferenceData(
        [
            Participant(BROKER, "Alpha Securities", "BROKER", ("01", "02")),
            Participant(CUSTODIAN, "Gamma Custodian Bank", "CUSTODIAN", ("01",)),
            Participant(OTHER, "Beta Brokerage", "BROKER", ("01",)),
            Participant(INVESTOR, "Investor Chan", "Investor", ("01",)),
            Participant(INVESTOR2, "Investor Wong", "INVESTOR", ("01",)),
        ],
        [Stock("00700", "Tencent Holdings", "HKMK"), Stock("00005", "HSBC Holdings", "HKMK")],
    )
    ledger = Ledger()
    for pid in (BROKER, CUSTODIAN, OTHER):
        for code in STOCKS:
            ledger.deposit(pid, "01", code, 10_000)
    for pid in (INVESTOR, INVESTOR2):
        ledger.deposit(pid, "01", "00700", 1_000)
    clock = BusinessClock(TradingCalendar(), start)
    return World(reference, ledger, clock, IsiBook(reference, ledger, clock))


@pytest.fixture
def w() -> World:
    return make_world()


def isi(direction: str = "DELIVER_TO_INVESTOR", **overrides: Any) -> IsiInput:
    fields: dict[str, Any] = {
        "investor_id": INVESTOR,
        "direction": direction,
        "stock_code": "00700",
        "quantity": 100,
    }
    fields.update(overrides)
    return IsiInput(**fields)


def code_of(exc: pytest.ExceptionInfo[DomainError]) -> tuple[str, int, str]:
    return exc.value.code, exc.value.status, exc.value.pointer


# ---------------------------------------------------------------- validation
@pytest.mark.parametrize(
    ("owner", "overrides", "expected"),
    [
        (INVESTOR, {}, ("OWNER_NOT_ALLOWED", 403, "")),
        ("Z99999", {}, ("OWNER_NOT_ALLOWED", 403, "")),
        (BROKER, {"investor_id": "I99999"}, ("INVESTOR_UNKNOWN", 422, "/investorId")),
        (BROKER, {"investor_id": OTHER}, ("INVESTOR_UNKNOWN", 422, "/investorId")),
        (BROKER, {"direction": "SIDEWAYS"}, ("FIELD_INVALID", 422, "/direction")),
        (BROKER, {"quantity": 0}, ("QUANTITY_INVALID", 422, "/quantity")),
        (BROKER, {"quantity": -5}, ("QUANTITY_INVALID", 422, "/quantity")),
        (BROKER, {"quantity": True}, ("QUANTITY_INVALID", 422, "/quantity")),
        (BROKER, {"stock_code": "700"}, ("STOCK_UNKNOWN", 422, "/stockCode")),
        (BROKER, {"payment_type": "XVP"}, ("FIELD_INVALID", 422, "/paymentType")),
        (BROKER, {"payment_type": "RDP"}, ("AMOUNT_REQUIRED", 422, "/amount")),
        (BROKER, {"dvp_on_hold_required": True}, ("DVP_ON_HOLD_NOT_ALLOWED", 422, "/dvpOnHoldRequired")),
        (BROKER, {"settlement_date": date(2027, 4, 5)}, ("SETTLEMENT_DATE_IN_PAST", 422, "/settlementDate")),
        (BROKER, {"settlement_date": date(2027, 4, 10)}, ("SETTLEMENT_DATE_NOT_BUSINESS_DAY", 422, "/settlementDate")),
        (BROKER, {"hold_before_settlement": "Y"}, ("FIELD_INVALID", 422, "/holdBeforeSettlement")),
        (BROKER, {"payment_type": "DVP"}, ("AMOUNT_REQUIRED", 422, "/amount")),
        (BROKER, {"payment_type": "DVP", "amount": Decimal(0), "currency": "HKD"}, ("AMOUNT_INVALID", 422, "/amount")),
        (BROKER, {"payment_type": "DVP", "amount": Decimal(5)}, ("AMOUNT_REQUIRED", 422, "/amount")),
        (
            BROKER,
            {"payment_type": "DVP", "amount": Decimal(5), "currency": "EUR"},
            ("CURRENCY_UNSUPPORTED", 422, "/currency"),
        ),
        (BROKER, {"amount": Decimal(5)}, ("AMOUNT_NOT_ALLOWED", 422, "/amount")),
        (BROKER, {"currency": "HKD"}, ("AMOUNT_NOT_ALLOWED", 422, "/amount")),
        (
            BROKER,
            {"with_affirmation": False, "payment_type": "DVP", "amount": Decimal(5), "currency": "HKD"},
            ("AFFIRMATION_REQUIRED_FOR_DVP", 422, "/withAffirmation"),
        ),
        (BROKER, {"with_affirmation": False}, ("COUNTERPARTY_NOT_LISTED", 422, "/withAffirmation")),
    ],
)
def test_input_rejections(w: World, owner: str, overrides: dict[str, Any], expected: tuple[str, int, str]) -> None:
    with pytest.raises(DomainError) as exc:
        w.book.input_isi(owner, isi(**overrides))
    assert code_of(exc) == expected
    assert len(w.book) == 0


def test_stock_unknown_suggests_padded_code(w: World) -> None:
    with pytest.raises(DomainError, match="Did you mean '00700'"):
        w.book.input_isi(BROKER, isi(stock_code="700"))


# ---------------------------------------------------------------- with affirmation
def test_input_with_affirmation_is_unaffirmed_and_moves_nothing(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    assert record.isi_id == "ISI0000000001"
    assert (record.status, record.owner, record.business_date) == ("UNAFFIRMED", BROKER, START.date())
    assert record.created_at == START and record.affirmed_at is None
    assert w.ledger.holding(INVESTOR, "01", "00700") == 1_000
    assert w.book.input_isi(CUSTODIAN, isi()).isi_id == "ISI0000000002"


def test_affirm_settles_on_line_at_once(w: World) -> None:
    record = w.book.input_isi(BROKER, isi(quantity=400))
    w.at(9, 30)
    affirmed = w.book.affirm(INVESTOR, record.isi_id)
    assert affirmed.status == "SETTLED"
    assert affirmed.affirmed_at == affirmed.settled_at == datetime(2027, 4, 6, 9, 30, tzinfo=HKT)
    assert (w.ledger.holding(BROKER, "01", "00700"), w.ledger.holding(INVESTOR, "01", "00700")) == (9_600, 1_400)


def test_receive_from_investor_moves_investor_stock_and_dvp_money(w: World) -> None:
    record = w.book.input_isi(
        BROKER,
        isi("RECEIVE_FROM_INVESTOR", quantity=300, payment_type="DVP", amount=Decimal("1234.50"), currency="HKD"),
    )
    assert w.book.affirm(INVESTOR, record.isi_id).status == "SETTLED"
    assert w.ledger.holding(INVESTOR, "01", "00700") == 700
    assert w.ledger.money(INVESTOR, "HKD") == Decimal("1234.50")
    assert w.ledger.money(BROKER, "HKD") == Decimal("-1234.50")


def test_lack_of_stock_stays_pending_with_reason_then_batch_settles(w: World) -> None:
    record = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=1_500))
    pending = w.book.affirm(INVESTOR, record.isi_id)
    assert pending.status == "PENDING_SETTLEMENT"
    assert pending.reason is not None and pending.reason.startswith("LACK")
    run = w.book.run_batch("R00000001")
    assert run.settled == () and run.failed[0][0] == record.isi_id
    w.ledger.deposit(INVESTOR, "01", "00700", 500)
    w.at(10, 30)
    run = w.book.run_batch("R00000002")
    assert (run.run_id, run.settled, run.failed) == ("R00000002", (record.isi_id,), ())
    settled = w.book.get(INVESTOR, record.isi_id)
    assert (settled.status, settled.reason, settled.settled_at) == ("SETTLED", None, w.clock.now)
    assert w.book.run_batch().settled == ()  # settles at most once


def test_affirm_rules(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    with pytest.raises(DomainError) as exc:
        w.book.affirm(BROKER, record.isi_id)
    assert code_of(exc) == ("AFFIRMATION_NOT_ALLOWED", 403, "")
    with pytest.raises(DomainError) as exc:
        w.book.affirm(INVESTOR2, record.isi_id)
    assert code_of(exc) == ("ISI_NOT_FOUND", 404, "")
    w.book.affirm(INVESTOR, record.isi_id)
    with pytest.raises(DomainError) as exc:
        w.book.affirm(INVESTOR, record.isi_id)
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")


def test_reject_affirmation_cancels(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    rejected = w.book.reject_affirmation(INVESTOR, record.isi_id)
    assert rejected.status == "CANCELLED" and rejected.reason is not None
    assert w.book.run_batch().settled == ()
    with pytest.raises(DomainError, match="whose status is CANCELLED"):
        w.book.affirm(INVESTOR, record.isi_id)


# ---------------------------------------------------------------- without affirmation
def test_without_affirmation_needs_the_list_and_settles_at_once(w: World) -> None:
    w.book.allow_without_affirmation(INVESTOR, BROKER)
    w.book.allow_without_affirmation(INVESTOR, CUSTODIAN)
    assert w.book.counterparties_without_affirmation(INVESTOR) == (BROKER, CUSTODIAN)
    record = w.book.input_isi(BROKER, isi(with_affirmation=False, quantity=250))
    assert (record.status, record.affirmed_at) == ("SETTLED", None)
    assert w.ledger.holding(INVESTOR, "01", "00700") == 1_250
    with pytest.raises(DomainError) as exc:  # the list is per investor
        w.book.input_isi(BROKER, isi(with_affirmation=False, investor_id=INVESTOR2))
    assert exc.value.code == "COUNTERPARTY_NOT_LISTED"
    w.book.disallow_without_affirmation(INVESTOR, BROKER)
    with pytest.raises(DomainError, match="list"):
        w.book.input_isi(BROKER, isi(with_affirmation=False))


def test_allow_list_validation(w: World) -> None:
    with pytest.raises(DomainError) as exc:
        w.book.allow_without_affirmation(BROKER, CUSTODIAN)
    assert code_of(exc) == ("INVESTOR_UNKNOWN", 422, "/investorId")
    with pytest.raises(DomainError) as exc:
        w.book.allow_without_affirmation(INVESTOR, INVESTOR2)
    assert code_of(exc) == ("COUNTERPARTY_UNKNOWN", 422, "/counterpartyId")


def test_without_affirmation_lacking_stock_is_pending_then_changeable(w: World) -> None:
    w.book.allow_without_affirmation(INVESTOR, BROKER)
    record = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", with_affirmation=False, quantity=5_000))
    assert record.status == "PENDING_SETTLEMENT"
    changed = w.book.change_isi(BROKER, record.isi_id, {"quantity": 600})
    assert changed.status == "SETTLED" and w.ledger.holding(INVESTOR, "01", "00700") == 400
    with pytest.raises(DomainError) as exc:
        w.book.cancel_isi(BROKER, record.isi_id)
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")


# ---------------------------------------------------------------- change and cancel
def test_change_isi_while_unaffirmed(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    w.at(9, 15)
    changed = w.book.change_isi(BROKER, record.isi_id, {"quantity": 700, "stock_code": "00005"})
    assert (changed.quantity, changed.stock_code, changed.status) == (700, "00005", "UNAFFIRMED")
    assert changed.updated_at == w.clock.now and changed.created_at == START
    with pytest.raises(DomainError) as exc:
        w.book.change_isi(BROKER, record.isi_id, {"quantity": 0})
    assert exc.value.code == "QUANTITY_INVALID"
    assert w.book.get(BROKER, record.isi_id).quantity == 700  # a rejected change changes nothing


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"quantityy": 1}, ("FIELD_UNKNOWN", 422, "/quantityy")),
        ({"investor_id": INVESTOR2}, ("FIELD_NOT_CHANGEABLE", 422, "/investorId")),
        ({"with_affirmation": False}, ("FIELD_NOT_CHANGEABLE", 422, "/withAffirmation")),
        ({"payment_type": "DVP"}, ("AMOUNT_REQUIRED", 422, "/amount")),
    ],
)
def test_change_isi_rejections(w: World, changes: dict[str, object], expected: tuple[str, int, str]) -> None:
    record = w.book.input_isi(BROKER, isi())
    with pytest.raises(DomainError) as exc:
        w.book.change_isi(BROKER, record.isi_id, changes)
    assert code_of(exc) == expected


def test_change_and_cancel_only_by_owner_and_before_affirmation(w: World) -> None:
    record = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=5_000))
    with pytest.raises(DomainError) as exc:
        w.book.cancel_isi(INVESTOR, record.isi_id)
    assert code_of(exc) == ("OWNER_NOT_ALLOWED", 403, "")
    with pytest.raises(DomainError) as exc:
        w.book.change_isi(INVESTOR, record.isi_id, {})
    assert code_of(exc) == ("OWNER_NOT_ALLOWED", 403, "")
    with pytest.raises(DomainError) as exc:
        w.book.cancel_isi(OTHER, record.isi_id)
    assert code_of(exc) == ("ISI_NOT_FOUND", 404, "")
    w.book.affirm(INVESTOR, record.isi_id)  # affirmed but short of stock: PENDING_SETTLEMENT
    with pytest.raises(DomainError) as exc:
        w.book.cancel_isi(BROKER, record.isi_id)
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")
    with pytest.raises(DomainError) as exc:
        w.book.change_isi(BROKER, record.isi_id, {})
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")


def test_cancel_isi(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    cancelled = w.book.cancel_isi(BROKER, record.isi_id)
    assert cancelled.status == "CANCELLED"
    with pytest.raises(DomainError) as exc:
        w.book.cancel_isi(BROKER, record.isi_id)
    assert exc.value.code == "ISI_STATE_CONFLICT"


# ---------------------------------------------------------------- cut-off, batch, day end
def test_cutoff_constant() -> None:
    assert time(15, 45) == DEFAULT_ISI_BATCH_CUTOFF


def test_affirmed_after_cutoff_is_excluded_from_batch(w: World) -> None:
    early = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=2_000))
    w.at(15, 45)
    at_cutoff = w.book.affirm(INVESTOR, early.isi_id)
    assert (at_cutoff.status, at_cutoff.excluded_from_batch) == ("PENDING_SETTLEMENT", False)
    late = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=2_000))
    w.at(15, 46)
    excluded = w.book.affirm(INVESTOR, late.isi_id)
    assert (excluded.status, excluded.excluded_from_batch) == ("PENDING_SETTLEMENT", True)
    w.ledger.deposit(INVESTOR, "01", "00700", 3_000)
    run = w.book.run_batch()
    assert run.settled == (early.isi_id,)  # the excluded one is not retried
    assert w.book.get(BROKER, late.isi_id).status == "PENDING_SETTLEMENT"


def test_input_after_cutoff_still_settles_on_line(w: World) -> None:
    w.book.allow_without_affirmation(INVESTOR, BROKER)
    w.at(17, 30)
    record = w.book.input_isi(BROKER, isi(with_affirmation=False))
    assert (record.status, record.excluded_from_batch) == ("SETTLED", True)


def test_custom_cutoff() -> None:
    world = make_world()
    book = IsiBook(world.reference, world.ledger, world.clock, batch_cutoff=time(9, 0))
    book.allow_without_affirmation(INVESTOR, BROKER)
    world.at(9, 1)
    assert book.input_isi(
        BROKER, isi("RECEIVE_FROM_INVESTOR", with_affirmation=False, quantity=9_999)
    ).excluded_from_batch


def test_day_end_purges_unaffirmed_and_unsettled(w: World) -> None:
    unaffirmed = w.book.input_isi(BROKER, isi())
    pending = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=5_000))
    w.book.affirm(INVESTOR, pending.isi_id)
    settled = w.book.input_isi(BROKER, isi())
    w.book.affirm(INVESTOR, settled.isi_id)
    w.at(23, 59)
    assert w.book.on_day_end(START.date()) == [unaffirmed.isi_id, pending.isi_id]
    statuses = [r.status for r in w.book.enquire(BROKER)]
    assert statuses == ["PURGED", "PURGED", "SETTLED"]
    w.ledger.deposit(INVESTOR, "01", "00700", 10_000)
    assert w.book.run_batch().settled == ()
    assert w.book.on_day_end(START.date()) == []


def test_day_end_keeps_later_business_days(w: World) -> None:
    w.at(9, 0, day=10)  # Saturday: business date rolls to Monday 12 April
    record = w.book.input_isi(BROKER, isi())
    assert record.business_date.isoformat() == "2027-04-12"
    assert w.book.on_day_end(START.date()) == []


# ---------------------------------------------------------------- enquiries and privacy
def test_get_and_enquire_visibility(w: World) -> None:
    a = w.book.input_isi(BROKER, isi())
    b = w.book.input_isi(CUSTODIAN, isi(investor_id=INVESTOR2))
    w.book.affirm(INVESTOR, a.isi_id)
    assert w.book.get(INVESTOR, a.isi_id).isi_id == a.isi_id
    for outsider in (OTHER, INVESTOR2, "Z00000"):
        with pytest.raises(DomainError) as exc:
            w.book.get(outsider, a.isi_id)
        assert code_of(exc) == ("ISI_NOT_FOUND", 404, "")
    with pytest.raises(DomainError, match="ISI9999999999"):
        w.book.get(BROKER, "ISI9999999999")
    assert [r.isi_id for r in w.book.enquire(INVESTOR)] == [a.isi_id]
    assert [r.isi_id for r in w.book.enquire(INVESTOR2)] == [b.isi_id]
    assert w.book.enquire(OTHER) == []
    assert [r.isi_id for r in w.book.enquire(BROKER, status="SETTLED")] == [a.isi_id]
    assert w.book.enquire(BROKER, status="UNAFFIRMED") == []


def test_records_are_copies(w: World) -> None:
    record = w.book.input_isi(BROKER, isi())
    record.quantity = 1
    record.status = "SETTLED"
    assert w.book.get(BROKER, record.isi_id).quantity == 100
    assert w.book.get(BROKER, record.isi_id).status == "UNAFFIRMED"


def test_deliverer_and_receiver() -> None:
    record = make_world().book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR"))
    assert (record.deliverer, record.receiver) == (INVESTOR, BROKER)


# ---------------------------------------------------------------- properties
ops = st.lists(
    st.tuples(
        st.sampled_from(["input", "input", "affirm", "affirm", "reject", "change", "cancel", "batch", "allow", "tick"]),
        st.sampled_from([BROKER, CUSTODIAN, OTHER, INVESTOR, INVESTOR2]),
        st.sampled_from([INVESTOR, INVESTOR2]),
        st.sampled_from(["DELIVER_TO_INVESTOR", "RECEIVE_FROM_INVESTOR"]),
        st.sampled_from(STOCKS),
        st.integers(1, 3_000),
        st.booleans(),
        st.integers(0, 20),
    ),
    max_size=50,
)


def _property_world() -> World:
    world = make_world()
    world.book.allow_without_affirmation(INVESTOR, BROKER)  # so ISIs without affirmation occur often
    return world


def _apply(world: World, op: tuple[str, str, str, str, str, int, bool, int]) -> None:
    kind, actor, investor, direction, stock, quantity, flag, pick = op
    book = world.book
    ids = [f"ISI{i:010d}" for i in range(1, len(book) + 1)]
    target = ids[pick % len(ids)] if ids else "ISI0000000001"
    try:
        if kind == "input":
            book.input_isi(
                actor, isi(direction, investor_id=investor, stock_code=stock, quantity=quantity, with_affirmation=flag)
            )
        elif kind == "affirm":  # by a random investor: the ISI's own one, or a third party
            book.affirm(investor, target)
        elif kind == "reject":
            book.reject_affirmation(investor, target)
        elif kind == "change":
            book.change_isi(actor, target, {"quantity": quantity})
        elif kind == "cancel":
            book.cancel_isi(actor, target)
        elif kind == "batch":
            book.run_batch()
        elif kind == "allow":
            book.allow_without_affirmation(investor, actor)
        else:
            now = world.clock.now
            world.clock.advance_to(now.replace(hour=min(now.hour + 2, 23)))
    except DomainError:
        pass


@FAST
@given(ops)
def test_property_stock_conservation_and_single_settlement(operations: list[Any]) -> None:
    world = _property_world()
    totals = {code: world.ledger.total(code) for code in STOCKS}
    settled_at: dict[str, datetime | None] = {}
    for op in operations:
        _apply(world, op)
        assert {code: world.ledger.total(code) for code in STOCKS} == totals
        for investor in (INVESTOR, INVESTOR2):
            for record in world.book.enquire(investor):
                if record.status == "SETTLED":
                    # (b) settles at most once: the settlement time never changes afterwards
                    assert settled_at.setdefault(record.isi_id, record.settled_at) == record.settled_at
                    if record.with_affirmation:
                        assert record.affirmed_at is not None and record.affirmed_at <= (record.settled_at or START)
    for holder in (BROKER, CUSTODIAN, OTHER, INVESTOR, INVESTOR2):
        assert all(qty >= 0 for _, _, qty in world.ledger.holdings_of(holder))


def _all_records(world: World) -> list[InvestorSettlementInstruction]:
    seen: dict[str, InvestorSettlementInstruction] = {}
    for pid in (BROKER, CUSTODIAN, OTHER, INVESTOR, INVESTOR2):
        for record in world.book.enquire(pid):
            seen[record.isi_id] = record
    return list(seen.values())


@FAST
@given(ops)
def test_property_third_parties_never_see_an_isi(operations: list[Any]) -> None:
    world = _property_world()
    for op in operations:
        _apply(world, op)
    records = _all_records(world)
    assert len(records) == len(world.book)
    for record in records:
        for pid in (BROKER, CUSTODIAN, OTHER, INVESTOR, INVESTOR2):
            visible = pid in (record.owner, record.investor_id)
            assert any(r.isi_id == record.isi_id for r in world.book.enquire(pid)) == visible
            if not visible:
                with pytest.raises(DomainError) as exc:
                    world.book.get(pid, record.isi_id)
                assert exc.value.code == "ISI_NOT_FOUND"


# ---------------------------------------------------------------- issue 17 correction 7: date, RDP, hold
def test_settlement_date_defaults_to_the_first_settlement_day(w: World) -> None:
    assert w.book.input_isi(BROKER, isi()).settlement_date == START.date()
    w.at(9, 0, day=10)  # Saturday: business date Monday 12 April
    assert w.book.input_isi(BROKER, isi()).settlement_date == date(2027, 4, 12)


def test_forward_dated_isi_waits_for_its_settlement_date_then_purges_after_it(w: World) -> None:
    record = w.book.input_isi(BROKER, isi(quantity=400, settlement_date=date(2027, 4, 7)))
    affirmed = w.book.affirm(INVESTOR, record.isi_id)
    assert (affirmed.status, affirmed.reason) == ("PENDING_SETTLEMENT", None)
    assert w.book.run_batch().settled == ()
    assert w.book.on_day_end(START.date()) == []  # not due yet: not purged
    w.at(10, 30, day=7)
    assert w.book.run_batch().settled == (record.isi_id,)


def test_rdp_settles_its_money_like_dvp(w: World) -> None:
    record = w.book.input_isi(
        BROKER, isi(quantity=100, payment_type="RDP", amount=Decimal("99.00"), currency="HKD",
                    dvp_on_hold_required=True))
    settled = w.book.affirm(INVESTOR, record.isi_id)
    assert (settled.status, settled.dvp_on_hold_required) == ("SETTLED", True)
    assert w.ledger.money(BROKER, "HKD") == Decimal("99.00")


def test_held_isi_does_not_settle_until_released(w: World) -> None:
    record = w.book.input_isi(BROKER, isi(quantity=400, hold_before_settlement=True))
    assert w.book.affirm(INVESTOR, record.isi_id).status == "PENDING_SETTLEMENT"
    assert w.book.run_batch().settled == ()
    released = w.book.change_isi(BROKER, record.isi_id, {"hold_before_settlement": False})
    assert (released.status, released.hold_before_settlement) == ("SETTLED", False)


def test_change_isi_holds_an_affirmed_isi_and_releases_it_to_the_batch(w: World) -> None:
    record = w.book.input_isi(BROKER, isi("RECEIVE_FROM_INVESTOR", quantity=1_500))
    w.book.affirm(INVESTOR, record.isi_id)  # lacks stock: pending
    held = w.book.change_isi(BROKER, record.isi_id, {"hold_before_settlement": True})
    assert (held.status, held.hold_before_settlement) == ("PENDING_SETTLEMENT", True)
    w.ledger.deposit(INVESTOR, "01", "00700", 500)
    assert w.book.run_batch().settled == ()  # held: not attempted
    with pytest.raises(DomainError) as exc:  # nothing else may change once affirmed
        w.book.change_isi(BROKER, record.isi_id, {"hold_before_settlement": False, "quantity": 5})
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")
    with pytest.raises(DomainError) as exc:  # the investor neither
        w.book.change_isi(INVESTOR, record.isi_id, {"hold_before_settlement": False})
    assert code_of(exc)[0] == "OWNER_NOT_ALLOWED"
    assert w.book.change_isi(BROKER, record.isi_id, {"hold_before_settlement": False}).status == "SETTLED"
    with pytest.raises(DomainError) as exc:  # never after settlement
        w.book.change_isi(BROKER, record.isi_id, {"hold_before_settlement": True})
    assert code_of(exc) == ("ISI_STATE_CONFLICT", 409, "")
